"""A supply covers the plan it prints (it reaches the target dose), and a first dose far ahead or
in the past is refused with the dates that are accepted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lowdose.regimens import (
    RegimenError,
    check_start,
    check_supply_covers,
    custom_protocol,
    default_supply_days,
    get_protocol,
    supply_coverage,
)

START = date(2026, 12, 6)


def test_84_days_of_the_standard_plan_end_on_4_mg_a_day_before_the_target() -> None:
    # 1.5 mg for 14 days, then +0.5 mg every 14 days: six steps of 14 days before 4.5 mg.
    coverage = supply_coverage(get_protocol("ldnrt-standard"), START, 84)

    assert not coverage.covers
    assert coverage.last_dose_mg == Decimal("4")
    assert coverage.target_day == 85
    assert coverage.target_on == date(2027, 2, 28)
    assert coverage.last_day == date(2027, 2, 27)
    assert coverage.message() == (
        "This supply ends on 2027-02-27 (day 84) at 4 mg; the plan reaches its 4.5 mg target on "
        "2027-02-28 (day 85). Choose a supply of at least 85 days, or a plan that reaches its "
        "target sooner."
    )


def test_a_supply_that_reaches_the_target_covers_the_plan() -> None:
    coverage = check_supply_covers(get_protocol("ldnrt-standard"), START, 85)

    assert coverage.covers
    assert coverage.last_dose_mg == Decimal("4.5")
    assert coverage.message() == ""


def test_a_short_supply_is_refused_on_the_supply_field() -> None:
    with pytest.raises(RegimenError, match="at least 85 days") as caught:
        check_supply_covers(get_protocol("ldnrt-standard"), START, 84)
    assert caught.value.field == "supply_days"


def test_the_default_supply_is_the_titration_plus_four_weeks_at_the_target() -> None:
    assert default_supply_days(get_protocol("ldnrt-standard")) == 84 + 28
    assert default_supply_days(get_protocol("ldnrt-slow")) == 56 + 28
    assert default_supply_days(get_protocol("ldnrt-standard"), ceiling=100) == 100


def test_a_maintenance_plan_is_covered_from_its_first_day() -> None:
    plan = custom_protocol([(Decimal("4.5"), None)])

    assert check_supply_covers(plan, START, 1).target_day == 1


@given(
    steps=st.lists(st.integers(min_value=1, max_value=30), min_size=0, max_size=6),
    supply=st.integers(min_value=1, max_value=200),
)
def test_a_supply_covers_exactly_when_its_last_day_is_on_the_target(
    steps: list[int], supply: int
) -> None:
    doses = [Decimal("0.5") * (i + 1) for i in range(len(steps) + 1)]
    plan = custom_protocol([*zip(doses, steps, strict=False), (doses[-1], None)])

    coverage = supply_coverage(plan, START, supply)

    assert coverage.covers == (coverage.last_dose_mg == plan.target_dose_mg)


def test_a_first_dose_from_today_to_90_days_ahead_is_accepted() -> None:
    assert check_start(START, START) == START
    assert check_start(START + timedelta(days=90), START) == START + timedelta(days=90)


def test_a_first_dose_in_2035_is_refused_with_the_latest_date_accepted() -> None:
    with pytest.raises(RegimenError) as caught:
        check_start(date(2035, 12, 6), START)

    assert caught.value.field == "start"
    assert "more than 90 days ahead; choose a date up to 2027-03-06" in str(caught.value)


def test_a_first_dose_in_the_past_is_refused() -> None:
    with pytest.raises(RegimenError, match="in the past; start today") as caught:
        check_start(START - timedelta(days=1), START)
    assert caught.value.field == "start"
