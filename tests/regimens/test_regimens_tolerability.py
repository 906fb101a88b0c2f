"""Tolerability rules: hold, step back, move to the morning: exact dates after each rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.regimens import (
    DoseTime,
    RegimenError,
    TitrationStep,
    extend_through,
    get_protocol,
    hold_dose,
    move_to_morning,
    step_back,
    validate_schedule,
)

START = date(2025, 1, 6)
STANDARD = get_protocol("ldnrt-standard").schedule(START)


def _rows(plan: tuple[TitrationStep, ...]) -> list[tuple[str, str | None, str, str]]:
    return [
        (s.start.isoformat(), s.end.isoformat() if s.end else None, str(s.dose_mg), s.time.value)
        for s in plan
    ]


def test_hold_extends_the_current_step_and_shifts_the_rest() -> None:
    held = hold_dose(STANDARD, on=date(2025, 1, 22), days=7)
    assert _rows(held)[:3] == [
        ("2025-01-06", "2025-01-19", "1.5", "bedtime"),
        ("2025-01-20", "2025-02-09", "2", "bedtime"),  # 14 + 7 days
        ("2025-02-10", "2025-02-23", "2.5", "bedtime"),
    ]
    assert held[-1].start == date(2025, 4, 7)  # was 2025-03-31, one week later
    assert "held 7 more days at 2 mg" in held[1].note


def test_hold_in_the_open_final_step_is_refused() -> None:
    with pytest.raises(RegimenError, match="no increase to hold back"):
        hold_dose(STANDARD, on=date(2025, 6, 1), days=7)


def test_step_back_returns_to_the_previous_dose_then_retries_in_full() -> None:
    backed = step_back(STANDARD, on=date(2025, 1, 25), days=7)
    assert _rows(backed)[:5] == [
        ("2025-01-06", "2025-01-19", "1.5", "bedtime"),
        ("2025-01-20", "2025-01-24", "2", "bedtime"),  # 5 days taken before side effects
        ("2025-01-25", "2025-01-31", "1.5", "bedtime"),  # 7 days back at 1.5 mg
        ("2025-02-01", "2025-02-14", "2", "bedtime"),  # full 14-day re-try
        ("2025-02-15", "2025-02-28", "2.5", "bedtime"),
    ]
    # later starts move by elapsed (5) + step-back (7) = 12 days
    assert backed[-1].start == date(2025, 4, 12)


def test_step_back_on_the_first_day_of_a_step_leaves_no_empty_step() -> None:
    backed = step_back(STANDARD, on=date(2025, 1, 20), days=3)
    assert _rows(backed)[1:3] == [
        ("2025-01-20", "2025-01-22", "1.5", "bedtime"),
        ("2025-01-23", "2025-02-05", "2", "bedtime"),
    ]


def test_step_back_in_the_open_final_step_stays_open() -> None:
    backed = step_back(STANDARD, on=date(2025, 4, 2), days=14)
    assert _rows(backed)[-3:] == [
        ("2025-03-31", "2025-04-01", "4.5", "bedtime"),
        ("2025-04-02", "2025-04-15", "4", "bedtime"),
        ("2025-04-16", None, "4.5", "bedtime"),
    ]


def test_step_back_from_the_first_step_is_refused_with_alternatives() -> None:
    with pytest.raises(RegimenError, match="no lower dose") as info:
        step_back(STANDARD, on=date(2025, 1, 8), days=7)
    assert "stop and consult" in str(info.value)


def test_move_to_morning_splits_the_current_step_and_keeps_doses_and_dates() -> None:
    moved = move_to_morning(STANDARD, on=date(2025, 1, 10))
    assert _rows(moved)[:3] == [
        ("2025-01-06", "2025-01-09", "1.5", "bedtime"),
        ("2025-01-10", "2025-01-19", "1.5", "morning"),
        ("2025-01-20", "2025-02-02", "2", "morning"),
    ]
    assert all(s.time is DoseTime.MORNING for s in moved[1:])
    assert moved[-1].start == STANDARD[-1].start


def test_move_to_morning_twice_changes_nothing_more() -> None:
    once = move_to_morning(STANDARD, on=START)
    assert move_to_morning(once, on=date(2025, 2, 1)) == once


def test_dates_outside_the_plan_are_refused() -> None:
    with pytest.raises(RegimenError, match="outside the plan"):
        hold_dose(STANDARD, on=date(2024, 12, 31), days=3)


@pytest.mark.parametrize("days", [0, -2, True])
def test_non_positive_lengths_are_refused(days: int) -> None:
    with pytest.raises(RegimenError, match="whole number of days"):
        hold_dose(STANDARD, on=date(2025, 1, 22), days=days)


@settings(max_examples=60, deadline=None)
@given(
    offset=st.integers(min_value=14, max_value=200),
    days=st.integers(min_value=1, max_value=30),
    rule=st.sampled_from(["hold", "back", "morning"]),
)
def test_every_rule_keeps_the_plan_contiguous_and_records_why(
    offset: int, days: int, rule: str
) -> None:
    plan = extend_through(STANDARD, date(2025, 12, 31))
    on = date.fromordinal(START.toordinal() + offset)
    if rule == "hold":
        result = hold_dose(plan, on, days)
    elif rule == "back":
        result = step_back(plan, on, days)
    else:
        result = move_to_morning(plan, on)
    assert validate_schedule(result) == result
    assert result[0].start == START
    assert any(s.note for s in result)
    assert all(s.dose_mg in {p.dose_mg for p in plan} for s in result)
    assert all(isinstance(s.dose_mg, Decimal) for s in result)
