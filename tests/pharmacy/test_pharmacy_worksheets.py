"""Capsule and liquid worksheets: published formulas, refusals with reasons, exact arithmetic."""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.errors import InputError
from lowdose.pharmacy import (
    BudCategory,
    CapsuleCompounding,
    CompoundingError,
    LiquidCompounding,
    Quantity,
    Storage,
    Syringe,
    Unit,
    Worksheet,
    beyond_use,
    check_filler,
    ml,
)

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "pharmacy_formulas.json").read_text("utf-8")
)
COMPOUNDING = json.loads(
    (Path(__file__).parents[1] / "reference" / "pharmacy_compounding.json").read_text("utf-8")
)
MWQ = Quantity(Decimal(120), Unit.MG)


def _weighable(sheet: Worksheet) -> None:
    """Every weighing on the sheet is at least the 120 mg default and a whole mg."""
    assert sheet.weighings
    for name, mass in sheet.weighings:
        assert mass >= MWQ, (name, mass)
        assert mass.value == mass.value.to_integral_value(), (name, mass)


def _ingredient(sheet: Worksheet, startswith: str) -> Quantity | None:
    for item in sheet.ingredients:
        if item.name.startswith(startswith):
            return item.quantity
    raise AssertionError(f"no ingredient {startswith!r} in {sheet.ingredients}")


def _fit_or_refusal(order: LiquidCompounding) -> Worksheet | CompoundingError:
    try:
        return order.fit()
    except CompoundingError as exc:
        return exc


def _no_floats(node: Any) -> None:
    assert not isinstance(node, float), node
    if isinstance(node, dict):
        for value in node.values():
            _no_floats(value)
    elif isinstance(node, list | tuple):
        for value in node:
            _no_floats(value)


# -- published formulas ------------------------------------------------------------------------


def test_one_mg_per_ml_liquid_matches_the_fawcett_formula() -> None:
    ref = REF["liquid_1mg_per_ml_100ml_from_tablets"]
    sheet = LiquidCompounding("1", "100", "tablets", preserved=True).fit()
    assert _ingredient(sheet, "naltrexone") == Quantity(Decimal(ref["tablets"]), Unit.TABLET)
    assert _ingredient(sheet, "ascorbic acid") == Quantity(
        Decimal(ref["ascorbic_acid_mg"]), Unit.MG
    )
    assert _ingredient(sheet, "glycerol") == ml(ref["glycerol_ml"])
    assert _ingredient(sheet, "sodium benzoate") == Quantity(
        Decimal(ref["sodium_benzoate_mg_if_preserved"]), Unit.MG
    )
    assert _ingredient(sheet, "purified water") is None  # q.s.
    assert sheet.made == ml(ref["made_ml"])
    assert sheet.overage == ()


def test_hundred_4_5mg_capsules_from_powder_weigh_450mg() -> None:
    ref = REF["capsules_100_x_4_5mg_from_api"]
    sheet = CapsuleCompounding("4.5", 100, "api").fit()
    assert _ingredient(sheet, "naltrexone") == Quantity(Decimal(ref["api_mg"]), Unit.MG)
    assert _ingredient(sheet, "microcrystalline") == Quantity(Decimal(ref["filler_mg"]), Unit.MG)
    assert sheet.made == Quantity(Decimal(100), Unit.CAPSULE)


@pytest.mark.parametrize(
    ("category", "storage"),
    [
        (BudCategory.AQUEOUS_NONPRESERVED, Storage.REFRIGERATED),
        (BudCategory.AQUEOUS_PRESERVED, Storage.REFRIGERATED),
        (BudCategory.AQUEOUS_PRESERVED, Storage.ROOM_TEMPERATURE),
        (BudCategory.NONAQUEOUS_ORAL_LIQUID, Storage.ROOM_TEMPERATURE),
        (BudCategory.NONAQUEOUS_SOLID, Storage.ROOM_TEMPERATURE),
    ],
)
def test_bud_days_by_usp_795_category(category: BudCategory, storage: Storage) -> None:
    rule = beyond_use(category, storage)
    assert rule.days == REF["bud_days"][category.value]
    assert rule.date_from(date(2025, 12, 20)).toordinal() - date(2025, 12, 20).toordinal() == (
        rule.days
    )


