"""Cost per pharmacy: whole packs, bottles within their in-use period, per responder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lowdose.pharmacy import (
    CostEstimate,
    Money,
    PriceList,
    PriceListEntry,
    PriceListError,
    ProductForm,
    Quantity,
    Unit,
    ml,
)
from lowdose.regimens import get_protocol

START = date(2025, 1, 6)
PLAN = get_protocol("ldnrt-standard").schedule(START)


def _caps(strength: str, count: int, price: str, currency: str = "USD") -> PriceListEntry:
    return PriceListEntry(
        ProductForm.CAPSULE,
        Quantity(Decimal(count), Unit.CAPSULE),
        Money(Decimal(price), currency),
        strength_mg=Decimal(strength),
    )


def _liquid(volume: int, price: str, days: int = 14) -> PriceListEntry:
    return PriceListEntry(
        ProductForm.LIQUID,
        ml(volume),
        Money(Decimal(price), "USD"),
        concentration_mg_per_ml=Decimal(1),
        in_use_days=days,
    )


LIQUID_SHOP = PriceList("Liquid Pharmacy", (_liquid(100, "25.00"),))
CAPSULE_SHOP = PriceList("Capsule Pharmacy", (_caps("0.5", 30, "45.00"), _caps("4.5", 30, "40.00")))


def test_liquid_bottles_are_replaced_at_their_beyond_use_date() -> None:
    result = CostEstimate(PLAN, [LIQUID_SHOP], "liquid", responder_rate="0.3").fit()
    (shop,) = result.pharmacies
    # 84 days, at most 4 mL/day: a 100 mL bottle lasts its 14 in-use days -> 6 bottles
    assert shop.trial_12_weeks.lines[0].packs == 6
    assert shop.trial_12_weeks.total == Money(Decimal(150), "USD")
    # 365 days -> ceil(365 / 14) = 27 bottles (4.5 mL x 14 = 63 mL < 100 mL)
    assert shop.yearly.total == Money(Decimal(675), "USD")
    # maintenance: 360 days -> 26 bottles = 650 USD / 12 = 54.1666.. -> 54.17
    assert shop.monthly == Money(Decimal("54.17"), "USD")
    # per responder: 150 / 0.3 = 500
    assert shop.per_responder == Money(Decimal(500), "USD")


def test_a_large_bottle_runs_out_before_its_bud_when_doses_are_large() -> None:
    big = PriceList("Big", (_liquid(30, "10.00", days=35),))
    (shop,) = (
        CostEstimate(get_protocol("trial-6mg").schedule(START), [big], "liquid").fit().pharmacies
    )
    # 441 mL over 84 days from 30 mL bottles: refills when a dose no longer fits
    packs = shop.trial_12_weeks.lines[0].packs
    assert packs >= 441 // 30 + 1
    assert shop.trial_12_weeks.total == Money(Decimal(10) * packs, "USD")


#: One capsule per dose: a price for each strength the standard plan compounds, 1.5–4.5 mg.
EVERY_STRENGTH = PriceList(
    "Every Strength",
    tuple(_caps(str(Decimal("1.5") + Decimal("0.5") * k), 30, "30.00") for k in range(7)),
)


def test_capsules_are_priced_at_the_strengths_the_worksheet_compounds() -> None:
    (shop,) = CostEstimate(PLAN, [EVERY_STRENGTH], "capsule").fit().pharmacies
    # the first 84 days: six 14-day steps, one capsule a day of 1.5, 2, ... 4 mg: 1 pack each
    assert [(line.entry.strength_mg, line.packs) for line in shop.trial_12_weeks.lines] == [
        (Decimal(s), 1) for s in ("1.5", "2", "2.5", "3", "3.5", "4")
    ]
    assert shop.trial_12_weeks.total == Money(Decimal(180), "USD")
    # maintenance: 360 capsules of 4.5 mg = 12 packs = 360 / 12 = 30
    assert shop.monthly == Money(Decimal(30), "USD")
    assert shop.per_responder is None


def test_a_cheaper_strength_the_worksheet_does_not_compound_is_not_priced() -> None:
    # 0.5 mg capsules would make every dose, but the worksheet makes one capsule per dose.
    with pytest.raises(PriceListError) as caught:
        CostEstimate(PLAN, [CAPSULE_SHOP], "capsule").fit()
    assert str(caught.value) == (
        "Capsule Pharmacy publishes no price for 1.5 mg capsules, the strength compounded for "
        "the 1.5 mg dose; ask the pharmacy to publish it, or price the oral liquid."
    )


def test_a_fixed_strength_is_priced_as_the_worksheet_fills_it() -> None:
    (shop,) = (
        CostEstimate(PLAN, [CAPSULE_SHOP], "capsule", capsule_strength_mg="0.5").fit().pharmacies
    )
    # 231 mg in 84 days = 462 capsules of 0.5 mg -> 16 packs of 30
    assert [(line.entry.strength_mg, line.packs) for line in shop.trial_12_weeks.lines] == [
        (Decimal("0.5"), 16)
    ]
    assert shop.trial_12_weeks.total == Money(Decimal(720), "USD")


def test_a_capsule_only_pharmacy_cannot_price_a_liquid() -> None:
    with pytest.raises(PriceListError, match="no oral liquid"):
        CostEstimate(PLAN, [CAPSULE_SHOP, LIQUID_SHOP], "liquid").fit()


def test_pharmacies_are_sorted_by_trial_cost() -> None:
    cheap = PriceList("Cheap", (_liquid(100, "20.00"),))
    order = CostEstimate(PLAN, [LIQUID_SHOP, cheap], "liquid").fit()
    assert [p.pharmacy for p in order.pharmacies] == ["Cheap", "Liquid Pharmacy"]
    assert order.cheapest().trial_12_weeks.total == Money(Decimal(120), "USD")


@pytest.mark.parametrize("rate", ["0", "1.2", "-0.1"])
def test_responder_rate_must_be_a_proportion(rate: str) -> None:
    with pytest.raises(PriceListError, match=r"must be in \(0, 1\]"):
        CostEstimate(PLAN, [LIQUID_SHOP], "liquid", responder_rate=rate)


def test_price_lists_refuse_mixed_currencies_and_incomplete_entries() -> None:
    with pytest.raises(PriceListError, match="mix currencies"):
        PriceList("Mixed", (_caps("4.5", 30, "40", "USD"), _caps("1.5", 30, "30", "GBP")))
    with pytest.raises(PriceListError, match="in_use_days"):
        PriceListEntry(
            ProductForm.LIQUID,
            ml(100),
            Money(Decimal(20), "USD"),
            concentration_mg_per_ml=Decimal(1),
        )
    with pytest.raises(PriceListError, match="ISO 4217"):
        Money(Decimal(1), "dollars")


def test_a_dose_no_listed_capsule_makes_is_refused() -> None:
    only_45 = PriceList("Only 4.5", (_caps("4.5", 30, "40.00"),))
    with pytest.raises(PriceListError, match=r"no price for 1\.5 mg capsules"):
        CostEstimate(PLAN, [only_45], "capsule").fit()
