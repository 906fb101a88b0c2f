"""Cost per pharmacy: the cheapest whole packs over the plan (in-use limits and waste counted),
at most two capsules a dose, the true monthly average, the cost per extra responder compared with
placebo, and currencies that are never compared. Issue 16's examples are pinned in
``tests/reference/pharmacy_cost_cases.json`` with their derivations."""

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

from lowdose.evidence import ldn_responder_benefit
from lowdose.meta.number_needed import NumberNeededToTreat
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
from lowdose.pharmacy.packs import cheapest_purchase, steady_daily_cost
from lowdose.regimens import TitrationStep, get_protocol

REFERENCE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "reference" / "pharmacy_cost_cases.json").read_text("utf-8")
)
START = date(2025, 1, 6)
PLAN = get_protocol("ldnrt-standard").schedule(START)


def _flat(dose: str) -> tuple[TitrationStep, ...]:
    return (TitrationStep(start=START, end=None, dose_mg=Decimal(dose)),)


def _caps(strength: str, count: int, price: str, currency: str = "USD") -> PriceListEntry:
    return PriceListEntry(
        ProductForm.CAPSULE,
        Quantity(Decimal(count), Unit.CAPSULE),
        Money(Decimal(price), currency),
        strength_mg=Decimal(strength),
    )


def _liquid(volume: int, price: str, days: int = 14, conc: str = "1") -> PriceListEntry:
    return PriceListEntry(
        ProductForm.LIQUID,
        ml(volume),
        Money(Decimal(price), "USD"),
        concentration_mg_per_ml=Decimal(conc),
        in_use_days=days,
    )


def _usd(amount: str, currency: str = "USD") -> Money:
    return Money(Decimal(amount), currency)


LIQUID_SHOP = PriceList("Liquid Pharmacy", (_liquid(100, "25.00"),))
CAPSULE_SHOP = PriceList("Capsule Pharmacy", (_caps("0.5", 30, "45.00"), _caps("4.5", 30, "40.00")))


# --- issue 16's reference cases -----------------------------------------------------------------


def test_bottles_are_chosen_for_the_whole_plan_counting_what_is_thrown_away() -> None:
    ref = REFERENCE["liquid_waste_counts"]
    both = PriceList("Both", (_liquid(30, "15.00"), _liquid(120, "40.00")))
    (shop,) = CostEstimate(_flat("1.5"), [both], "liquid").fit().pharmacies
    (line,) = shop.trial_12_weeks.lines
    assert line.entry.pack == ml(30)
    assert line.packs == ref["trial_packs"]
    assert shop.trial_12_weeks.total == _usd(ref["trial_total"])
    assert line.left_over == ml(ref["trial_left_over_ml"])
    assert shop.monthly == _usd(ref["monthly"])
    only_big = PriceList("Big", (_liquid(120, "40.00"),))
    (big,) = CostEstimate(_flat("1.5"), [only_big], "liquid").fit().pharmacies
    assert big.trial_12_weeks.total == _usd(ref["only_120_ml_trial_total"])


def test_at_most_two_capsules_a_dose_unless_the_prescriber_asks() -> None:
    ref = REFERENCE["capsules_per_dose"]
    shop = PriceList("Shop", (_caps("0.5", 100, "10.00"), _caps("4.5", 30, "45.00")))
    (default,) = CostEstimate(_flat("4.5"), [shop], "capsule").fit().pharmacies
    assert [d.capsules_mg for d in default.trial_12_weeks.doses] == [(Decimal("4.5"),)]
    assert default.trial_12_weeks.total == _usd(ref["default_trial_total"])
    assert default.monthly == _usd(ref["default_monthly"])
    (asked,) = (
        CostEstimate(_flat("4.5"), [shop], "capsule", max_capsules_per_dose=9).fit().pharmacies
    )
    assert [str(d) for d in asked.trial_12_weeks.doses] == ["4.5 mg: 9 × 0.5 mg capsules"]
    assert asked.trial_12_weeks.total == _usd(ref["nine_allowed_trial_total"])
    assert asked.monthly == _usd(ref["nine_allowed_monthly"])
    with pytest.raises(PriceListError) as caught:
        CostEstimate(_flat("4.5"), [shop], "capsule", capsule_strength_mg="0.5").fit()
    assert str(caught.value).startswith(
        "a 4.5 mg dose would be 9 capsules of 0.5 mg; at most 2 capsules a dose unless the "
        "prescriber asks for more."
    )


