"""The check-in validator: every rule a patient, a phone app or a CSV file can break."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lowdose.diary import (
    CHANGE_WINDOW,
    CheckinError,
    CheckinFieldsError,
    MissingAnswerError,
    changeable_until,
    day_choices,
    may_change,
    needs_day_choice,
    parse_checkin,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 10, 21, 30, tzinfo=LONDON)


def raw(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "client_id": "2f1c6a53-9c7e-4d1e-8a55-0b6f4e1d2c3a",
        "pain": 6,
        "fatigue": "5",
        "sleep": 4,
        "mood": "7",
        "dose_mg": "4.5",
        "dose_time": "22:00",
    }
    base.update(overrides)
    return base


def test_a_complete_checkin_parses_with_exact_dose_and_local_day() -> None:
    checkin = parse_checkin(raw(), now=NOW, tz=LONDON)
    assert checkin.client_id == uuid.UUID("2f1c6a53-9c7e-4d1e-8a55-0b6f4e1d2c3a")
    assert (checkin.pain, checkin.fatigue, checkin.sleep, checkin.mood) == (6, 5, 4, 7)
    assert checkin.dose_status == "taken"
    assert checkin.dose_mg == Decimal("4.50")
    assert checkin.dose_time == time(22, 0)
    assert checkin.day == date(2026, 3, 10)
    assert checkin.recorded_at == NOW


@pytest.mark.parametrize("value", [-1, 11, "11", "7.5", 7.5, True, "seven", None, ""])
def test_scores_outside_0_to_10_or_not_whole_numbers_are_rejected(value: object) -> None:
    with pytest.raises(CheckinError) as caught:
        parse_checkin(raw(pain=value), now=NOW, tz=LONDON)
    assert caught.value.field == "pain"
    assert "whole number from 0 (no pain) to 10 (worst pain imaginable)" in str(caught.value)


@pytest.mark.parametrize("value", [0, 10, "0", "10"])
def test_score_boundaries_are_accepted(value: object) -> None:
    assert parse_checkin(raw(mood=value), now=NOW, tz=LONDON).mood == int(value)  # type: ignore[call-overload]


def test_missed_is_an_answer_and_carries_no_dose() -> None:
    checkin = parse_checkin(raw(dose_missed=True, dose_mg=None, dose_time=None), now=NOW, tz=LONDON)
    assert checkin.dose_status == "missed"
    assert checkin.dose_missed is True
    assert checkin.dose_mg is None


@pytest.mark.parametrize("status", ["missed", "none"])
@pytest.mark.parametrize(("dose", "at"), [("4.5", "22:00"), ("four", "7pm"), ("", "")])
def test_missed_or_no_dose_due_ignores_a_dose_and_time_sent_along(
    status: str, dose: str, at: str
) -> None:
    # A form keeps the pre-filled 4.5 mg and 22:00 (a phone's time picker is hard to clear):
    # neither is stored, and neither is a reason to refuse the entry, even when unreadable.
    for explicit in (False, True):
        checkin = parse_checkin(
            raw(dose_status=status, dose_mg=dose, dose_time=at),
            now=NOW,
            tz=LONDON,
            explicit=explicit,
        )
        assert (checkin.dose_status, checkin.dose_mg, checkin.dose_time) == (status, None, None)


def test_dose_missed_true_with_a_dose_is_missed_and_the_dose_is_ignored() -> None:
    checkin = parse_checkin(raw(dose_missed=True), now=NOW, tz=LONDON)
    assert (checkin.dose_status, checkin.dose_mg, checkin.dose_time) == ("missed", None, None)


def test_no_dose_due_is_distinct_from_missed() -> None:
    checkin = parse_checkin(
        raw(dose_status="none", dose_mg=None, dose_time=None), now=NOW, tz=LONDON
    )
    assert checkin.dose_status == "none"
    assert not checkin.dose_missed


def test_no_dose_answer_at_all_is_refused_never_read_as_taken_or_none() -> None:
    with pytest.raises(MissingAnswerError, match="answer taken, missed, or none") as caught:
        parse_checkin(raw(dose_mg=None, dose_time=None), now=NOW, tz=LONDON)
    assert caught.value.field == "dose_status"


def test_from_the_form_a_prefilled_dose_is_not_an_answer() -> None:
    # explicit=True (a person at the form): only dose_status answers the dose question.
    with pytest.raises(MissingAnswerError) as caught:
        parse_checkin(raw(), now=NOW, tz=LONDON, explicit=True)
    assert caught.value.field == "dose_status"
    with pytest.raises(MissingAnswerError):
        parse_checkin(raw(dose_missed=True), now=NOW, tz=LONDON, explicit=True)


def test_from_the_form_a_dose_taken_needs_its_time() -> None:
    with pytest.raises(MissingAnswerError, match="time you took it") as caught:
        parse_checkin(raw(dose_status="taken", dose_time=""), now=NOW, tz=LONDON, explicit=True)
    assert caught.value.field == "dose_time"
    # a program may leave the time out
    assert (
        parse_checkin(raw(dose_status="taken", dose_time=None), now=NOW, tz=LONDON).dose_time
        is None
    )


def test_every_problem_is_reported_at_once_in_the_order_of_the_form() -> None:
    with pytest.raises(CheckinFieldsError) as caught:
        parse_checkin(
            raw(pain=None, mood="", dose_status="taken", dose_mg="", dose_time="", note="x" * 2001),
            now=NOW,
            tz=LONDON,
            explicit=True,
        )
    errors = caught.value.errors
    assert [e.field for e in errors] == ["pain", "mood", "dose_mg", "dose_time", "note"]
    assert [type(e) for e in errors[:4]] == [MissingAnswerError] * 4
    assert caught.value.field == "pain"
    assert str(caught.value).startswith("pain: enter a whole number")
    assert "; mood: " in str(caught.value)
    with pytest.raises(ValueError, match="two or more"):
        CheckinFieldsError([errors[0]])


def test_a_checkin_may_be_changed_for_seven_days_after_it_was_made() -> None:
    assert timedelta(days=7) == CHANGE_WINDOW
    made = datetime(2026, 3, 3, 21, 30, tzinfo=LONDON)
    assert changeable_until(made) == datetime(2026, 3, 10, 21, 30, tzinfo=LONDON)
    assert may_change(made, made + timedelta(days=7) - timedelta(seconds=1))
    assert not may_change(made, made + timedelta(days=7))
    assert not may_change(made, made + timedelta(days=8))
    with pytest.raises(ValueError, match="timezone-aware"):
        may_change(made, datetime(2026, 3, 4, 12, 0))


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        (4.5, "sent as a string"),
        ("0", "more than 0"),
        ("50.01", "at most 50"),
        ("4.555", "at most two decimals"),
        ("four", "got 'four'"),
        ("NaN", "more than 0"),
    ],
)
def test_bad_doses_say_what_to_enter(dose: object, message: str) -> None:
    with pytest.raises(CheckinError, match=message) as caught:
        parse_checkin(raw(dose_mg=dose), now=NOW, tz=LONDON)
    assert caught.value.field == "dose_mg"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2))
def test_every_two_decimal_dose_up_to_50_mg_round_trips_exactly(dose: Decimal) -> None:
    parsed = parse_checkin(raw(dose_mg=str(dose)), now=NOW, tz=LONDON).dose_mg
    assert parsed == dose
    assert isinstance(parsed, Decimal)


@pytest.mark.parametrize("value", ["24:00", "7pm", "22:60", "2200", "22:00:30"])
def test_dose_time_must_be_hh_mm(value: str) -> None:
    with pytest.raises(CheckinError, match="HH:MM") as caught:
        parse_checkin(raw(dose_time=value), now=NOW, tz=LONDON)
    assert caught.value.field == "dose_time"


def test_side_effects_need_a_known_name_and_a_severity_and_appear_once() -> None:
    good = parse_checkin(
        raw(
            side_effects=[
                {"name": "nausea", "severity": "mild"},
                {"name": "vivid_dreams", "severity": "severe"},
            ]
        ),
        now=NOW,
        tz=LONDON,
    )
    assert [(e.name, e.severity) for e in good.side_effects] == [
        ("vivid_dreams", "severe"),
        ("nausea", "mild"),
    ]
    with pytest.raises(CheckinError, match="choose one of vivid_dreams"):
        parse_checkin(raw(side_effects=[{"name": "rash", "severity": "mild"}]), now=NOW, tz=LONDON)
    with pytest.raises(CheckinError, match="mild, moderate or severe"):
        parse_checkin(raw(side_effects=[{"name": "nausea", "severity": 2}]), now=NOW, tz=LONDON)
    with pytest.raises(CheckinError, match="listed twice"):
        parse_checkin(
            raw(side_effects=[{"name": "nausea", "severity": "mild"}] * 2), now=NOW, tz=LONDON
        )


def test_client_id_must_be_a_uuid() -> None:
    with pytest.raises(CheckinError, match="UUID") as caught:
        parse_checkin(raw(client_id="12345"), now=NOW, tz=LONDON)
    assert caught.value.field == "client_id"


def test_recorded_at_needs_an_offset_and_cannot_be_in_the_future() -> None:
    with pytest.raises(CheckinError, match="time-zone offset"):
        parse_checkin(raw(recorded_at="2026-03-10T21:00:00"), now=NOW, tz=LONDON)
    future = (NOW + timedelta(minutes=10)).isoformat()
    with pytest.raises(CheckinError, match="in the future"):
        parse_checkin(raw(recorded_at=future), now=NOW, tz=LONDON)
    skewed = (NOW + timedelta(minutes=4)).isoformat()  # within the 5-minute clock tolerance
    assert parse_checkin(raw(recorded_at=skewed), now=NOW, tz=LONDON).day == date(2026, 3, 10)


JOINED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def test_recorded_at_may_be_up_to_a_year_before_joining_and_not_a_second_earlier() -> None:
    earliest = JOINED - timedelta(days=365)
    ok = parse_checkin(raw(recorded_at=earliest.isoformat()), now=NOW, tz=LONDON, joined=JOINED)
    assert ok.recorded_at == earliest
    assert ok.day == date(2025, 1, 15)
    too_early = (earliest - timedelta(seconds=1)).isoformat()
    with pytest.raises(CheckinError, match="before 2025-01-15, a year before joining") as info:
        parse_checkin(raw(recorded_at=too_early), now=NOW, tz=LONDON, joined=JOINED)
    assert info.value.field == "recorded_at"


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("0001-01-01T00:00:00Z", "a year before joining"),
        ("0001-01-01T00:00:00-12:00", "a year before joining"),
        ("0001-01-01T00:00:00+14:00", "a year before joining"),
        ("9999-12-31T23:59:59-12:00", "in the future"),
        ("9999-12-31T23:59:59+14:00", "in the future"),
    ],
)
def test_extreme_recorded_at_is_a_checkin_error_never_an_overflow(
    moment: str, message: str
) -> None:
    with pytest.raises(CheckinError, match=message) as info:
        parse_checkin(raw(recorded_at=moment), now=NOW, tz=LONDON, joined=JOINED)
    assert info.value.field == "recorded_at"


def test_without_a_joining_date_year_one_is_refused_not_an_overflow() -> None:
    # Year 1 at UTC has no local date west of Greenwich: astimezone() overflows.
    with pytest.raises(CheckinError, match="not a date this diary can hold"):
        parse_checkin(
            raw(recorded_at="0001-01-01T00:00:00Z"), now=NOW, tz=ZoneInfo("America/New_York")
        )


def test_an_entry_after_midnight_may_belong_to_yesterday_or_today_and_defaults_to_today() -> None:
    late = datetime(2026, 3, 11, 0, 40, tzinfo=LONDON)
    assert needs_day_choice(late)
    assert day_choices(late) == (date(2026, 3, 10), date(2026, 3, 11))
    assert parse_checkin(raw(day="2026-03-10"), now=late, tz=LONDON).day == date(2026, 3, 10)
    assert parse_checkin(raw(), now=late, tz=LONDON).day == date(2026, 3, 11)
    with pytest.raises(CheckinError, match="can belong to 2026-03-10 or 2026-03-11") as caught:
        parse_checkin(raw(day="2026-03-09"), now=late, tz=LONDON)
    assert caught.value.field == "day"


def test_at_five_in_the_morning_the_day_is_today_only() -> None:
    morning = datetime(2026, 3, 11, 5, 0, tzinfo=LONDON)
    assert not needs_day_choice(morning)
    with pytest.raises(CheckinError):
        parse_checkin(raw(day="2026-03-10"), now=morning, tz=LONDON)


def test_the_day_follows_the_patients_time_zone_not_utc() -> None:
    # 23:00 in Los Angeles (PDT, UTC-7) is already the next day in UTC.
    la = ZoneInfo("America/Los_Angeles")
    moment = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)
    checkin = parse_checkin(raw(recorded_at=moment.isoformat()), now=moment, tz=la)
    assert checkin.day == date(2026, 3, 10)


def test_notes_are_trimmed_and_bounded() -> None:
    assert parse_checkin(raw(note="  slept badly \n"), now=NOW, tz=LONDON).note == "slept badly"
    with pytest.raises(CheckinError, match="under 2000 characters"):
        parse_checkin(raw(note="x" * 2001), now=NOW, tz=LONDON)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_checkin(raw(), now=datetime(2026, 3, 10, 12, 0), tz=LONDON)


def test_a_blinded_trial_dose_is_recorded_by_kit_code_without_milligrams() -> None:
    from lowdose.outcomes.allocation import kit_codes

    kit = kit_codes(1, random.Random(11))[0]
    checkin = parse_checkin(raw(dose_mg=None, kit=kit.lower()), now=NOW, tz=LONDON)
    assert (checkin.dose_status, checkin.dose_mg, checkin.kit) == ("taken", None, kit)
    with pytest.raises(CheckinError, match="the dose is in the kit") as caught:
        parse_checkin(raw(kit=kit), now=NOW, tz=LONDON)
    assert caught.value.field == "dose_mg"
    broken = kit[:-1] + ("A" if kit[-1] != "A" else "B")  # wrong check character
    with pytest.raises(CheckinError, match="not a valid kit code") as caught:
        parse_checkin(raw(dose_mg=None, kit=broken), now=NOW, tz=LONDON)
    assert caught.value.field == "kit"
