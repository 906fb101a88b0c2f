"""Whole-titration quantities, unit safety and dispensing records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.pharmacy import (
    CapsuleCompounding,
    CompoundingError,
    Concentration,
    Money,
    PharmacyError,
    PriceListError,
    Quantity,
    Syringe,
    Unit,
    UnitMismatchError,
    capsule_supply,
    dispense,
    liquid_supply,
    mg,
    ml,
    titration_directions,
)
from lowdose.regimens import custom_protocol, daily_doses, extend_through, get_protocol

START = date(2025, 1, 6)


def test_liquid_supply_for_twelve_weeks_of_the_standard_plan() -> None:
    plan = get_protocol("ldnrt-standard").schedule(START, through=START + timedelta(days=83))
    supply = liquid_supply(plan, "1")
    assert supply.total_mg == mg(231)  # 14 x (1.5 + 2 + 2.5 + 3 + 3.5 + 4)
    assert supply.totals == (("1 mg/mL oral liquid", ml(231)),)
    assert supply.lines[0].per_dose == ml("1.5")
    assert supply.lines[0].step_total == ml(21)


def test_capsule_supply_by_strength_and_with_one_strength() -> None:
    plan = get_protocol("trial-6mg").schedule(START)
    per_dose = capsule_supply(plan)
    assert dict(per_dose.totals) == {
        "naltrexone HCl 1.5 mg capsules": Quantity(Decimal(7), Unit.CAPSULE),
        "naltrexone HCl 3 mg capsules": Quantity(Decimal(7), Unit.CAPSULE),
        "naltrexone HCl 4.5 mg capsules": Quantity(Decimal(7), Unit.CAPSULE),
        "naltrexone HCl 6 mg capsules": Quantity(Decimal(63), Unit.CAPSULE),
    }
    one = capsule_supply(plan, "1.5")
    assert one.totals == (("naltrexone HCl 1.5 mg capsules", Quantity(Decimal(294), Unit.CAPSULE)),)
    assert one.total_mg == per_dose.total_mg == mg(441)


def test_capsule_strength_that_does_not_divide_a_dose_is_refused() -> None:
    plan = get_protocol("ldnrt-standard").schedule(START, through=date(2025, 2, 28))
    with pytest.raises(CompoundingError, match=r"2 mg dose is not a whole number of 1\.5 mg"):
        capsule_supply(plan, "1.5")


def test_liquid_supply_refuses_a_dose_the_syringe_cannot_measure() -> None:
    plan = get_protocol("trial-6mg").schedule(START)
    with pytest.raises(CompoundingError, match="more than the 5 mL syringe"):
        liquid_supply(plan, "1")  # 6 mg = 6 mL
    ten = Syringe(capacity=ml(10), graduation=ml("0.1"))
    assert liquid_supply(plan, "1", syringe=ten).total_mg == mg(441)  # 6 mL fits a 10 mL syringe


def test_open_ended_plan_must_be_cut_before_counting() -> None:
    with pytest.raises(CompoundingError, match="extend_through"):
        liquid_supply(get_protocol("ldnrt-slow").schedule(START), "1")


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["0.5", "1", "1.5", "2", "3", "4.5", "6"]), st.integers(1, 30)),
        min_size=1,
        max_size=6,
    ),
    conc=st.sampled_from(["0.5", "1", "2", "5"]),
)
def test_supply_totals_always_equal_the_sum_of_daily_doses(
    steps: list[tuple[str, int]], conc: str
) -> None:
    plan = custom_protocol([(Decimal(d), n) for d, n in steps]).schedule(START)
    expected = sum((dose for _, dose in daily_doses(plan)), Decimal(0))
    caps = capsule_supply(plan, "0.5")
    assert caps.total_mg == mg(expected)
    ((_, count),) = caps.totals
    assert count.unit is Unit.CAPSULE
    assert count.value * Decimal("0.5") == expected
    try:
        liquid = liquid_supply(plan, conc)
    except CompoundingError:
        return  # a dose over the syringe: refused, tested above
    ((_, volume),) = liquid.totals
    assert liquid.total_mg == mg(expected)
    assert Concentration(Decimal(conc)).mass_in(volume) == mg(expected)


# -- units never mix ---------------------------------------------------------------------------


@given(a=st.sampled_from(list(Unit)), b=st.sampled_from(list(Unit)), x=st.integers(0, 1000))
def test_quantities_of_different_units_never_combine(a: Unit, b: Unit, x: int) -> None:
    left, right = Quantity(Decimal(x), a), Quantity(Decimal(x), b)
    if a is b:
        assert (left + right).value == 2 * x
        return
    with pytest.raises(UnitMismatchError):
        left + right
    with pytest.raises(UnitMismatchError):
        _ = left < right


def test_floats_never_enter_a_quantity() -> None:
    with pytest.raises(UnitMismatchError):
        Quantity(1.5, Unit.MG)  # type: ignore[arg-type]
    with pytest.raises(UnitMismatchError):
        mg(1) * 1.5  # type: ignore[operator]
    with pytest.raises(UnitMismatchError, match="whole"):
        Quantity(Decimal("1.5"), Unit.CAPSULE)


def test_concentration_converts_only_mass_to_volume() -> None:
    one = Concentration(Decimal(1))
    assert one.volume_for(mg("4.5")) == ml("4.5")
    with pytest.raises(UnitMismatchError):
        one.volume_for(ml(1))


def test_money_of_different_currencies_never_adds() -> None:
    with pytest.raises(PriceListError, match="currencies differ"):
        Money(Decimal(1), "USD") + Money(Decimal(1), "GBP")
    assert str(Money(Decimal(150), "USD")) == "150.00 USD"


# -- dispensing --------------------------------------------------------------------------------


def test_dispensing_record_carries_the_bud_and_refuses_expired_or_naive_times() -> None:
    sheet = CapsuleCompounding("4.5", 30, "api", compounded_on=date(2025, 1, 6)).fit()
    record = dispense(
        sheet,
        prescription_ref="rx-1",
        patient_ref="Patient/1",
        lot="L001",
        pharmacist="P. Harmacist",
        dispensed_at=datetime(2025, 1, 7, 10, tzinfo=UTC),
    )
    assert record.beyond_use_date == date(2025, 7, 5)
    assert record.to_dict()["quantity"] == {"quantity": "30", "unit": "capsule"}
    with pytest.raises(PharmacyError, match="beyond-use date"):
        dispense(
            sheet,
            prescription_ref="rx-1",
            patient_ref="Patient/1",
            lot="L001",
            pharmacist="P",
            dispensed_at=datetime(2025, 7, 5, tzinfo=UTC),
        )
    with pytest.raises(PharmacyError, match="time zone"):
        dispense(
            sheet,
            prescription_ref="rx-1",
            patient_ref="Patient/1",
            lot="L001",
            pharmacist="P",
            dispensed_at=datetime(2025, 1, 7),
        )
    undated = CapsuleCompounding("4.5", 30, "api").fit()
    with pytest.raises(PharmacyError, match="compounded_on"):
        dispense(
            undated,
            prescription_ref="rx-1",
            patient_ref="Patient/1",
            lot="L1",
            pharmacist="P",
            dispensed_at=datetime(2025, 1, 7, tzinfo=UTC),
        )


def test_extend_through_then_supply_is_consistent_with_the_plan() -> None:
    plan = extend_through(get_protocol("ldnrt-slow").schedule(START), date(2025, 3, 2))
    assert liquid_supply(plan, "1").total_mg == mg(126)  # 7 x 18


def test_label_directions_follow_the_plan_with_exact_volumes_and_counts() -> None:
    plan = get_protocol("trial-6mg").schedule(START)
    text = titration_directions(plan[:2], concentration_mg_per_ml="1")
    assert text == (
        "take 1.5 mL (1.5 mg) by mouth at bedtime from 2025-01-06 to 2025-01-12; then "
        "take 3 mL (3 mg) by mouth at bedtime from 2025-01-13 to 2025-01-19"
    )
    caps = titration_directions(plan[1:2], capsule_strength_mg="1.5")
    assert caps.startswith("take 2 capsules (3 mg) by mouth at bedtime")
    with pytest.raises(CompoundingError, match="whole number"):
        titration_directions(plan[:1], capsule_strength_mg="1")