def test_monthly_is_the_true_average_not_whole_packs_over_360_days() -> None:
    ref = REFERENCE["monthly_true_average"]
    shop = PriceList("Hundreds", (_caps("4.5", 100, "100.00"),))
    (one,) = CostEstimate(_flat("4.5"), [shop], "capsule").fit().pharmacies
    assert one.monthly == _usd(ref["monthly"])
    assert one.monthly != _usd(ref["old_monthly"])
    daily = steady_daily_cost(Decimal("4.5"), shop, ProductForm.CAPSULE)
    assert daily * 30 == Fraction(Decimal(ref["per_30_days"]))


def test_cost_per_extra_responder_compared_with_placebo() -> None:
    ref = REFERENCE["per_extra_responder"]
    benefit = ldn_responder_benefit()
    assert benefit is not None
    assert [benefit.drug_responders, benefit.drug_total] == ref["drug"]
    assert [benefit.placebo_responders, benefit.placebo_total] == ref["placebo"]
    assert benefit.risk_difference == Fraction(ref["risk_difference"])
    assert benefit.nnt == Fraction(ref["nnt"])
    assert benefit.rd_interval == pytest.approx(ref["rd_ci"], abs=1e-9)
    assert benefit.nnt_benefit_from == pytest.approx(ref["nnt_benefit_from"], abs=1e-9)
    assert benefit.nnt_harm_from == pytest.approx(ref["nnt_harm_from"], abs=1e-9)
    assert benefit.nnt_benefit_to is None  # the interval runs through infinity
    both = PriceList("Both", (_liquid(30, "15.00"), _liquid(120, "40.00")))
    (shop,) = CostEstimate(_flat("1.5"), [both], "liquid", benefit=benefit).fit().pharmacies
    assert shop.trial_12_weeks.total == _usd(ref["trial_cost"])
    extra = shop.per_extra_responder
    assert extra is not None
    assert extra.estimate == _usd(ref["estimate"])
    assert extra.lower == _usd(ref["lower"])
    assert extra.upper is None
    assert ref["upper"] is None
    assert extra.estimate != _usd(ref["old_per_responder"])
    assert extra.sentence() == (
        "532.61 USD, at least 262.82 USD; no upper limit: the trial cannot exclude that LDN adds "
        "no responders over placebo."
    )
    assert extra.to_dict()["label"] == "cost per extra responder compared with placebo"


def test_a_finite_interval_when_the_trial_excludes_no_difference() -> None:
    # 30/50 against 10/50: RD = 0.4, NNT = 2.5; the interval excludes 0, so both limits exist.
    benefit = NumberNeededToTreat(30, 50, 10, 50)
    (shop,) = CostEstimate(PLAN, [LIQUID_SHOP], "liquid", benefit=benefit).fit().pharmacies
    extra = shop.per_extra_responder
    assert extra is not None
    assert extra.lower is not None
    assert extra.upper is not None
    assert extra.estimate == _usd("375.00")  # 150.00 x 2.5
    lo, hi = benefit.rd_interval
    assert extra.lower == Money(Decimal(150) / Decimal(hi), "USD").rounded()
    assert extra.upper == Money(Decimal(150) / Decimal(lo), "USD").rounded()
    assert "95% CI" in extra.sentence()
    none = NumberNeededToTreat(10, 50, 10, 50)
    (flat,) = CostEstimate(PLAN, [LIQUID_SHOP], "liquid", benefit=none).fit().pharmacies
    assert flat.per_extra_responder is not None
    assert flat.per_extra_responder.estimate is None