def test_unpreserved_liquid_at_room_temperature_is_refused() -> None:
    with pytest.raises(CompoundingError, match="only refrigerated") as info:
        LiquidCompounding("1", "100", "api", storage=Storage.ROOM_TEMPERATURE)
    assert info.value.field == "storage"


def test_worksheet_bud_and_storage_follow_preservation() -> None:
    plain = LiquidCompounding("1", "100", "tablets", compounded_on=date(2025, 1, 6)).fit()
    kept = LiquidCompounding("1", "100", "tablets", preserved=True).fit()
    caps = CapsuleCompounding("3", 30, "api", compounded_on=date(2025, 1, 6)).fit()
    assert (plain.beyond_use.days, plain.beyond_use.storage) == (14, Storage.REFRIGERATED)
    assert plain.beyond_use_date == date(2025, 1, 20)
    assert "Do not use after 2025-01-20." in plain.label
    assert "Store in a refrigerator." in plain.label
    assert kept.beyond_use.days == 35
    assert (caps.beyond_use.days, caps.beyond_use_date) == (180, date(2025, 7, 5))
    assert "Store at room temperature." in caps.label


def test_label_states_off_label_use_and_the_opioid_warning() -> None:
    label = CapsuleCompounding("4.5", 30, "api", directions="take 1 capsule at bedtime").fit().label
    assert (
        label.splitlines()[0] == "Naltrexone hydrochloride 4.5 mg capsules. Quantity: 30 capsules."
    )
    assert "off-label" in label
    assert "opioid pain relief may not work" in label
    assert "Directions: take 1 capsule at bedtime." in label


# -- tablets, overage --------------------------------------------------------------------------


def test_capsules_from_tablets_use_the_fewest_tablets_and_show_the_discarded_blend() -> None:
    ref = COMPOUNDING["capsules_30_x_4_5mg_from_tablets"]
    sheet = CapsuleCompounding("4.5", 30, "tablets").fit()
    assert _ingredient(sheet, "naltrexone") == Quantity(Decimal(ref["tablets"]), Unit.TABLET)
    assert sheet.made == Quantity(Decimal(30), Unit.CAPSULE)
    (left,) = sheet.overage
    assert left.quantity == Quantity(Decimal(ref["blend_discarded_mg"]), Unit.MG)
    assert left.naltrexone == Quantity(Decimal(ref["naltrexone_discarded_mg"]), Unit.MG)
    assert "discard" in left.reason
    filler = next(i for i in sheet.ingredients if i.role == "filler")
    assert filler.quantity is None  # q.s. to the blend weight
    assert f"{ref['blend_mg']} mg" in filler.note
    assert sheet.weighings == (("blend made up to", Quantity(Decimal(ref["blend_mg"]), Unit.MG)),)


def test_capsules_from_tablets_with_measured_tablet_weight_give_exact_filler() -> None:
    sheet = CapsuleCompounding("2.5", 20, "tablets", tablet_weight_mg="210").fit()
    # 50 / 2.5 = 20 fills per tablet -> 1 tablet; blend 20 x 225 = 4500 mg; filler 4500 - 210
    assert _ingredient(sheet, "naltrexone") == Quantity(Decimal(1), Unit.TABLET)
    assert _ingredient(sheet, "microcrystalline") == Quantity(Decimal(4290), Unit.MG)
    assert sheet.overage == ()


def test_requested_and_rounding_overage_are_shown_separately() -> None:
    sheet = CapsuleCompounding("1.5", 15, "api", overage_capsules=2, min_weighable_mg="20").fit()
    # 1.5 x 17 = 25.5 mg (weighable on this balance) is not a whole mg -> one more capsule:
    # 18 x 1.5 = 27 mg
    assert sheet.made == Quantity(Decimal(18), Unit.CAPSULE)
    assert [o.quantity.value for o in sheet.overage] == [Decimal(2), Decimal(1)]
    assert sheet.naltrexone_dispensed == Quantity(Decimal("22.5"), Unit.MG)
    assert _ingredient(sheet, "naltrexone") == Quantity(Decimal(27), Unit.MG)


