"""The dose to continue from: what was dispensed and what the diary says, the lower when they
disagree, nothing after a break; and a protocol started from that dose."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from lowdose.regimens import (
    RegimenError,
    TitrationStep,
    continue_from,
    current_dose,
    custom_protocol,
    get_protocol,
)

TODAY = date(2026, 12, 6)
D = Decimal


def _weekly_titration(start: date) -> tuple[TitrationStep, ...]:
    """1.5 mg rising 0.5 mg a week to 4.5 mg, as the demo patient took it."""
    steps = [(D("1.5") + D("0.5") * k, 7) for k in range(6)]
    return custom_protocol([*steps, (D("4.5"), None)]).schedule(
        start, through=start + timedelta(days=89)
    )


def _diary(first: date, last: date, dose: Decimal, *, skip: int = 0) -> list[tuple[date, Decimal]]:
    days = (last - first).days + 1
    return [(first + timedelta(days=i), dose) for i in range(days) if not (skip and i % skip == 5)]


def test_a_patient_on_4_5_mg_since_november_continues_at_4_5_mg() -> None:
    plan = _weekly_titration(date(2026, 9, 21))  # 4.5 mg from 2026-11-02
    diary = [
        *_diary(date(2026, 10, 26), date(2026, 11, 1), D("4")),
        *_diary(date(2026, 11, 2), TODAY - timedelta(days=1), D("4.5"), skip=10),
    ]

    current = current_dose([plan], diary, TODAY)

    assert current is not None
    assert current.dose_mg == D("4.5")
    assert current.since == date(2026, 11, 2)
    assert current.prescribed_mg == D("4.5")
    assert current.diary_mg == D("4.5")
    assert current.diary_days == 12  # 13 diary days in the window, one missed (27 Nov)
    assert current.reason == (
        "The diary records 4.5 mg on 12 of the last 14 days, since 2026-11-02, as the dispensed "
        "plan gives."
    )


def test_nothing_dispensed_and_no_diary_dose_means_start_from_the_beginning() -> None:
    assert current_dose([], [], TODAY) is None


def test_a_break_longer_than_the_window_means_nothing_is_current() -> None:
    ended = get_protocol("ldnrt-standard").schedule(date(2026, 6, 1), through=date(2026, 10, 31))
    old_diary = _diary(date(2026, 10, 1), date(2026, 10, 31), D("4.5"))

    assert current_dose([ended], old_diary, TODAY) is None


def test_without_a_diary_the_dispensed_step_of_today_is_current() -> None:
    plan = get_protocol("ldnrt-standard").schedule(date(2026, 11, 1), through=date(2027, 2, 1))

    current = current_dose([plan], [], TODAY)

    assert current is not None
    # 1.5 mg 1–14 Nov, 2 mg 15–28 Nov, 2.5 mg 29 Nov–12 Dec.
    assert (current.dose_mg, current.since) == (D("2.5"), date(2026, 11, 29))
    assert current.reason == (
        "The dispensed plan gives 2.5 mg from 2026-11-29; the diary records no dose in the last "
        "14 days."
    )


def test_when_the_records_disagree_the_lower_dose_is_taken_and_said() -> None:
    plan = custom_protocol([(D("4.5"), None)]).schedule(date(2026, 11, 1))
    diary = _diary(TODAY - timedelta(days=5), TODAY, D("3"))

    current = current_dose([plan], diary, TODAY)

    assert current is not None
    assert current.dose_mg == D("3")
    assert "The dispensed plan gives 4.5 mg today but the diary records 3 mg" in current.reason
    assert "starts from the lower dose, 3 mg" in current.reason


def test_a_diary_dose_alone_is_current() -> None:
    current = current_dose([], _diary(TODAY - timedelta(days=3), TODAY, D("1.5")), TODAY)

    assert current is not None
    assert (current.dose_mg, current.prescribed_mg, current.since) == (
        D("1.5"),
        None,
        TODAY - timedelta(days=3),
    )


def test_at_the_target_the_plan_continues_as_maintenance() -> None:
    plan = continue_from(get_protocol("ldnrt-standard"), D("4.5"))

    assert [(s.dose_mg, s.days) for s in plan.steps] == [(D("4.5"), None)]
    assert plan.title == "Continue at 4.5 mg"
    assert plan.titration_days == 0


def test_mid_titration_the_plan_holds_a_full_step_then_climbs() -> None:
    plan = continue_from(get_protocol("ldnrt-standard"), D("3"))

    assert [(str(s.dose_mg), s.days) for s in plan.steps] == [
        ("3", 14),
        ("3.5", 14),
        ("4", 14),
        ("4.5", None),
    ]
    assert plan.title == f"{get_protocol('ldnrt-standard').title}, from 3 mg"


def test_a_dose_above_the_ceiling_is_refused() -> None:
    with pytest.raises(RegimenError, match="above the 6 mg ceiling") as caught:
        continue_from(get_protocol("ldnrt-standard"), D("8"))
    assert caught.value.field == "start_from"