def test_currencies_are_grouped_never_ranked_against_each_other() -> None:
    us = PriceList("Dollars", (_caps("4.5", 30, "10.00"),))
    eu = PriceList("Euros", (_caps("4.5", 30, "100.00", "EUR"),))
    result = CostEstimate(_flat("4.5"), [us, eu], "capsule").fit()
    assert result.currencies == ("EUR", "USD")
    with pytest.raises(PriceListError, match="not compared"):
        result.cheapest()
    assert result.cheapest("USD").pharmacy == "Dollars"
    assert result.cheapest("EUR").pharmacy == "Euros"
    with pytest.raises(PriceListError, match="currencies differ"):
        _ = result.in_currency("USD")[0].monthly < result.in_currency("EUR")[0].monthly
    assert "In USD (not compared with other currencies):" in result.summary()


def test_amounts_use_the_currencys_minor_units() -> None:
    ref = REFERENCE["currencies"]
    for code, digits in ref["minor_units"].items():
        assert Money(Decimal(1), code).minor_units == digits
    for text, (amount, code) in ref["formatted"].items():
        assert str(Money(Decimal(amount), code)) == text
    for code in ref["refused"]:
        with pytest.raises(PriceListError, match="ISO 4217"):
            Money(Decimal(1), code)
    jp = PriceList("Tokyo", (_caps("4.5", 30, "1000", "JPY"),))
    bh = PriceList("Manama", (_caps("4.5", 30, "7.125", "BHD"),))
    result = CostEstimate(_flat("4.5"), [jp, bh], "capsule").fit()
    assert str(result.cheapest("JPY").monthly) == f"{ref['jpy_monthly']} JPY"
    assert str(result.cheapest("BHD").monthly) == f"{ref['bhd_monthly']} BHD"
    with pytest.raises(PriceListError, match="JPY has no decimals"):
        _caps("4.5", 30, "1000.50", "JPY")


# --- the search itself --------------------------------------------------------------------------


def test_liquid_bottles_are_replaced_at_their_beyond_use_date() -> None:
    (shop,) = CostEstimate(PLAN, [LIQUID_SHOP], "liquid").fit().pharmacies
    # 84 days, at most 4 mL/day: a 100 mL bottle lasts its 14 in-use days -> 6 bottles
    assert shop.trial_12_weeks.lines[0].packs == 6
    assert shop.trial_12_weeks.total == _usd("150")
    # 365 days -> ceil(365 / 14) = 27 bottles (4.5 mL x 14 = 63 mL < 100 mL)
    assert shop.yearly.total == _usd("675")
    # steady state at 4.5 mg: a bottle lasts 14 days, 25/14 x 30.4375 = 54.352... -> 54.35
    assert shop.monthly == _usd("54.35")


def test_a_large_bottle_runs_out_before_its_bud_when_doses_are_large() -> None:
    big = PriceList("Big", (_liquid(30, "10.00", days=35),))
    plan = get_protocol("trial-6mg").schedule(START)
    (shop,) = CostEstimate(plan, [big], "liquid").fit().pharmacies
    packs = shop.trial_12_weeks.lines[0].packs
    assert packs >= 441 // 30 + 1  # 441 mL over 84 days from 30 mL bottles
    assert shop.trial_12_weeks.total == _usd("10.00") * packs


#: A price for each strength the standard plan uses, 1.5–4.5 mg.
EVERY_STRENGTH = PriceList(
    "Every Strength",
    tuple(_caps(str(Decimal("1.5") + Decimal("0.5") * k), 30, "30.00") for k in range(7)),
)