def test_liquid_from_tablets_makes_up_whole_tablets_and_shows_extra_volume() -> None:
    sheet = LiquidCompounding("1", "30", "tablets").fit()
    assert _ingredient(sheet, "naltrexone") == Quantity(Decimal(1), Unit.TABLET)
    assert sheet.made == ml(50)
    (extra,) = sheet.overage
    assert extra.quantity == ml(20)
    assert extra.naltrexone == Quantity(Decimal(20), Unit.MG)


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"strength_mg": "7"}, "strength", "above the configured maximum of 6 mg"),
        ({"strength_mg": "0"}, "strength", "must be positive"),
        ({"strength_mg": 4.5}, "strength", "decimal string"),
        ({"count": 0}, "count", "whole number of capsules"),
        ({"source": "powder"}, "source", "'api' or 'tablets'"),
        ({"filler": "calcium carbonate"}, "filler", "reduce naltrexone absorption"),
        ({"filler": "Methocel (slow-release)"}, "filler", "immediate-release"),
        ({"filler": "HPMC"}, "filler", "immediate-release"),
        ({"filler": "talc"}, "filler", "not on the list"),
        ({"strength_mg": "5", "fill_weight_mg": "5"}, "strength", "larger capsule"),
    ],
)
def test_capsule_refusals_say_why_and_name_the_field(
    kwargs: dict[str, Any], field: str, message: str
) -> None:
    args: dict[str, Any] = {"strength_mg": "4.5", "count": 30, "source": "api"}
    args.update(kwargs)
    with pytest.raises(CompoundingError, match=message) as info:
        CapsuleCompounding(**args).fit()
    assert info.value.field == field
    assert isinstance(info.value, InputError)


def test_strength_ceiling_is_configurable() -> None:
    sheet = CapsuleCompounding("8", 10, "api", max_strength_mg="10").fit()
    assert sheet.naltrexone_dispensed == Quantity(Decimal(80), Unit.MG)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"concentration_mg_per_ml": "2", "doses_mg": ["1.5"]}, r"0\.75 mL.*between the 0\.1 mL"),
        ({"concentration_mg_per_ml": "1", "doses_mg": ["6"]}, "more than the 5 mL syringe"),
        ({"concentration_mg_per_ml": "3", "doses_mg": ["1"]}, "not a finite number of mL"),
        ({"concentration_mg_per_ml": "10"}, "above the configured maximum of 5 mg/mL"),
        ({"concentration_mg_per_ml": "-1"}, "must be positive"),
        ({"volume_ml": "0"}, "must be positive"),
    ],
)
def test_liquid_refusals_say_why(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"concentration_mg_per_ml": "1", "volume_ml": "100", "source": "api"}
    args.update(kwargs)
    with pytest.raises(CompoundingError, match=message):
        LiquidCompounding(**args).fit()


def test_a_finer_syringe_makes_the_quarter_millilitre_dose_measurable() -> None:
    fine = Syringe(capacity=ml(1), graduation=ml("0.01"))
    sheet = LiquidCompounding("2", "50", "api", doses_mg=["1.5"], syringe=fine).fit()
    assert ("volume for a 1.5 mg dose", ml("0.75")) in sheet.per_unit


def test_accepted_fillers_are_recognised_by_common_names() -> None:
    assert check_filler("Avicel PH-102").name.startswith("microcrystalline cellulose")
    assert check_filler("lactose").accepted


# -- exactness properties ----------------------------------------------------------------------

strengths = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(6), places=2)


