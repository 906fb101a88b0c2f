"""Compounding a pharmacist would sign: no weighing under the balance's minimum weighable
quantity (a trituration or liquid aliquot instead), and absurd orders refused with a reason.

Pinned values and their derivations: tests/reference/pharmacy_compounding.json."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lowdose.pharmacy import (
    MAX_CAPSULES,
    MAX_STRENGTH,
    MAX_VOLUME,
    MIN_CONCENTRATION,
    MIN_STRENGTH,
    MIN_WEIGHABLE,
    CapsuleCompounding,
    CompoundingError,
    LiquidAliquot,
    LiquidCompounding,
    Trituration,
    mg,
    ml,
    triturate,
)

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "pharmacy_compounding.json").read_text("utf-8")
)


def test_default_minimum_weighable_quantity_is_the_class_iii_balance_rule() -> None:
    ref = REF["min_weighable_default"]
    derived = Decimal(ref["sensitivity_requirement_mg"]) * 100 / Decimal(ref["max_error_percent"])
    assert derived == Decimal(ref["min_weighable_mg"])
    assert mg(derived) == MIN_WEIGHABLE


def test_half_milligram_capsules_from_powder_go_through_a_one_in_ten_trituration() -> None:
    ref = REF["capsules_30_x_0_5mg_from_api_trituration"]
    sheet = CapsuleCompounding("0.5", 30, "api").fit()
    (trituration,) = sheet.dilutions
    assert isinstance(trituration, Trituration)
    assert trituration.needed == mg(ref["api_in_capsules_mg"])
    assert trituration.weighed == mg(ref["api_weighed_mg"])
    assert trituration.factor == ref["factor"]
    assert trituration.diluent_weighed == mg(ref["diluent_weighed_mg"])
    assert trituration.total == mg(ref["trituration_mg"])
    assert trituration.aliquot == mg(ref["aliquot_mg"])
    assert sheet.weighings[-1][1] == mg(ref["filler_added_mg"])
    assert [q for _, q in sheet.weighings] == [
        mg(ref["api_weighed_mg"]),
        mg(ref["diluent_weighed_mg"]),
        mg(ref["aliquot_mg"]),
        mg(ref["filler_added_mg"]),
    ]
    # the arithmetic is on the worksheet, in the method and in the JSON
    assert "Weigh 150 mg of the trituration. It holds 150 mg × 120 mg ÷ 1200 mg = 15 mg" in (
        " ".join(sheet.method)
    )
    data = sheet.to_dict()
    assert data["dilutions"][0]["kind"] == "trituration"
    assert data["dilutions"][0]["aliquot"] == {"quantity": "150", "unit": "mg"}
    assert data["min_weighable"] == {"quantity": "120", "unit": "mg"}


def test_four_and_a_half_mg_capsules_weigh_the_powder_directly() -> None:
    sheet = CapsuleCompounding("4.5", 30, "api").fit()
    assert sheet.dilutions == ()
    assert sheet.weighings[0] == ("naltrexone HCl", mg(135))


def test_the_minimum_weighable_quantity_is_configurable() -> None:
    # an analytical balance accurate to 10 mg weighs the 15 mg directly
    sheet = CapsuleCompounding("0.5", 30, "api", min_weighable_mg="10").fit()
    assert sheet.dilutions == ()
    assert sheet.weighings[0] == ("naltrexone HCl", mg(15))
    # a coarser balance (200 mg) needs a stronger dilution: 15 x 20 = 300 mg aliquot
    coarse = CapsuleCompounding("0.5", 30, "api", min_weighable_mg="200").fit()
    (trituration,) = coarse.dilutions
    assert isinstance(trituration, Trituration)
    assert (trituration.factor, trituration.weighed, trituration.aliquot) == (20, mg(200), mg(300))


def test_too_little_for_a_one_in_hundred_trituration_is_refused_with_what_to_do() -> None:
    with pytest.raises(CompoundingError, match="make at least 12 capsules") as info:
        CapsuleCompounding("0.1", 5, "api").fit()
    assert info.value.field == "count"
    assert CapsuleCompounding("0.1", 12, "api").fit().dilutions[0].factor == 100


def test_trituration_aliquot_never_exceeds_the_blend() -> None:
    assert (
        triturate(
            "x", mg("1.5"), diluent="y", min_weighable=mg(120), resolution=mg(1), most=mg(100)
        )
        is None
    )


def test_preserved_fawcett_liquid_measures_its_sodium_benzoate_as_a_solution() -> None:
    ref = REF["liquid_100ml_preserved_sodium_benzoate_aliquot"]
    sheet = LiquidCompounding("1", "100", "tablets", preserved=True).fit()
    (aliquot,) = sheet.dilutions
    assert isinstance(aliquot, LiquidAliquot)
    assert aliquot.substance == "sodium benzoate"
    assert aliquot.needed == mg(ref["needed_mg"])
    assert aliquot.weighed == mg(ref["weighed_mg"])
    assert aliquot.stock_volume == ml(ref["stock_ml"])
    assert aliquot.aliquot == ml(ref["aliquot_ml"])
    # the formula line still reads 100 mg (what the liquid holds)
    benzoate = next(i for i in sheet.ingredients if i.name == "sodium benzoate")
    assert benzoate.quantity == mg(100)
    assert "too little to weigh" in benzoate.note
    assert sheet.method[0].startswith("Weigh 150 mg sodium benzoate")


def test_small_liquid_batches_whose_solutions_do_not_fit_are_refused() -> None:
    with pytest.raises(CompoundingError, match="make a larger volume") as info:
        LiquidCompounding("1", "2", "api").fit()
    assert info.value.field == "volume"


# -- plausibility limits -----------------------------------------------------------------------


def test_limits_match_the_reference() -> None:
    ref = REF["plausibility_limits"]
    assert mg(ref["min_strength_mg"]) == MIN_STRENGTH
    assert mg(ref["max_strength_mg"]) == MAX_STRENGTH
    assert ref["max_capsules"] == MAX_CAPSULES
    assert MIN_CONCENTRATION.mg_per_ml == Decimal(ref["min_concentration_mg_per_ml"])
    assert ml(ref["max_volume_ml"]) == MAX_VOLUME


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"strength_mg": "0.0001"}, "strength", "below the lowest LDN capsule of 0.1 mg"),
        ({"strength_mg": "0.05"}, "strength", "microgram dose written as mg"),
        ({"strength_mg": "1.234"}, "strength", "round it to 0.01 mg"),
        ({"count": 1_000_000_000}, "count", "more than the 1000 one batch may hold"),
        ({"count": 10_000}, "count", "split it into batches"),
        ({"count": 995, "overage_capsules": 10}, "count", "1005 capsules"),
    ],
)
def test_absurd_capsule_orders_are_refused(
    kwargs: dict[str, Any], field: str, message: str
) -> None:
    args: dict[str, Any] = {"strength_mg": "4.5", "count": 30, "source": "api"}
    args.update(kwargs)
    with pytest.raises(CompoundingError, match=message) as info:
        CapsuleCompounding(**args)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"volume_ml": "500000"}, "volume", "more than the 1000 mL one batch may hold"),
        ({"concentration_mg_per_ml": "0.0001"}, "concentration", "below the lowest accepted"),
        (
            {
                "concentration_mg_per_ml": "0.1",
                "volume_ml": "10",
                "source": "tablets",
                "max_volume_ml": "400",
            },
            "concentration",
            "whole tablets at 0.1 mg/mL make 500 mL",
        ),
    ],
)
def test_absurd_liquid_orders_are_refused(kwargs: dict[str, Any], field: str, message: str) -> None:
    args: dict[str, Any] = {"concentration_mg_per_ml": "1", "volume_ml": "100", "source": "api"}
    args.update(kwargs)
    with pytest.raises(CompoundingError, match=message) as info:
        LiquidCompounding(**args).fit()
    assert info.value.field == field


def test_limits_are_configurable() -> None:
    assert CapsuleCompounding("0.05", 300, "api", min_strength_mg="0.01").fit().dilutions
    assert CapsuleCompounding("4.5", 2000, "api", max_capsules=2000).fit().made.value == 2000


def test_every_reference_absurd_order_is_refused() -> None:
    cases = {c["order"]: c["field"] for c in REF["plausibility_limits"]["absurd_orders_refused"]}
    attempts = {
        "0.0001 mg x 30 capsules": lambda: CapsuleCompounding("0.0001", 30, "api").fit(),
        "4.5 mg x 1000000000 capsules": lambda: CapsuleCompounding("4.5", 10**9, "api").fit(),
        "1 mg/mL x 500000 mL": lambda: LiquidCompounding("1", "500000", "api").fit(),
        "0.0001 mg/mL from tablets": lambda: LiquidCompounding("0.0001", "100", "tablets").fit(),
    }
    assert set(attempts) == set(cases)
    for order, attempt in attempts.items():
        with pytest.raises(CompoundingError) as info:
            attempt()
        assert info.value.field == cases[order], order