def test_two_capsules_are_combined_when_that_saves_a_pack() -> None:
    (shop,) = CostEstimate(PLAN, [EVERY_STRENGTH], "capsule").fit().pharmacies
    # 14 days at each of 1.5 ... 4 mg. One capsule per dose needs six packs (180.00); taking
    # 3.5 mg as 2 + 1.5 uses 28 of the 30 in the 1.5 and 2 mg packs: five packs, 150.00.
    assert [(line.entry.strength_mg, line.packs) for line in shop.trial_12_weeks.lines] == [
        (Decimal(s), 1) for s in ("1.5", "2", "2.5", "3", "4")
    ]
    assert shop.trial_12_weeks.total == _usd("150")
    doses = {d.dose_mg: d.capsules_mg for d in shop.trial_12_weeks.doses}
    assert doses[Decimal("3.5")] == (Decimal("2"), Decimal("1.5"))
    assert doses[Decimal("3")] == (Decimal("3"),)  # 1.5 + 1.5 costs the same: fewer capsules
    assert shop.monthly == _usd("30.44")  # 1.00 a capsule x 30.4375


def test_a_dose_no_listed_capsules_make_is_refused() -> None:
    with pytest.raises(PriceListError) as caught:
        CostEstimate(PLAN, [CAPSULE_SHOP], "capsule").fit()
    assert str(caught.value) == (
        "Capsule Pharmacy publishes no capsule strength that makes the 1.5 mg dose in at most 2 "
        "capsules; ask the pharmacy to publish 1.5 mg capsules, or price the oral liquid."
    )


def test_a_capsule_only_pharmacy_cannot_price_a_liquid() -> None:
    with pytest.raises(PriceListError, match="no oral liquid"):
        CostEstimate(PLAN, [CAPSULE_SHOP, LIQUID_SHOP], "liquid").fit()


def test_pharmacies_are_sorted_by_trial_cost_within_a_currency() -> None:
    cheap = PriceList("Cheap", (_liquid(100, "20.00"),))
    order = CostEstimate(PLAN, [LIQUID_SHOP, cheap], "liquid").fit()
    assert [p.pharmacy for p in order.pharmacies] == ["Cheap", "Liquid Pharmacy"]
    assert order.cheapest().trial_12_weeks.total == _usd("120")


def test_options_are_checked() -> None:
    with pytest.raises(PriceListError, match="NumberNeededToTreat"):
        CostEstimate(PLAN, [LIQUID_SHOP], "liquid", benefit="0.3")  # type: ignore[arg-type]
    with pytest.raises(PriceListError, match="whole number"):
        CostEstimate(PLAN, [LIQUID_SHOP], "liquid", max_capsules_per_dose=0)


def test_price_lists_refuse_mixed_currencies_and_incomplete_entries() -> None:
    with pytest.raises(PriceListError, match="mix currencies"):
        PriceList("Mixed", (_caps("4.5", 30, "40", "USD"), _caps("1.5", 30, "30", "GBP")))
    with pytest.raises(PriceListError, match="in_use_days"):
        PriceListEntry(ProductForm.LIQUID, ml(100), _usd("20"), concentration_mg_per_ml=Decimal(1))
    with pytest.raises(PriceListError, match="ISO 4217"):
        Money(Decimal(1), "dollars")


# --- properties ---------------------------------------------------------------------------------


def _single_bottle_cost(doses: list[Decimal], bottle: PriceListEntry) -> Decimal | None:
    """The old way: one bottle type, a new one when empty or expired."""
    count, left, age = 0, Fraction(0), 0
    for dose in doses:
        volume = Fraction(dose) / bottle.per_unit_mg
        if volume > Fraction(bottle.pack.value):
            return None
        if count == 0 or volume > left or age >= (bottle.in_use_days or 0):
            count, left, age = count + 1, Fraction(bottle.pack.value), 0
        left, age = left - volume, age + 1
    return bottle.price.amount * count