@settings(max_examples=80, deadline=None)
@given(strength=strengths, count=st.integers(1, 400), overage=st.integers(0, 20))
def test_capsule_api_totals_are_exact(strength: Decimal, count: int, overage: int) -> None:
    if strength * (count + overage) * 100 < 120:  # too little even for a 1 in 100 trituration
        with pytest.raises(CompoundingError, match="make at least") as info:
            CapsuleCompounding(strength, count, "api", overage_capsules=overage).fit()
        assert info.value.field == "count"
        return
    sheet = CapsuleCompounding(strength, count, "api", overage_capsules=overage).fit()
    made = sheet.made.value
    api = _ingredient(sheet, "naltrexone")
    filler = _ingredient(sheet, "microcrystalline")
    assert api is not None
    assert filler is not None
    assert api == Quantity(strength * made, Unit.MG)
    assert api + filler == Quantity(Decimal(225) * made, Unit.MG)
    assert made >= count + overage
    assert sheet.naltrexone_dispensed.value == strength * count
    assert sum((o.quantity.value for o in sheet.overage), Decimal(0)) == made - count
    _weighable(sheet)
    for trituration in sheet.dilutions:  # the aliquot holds exactly what the capsules need
        assert trituration.aliquot.value * trituration.weighed.value == (
            api.value * trituration.total.value
        )
    assert bool(sheet.dilutions) == (api < MWQ)
    _no_floats(sheet.to_dict())


@settings(max_examples=80, deadline=None)
@given(strength=strengths, count=st.integers(1, 400))
def test_capsule_tablet_blend_holds_exactly_the_tablets(strength: Decimal, count: int) -> None:
    sheet = CapsuleCompounding(strength, count, "tablets").fit()
    tablets = _ingredient(sheet, "naltrexone")
    assert tablets is not None
    assert tablets.unit is Unit.TABLET
    n = int(tablets.value)
    assert Decimal(50) * n == sheet.naltrexone_made.value >= strength * count
    ((_, blend),) = sheet.weighings
    # the blend holds exactly `strength` per 225 mg fill: 50 N / W = s / w
    assert Decimal(50) * n * Decimal(225) == blend.value * strength
    # never more tablets than the old "whole fills" method (50 N = s M, M whole)
    ratio = Fraction(50) / Fraction(strength)
    old = ratio.denominator * math.ceil(Fraction(count, ratio.numerator))
    assert n <= old
    # and none fewer would do: fewer tablets either miss the content or need a fractional mg
    for fewer in range(1, n):
        grams = Fraction(50 * fewer * 225) / Fraction(strength)
        assert 50 * fewer < strength * count or grams.denominator != 1
    _weighable(sheet)
    _no_floats(sheet.to_dict())


@settings(max_examples=80, deadline=None)
@given(
    conc=st.sampled_from(["0.5", "1", "2", "2.5", "3", "4", "5"]),
    volume=st.integers(1, 500),
    source=st.sampled_from(["api", "tablets"]),
    preserved=st.booleans(),
)
def test_liquid_content_is_concentration_times_volume(
    conc: str, volume: int, source: str, preserved: bool
) -> None:
    result = _fit_or_refusal(LiquidCompounding(conc, volume, source, preserved=preserved))
    if isinstance(result, CompoundingError):  # small batches: the solutions do not fit
        assert volume < 30, result
        assert result.field == "volume"
        assert "make a larger volume" in str(result)
        return
    sheet = result
    assert sheet.made.value >= volume
    assert sheet.naltrexone_made == Quantity(Decimal(conc) * sheet.made.value, Unit.MG)
    active = sheet.ingredients[0].quantity
    assert active is not None
    if source == "tablets":
        assert active.unit is Unit.TABLET
        assert active.value * 50 == sheet.naltrexone_made.value
    else:
        assert active == sheet.naltrexone_made
    units = {i.quantity.unit for i in sheet.ingredients if i.quantity is not None}
    assert units <= {Unit.MG, Unit.ML, Unit.TABLET}
    _weighable(sheet)
    water = sheet.made.value * Decimal("0.8")
    assert sum((a.aliquot.value for a in sheet.dilutions), Decimal(0)) <= water
    for aliquot in sheet.dilutions:
        assert aliquot.aliquot.value * aliquot.weighed.value == (
            aliquot.needed.value * aliquot.stock_volume.value
        )
    _no_floats(sheet.to_dict())