bottles = st.builds(
    _liquid,
    st.sampled_from([10, 30, 50, 100, 120]),
    st.sampled_from(["5.00", "12.50", "15.00", "25.00", "40.00"]),
    st.sampled_from([7, 14, 35]),
)
dose_days = st.lists(st.sampled_from(["0.5", "1.5", "3", "4.5"]), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(st.lists(bottles, min_size=1, max_size=3), dose_days)
def test_the_bottle_search_never_costs_more_than_any_single_bottle_type(
    entries: list[PriceListEntry], doses: list[str]
) -> None:
    days = [(START, Decimal(d)) for d in doses]
    shop = PriceList("P", tuple(entries))
    singles = [
        c for e in entries if (c := _single_bottle_cost([d for _, d in days], e)) is not None
    ]
    try:
        result = cheapest_purchase(days, shop, ProductForm.LIQUID)
    except PriceListError:
        assert not singles
        return
    assert singles
    assert result.total.amount <= min(singles)
    assert result.total.amount == sum(line.cost.amount for line in result.lines)


strengths = st.lists(st.sampled_from(["0.5", "1", "1.5", "2", "3", "4.5"]), min_size=1, unique=True)


@settings(max_examples=60, deadline=None)
@given(
    strengths,
    st.lists(st.sampled_from([10, 30, 60, 100]), min_size=1, max_size=2),
    st.lists(st.sampled_from(["1", "1.5", "2", "3", "4.5"]), min_size=1, max_size=40),
)
def test_the_capsule_search_covers_every_dose_with_at_most_two_capsules(
    listed: list[str], sizes: list[int], doses: list[str]
) -> None:
    entries = tuple(
        _caps(s, n, str(Decimal(n) * Decimal(s) / 2 + Decimal(k)))
        for s in listed
        for k, n in enumerate(sizes)
    )
    days = [(START, Decimal(d)) for d in doses]
    try:
        result = cheapest_purchase(days, PriceList("P", entries), ProductForm.CAPSULE)
    except PriceListError:
        return
    for d in result.doses:
        assert 1 <= len(d.capsules_mg) <= 2
        assert sum(d.capsules_mg) == d.dose_mg
    taken = {d.dose_mg: d.capsules_mg for d in result.doses}
    need: dict[Decimal, int] = {}
    for _, dose in days:
        for s in taken[dose]:
            need[s] = need.get(s, 0) + 1
    bought: dict[Decimal, int] = {}
    for line in result.lines:
        s = line.entry.strength_mg or Decimal(0)
        bought[s] = bought.get(s, 0) + line.packs * int(line.entry.pack.value)
    assert all(bought.get(s, 0) >= n for s, n in need.items())
    # never dearer than one capsule per dose where the pharmacy lists every dose's strength
    if all(Decimal(d) in {Decimal(s) for s in listed} for d in doses):
        per_dose = Decimal(0)
        for s in {Decimal(d) for d in doses}:
            n = sum(1 for d in doses if Decimal(d) == s)
            per_dose += min(
                e.price.amount * math.ceil(n / int(e.pack.value))
                for e in entries
                if e.strength_mg == s
            )
        assert result.total.amount <= per_dose


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 60), st.integers(1, 60), st.integers(0, 60), st.integers(1, 60))
def test_newcombe_interval_matches_statsmodels(a: int, n1: int, c: int, n2: int) -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep

    a, c = min(a, n1), min(c, n2)
    ours = NumberNeededToTreat(a, n1, c, n2).rd_interval
    theirs = confint_proportions_2indep(a, n1, c, n2, method="newcomb", compare="diff")
    assert ours == pytest.approx(tuple(float(x) for x in theirs), abs=1e-9)


@given(
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False),
    st.sampled_from(["JPY", "USD", "BHD", "CLF"]),
)
def test_money_shows_exactly_the_minor_units_when_it_can(amount: Decimal, code: str) -> None:
    money = Money(amount, code)
    text, shown = str(money), money.to_dict()["amount"]
    assert text == f"{shown} {code}"
    assert Decimal(shown) == amount  # never rounded when shown
    if money.is_whole_minor_units():
        assert len(shown.partition(".")[2]) == money.minor_units
    assert abs(money.rounded().amount - amount) <= money.quantum / 2
