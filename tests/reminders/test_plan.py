"""Which reminders a local day holds, in which words, and the properties that must always hold:
every instant outside quiet hours, at most one of a kind a day, DST days in four kinds of zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.reminders import (
    DayFacts,
    QuietHours,
    ReminderError,
    ReminderKind,
    ReminderPreferences,
    plan_day,
)

K = ReminderKind
DAY = date(2026, 6, 10)


def _kinds(plan: object) -> list[str]:
    return [r.kind.value for r in plan.due]  # type: ignore[attr-defined]


def test_an_ordinary_day_checkin_then_dose() -> None:
    prefs = ReminderPreferences("Europe/London", time(19, 0), time(21, 30))
    plan = plan_day(prefs, DayFacts(DAY, on_treatment=True, last_checkin=DAY - timedelta(1)))
    assert _kinds(plan) == ["checkin", "dose"]
    checkin, dose = plan.due
    assert checkin.at == datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # BST, UTC+1
    assert dose.local.strftime("%H:%M") == "21:30"
    assert dose.body == "Time for tonight's dose."


def test_titration_step_words_and_it_replaces_the_plain_dose_reminder() -> None:
    prefs = ReminderPreferences("Europe/London")
    plan = plan_day(prefs, DayFacts(DAY, titration_dose_mg=Decimal("3.0"), on_treatment=True))
    assert _kinds(plan) == ["checkin", "titration_step"]
    assert plan.due[1].title == "From tonight: 3 mg"


def test_a_morning_dose_says_today_not_tonight() -> None:
    prefs = ReminderPreferences("Europe/London", dose_time=time(8, 0))
    facts = DayFacts(DAY, titration_dose_mg=Decimal("2"), on_treatment=True, dose_in_morning=True)
    step = next(r for r in plan_day(prefs, facts).due if r.kind is K.TITRATION_STEP)
    assert step.title == "From today: 2 mg"
    assert "in the morning" in step.body
    plain = plan_day(prefs, DayFacts(DAY, on_treatment=True, dose_in_morning=True)).due
    assert [(r.title, r.body) for r in plain if r.kind is K.DOSE] == [
        ("Morning dose", "Time for today's dose.")
    ]


def test_a_kit_switch_names_the_kit_only() -> None:
    prefs = ReminderPreferences("Europe/London")
    plan = plan_day(prefs, DayFacts(DAY, kit_code="B", on_treatment=True))
    switch = next(r for r in plan.due if r.kind is K.NOF1_SWITCH)
    assert switch.title == "Start kit B tonight"
    words = (switch.title + switch.body).lower()
    assert "placebo" not in words
    assert "naltrexone" not in words
    assert "active" not in words


def test_the_plain_dose_reminder_comes_back_when_the_step_reminder_is_off() -> None:
    prefs = ReminderPreferences("Europe/London", opt_out=frozenset({K.TITRATION_STEP}))
    plan = plan_day(
        prefs,
        DayFacts(
            DAY, titration_dose_mg=Decimal("3"), on_treatment=True, dose_tonight_mg=Decimal("3")
        ),
    )
    assert _kinds(plan) == ["checkin", "dose"]
    assert plan.due[1].body == "Time for tonight's dose: 3 mg."
    assert [(s.kind, s.reason) for s in plan.skipped] == [
        (K.TITRATION_STEP, "You turned this reminder off.")
    ]


def test_a_nudge_after_two_silent_days_replaces_the_checkin_reminder() -> None:
    prefs = ReminderPreferences("Europe/London")
    one_day = plan_day(prefs, DayFacts(DAY, last_checkin=DAY - timedelta(1)))
    assert _kinds(one_day) == ["checkin"]
    two_days = plan_day(prefs, DayFacts(DAY, last_checkin=DAY - timedelta(2)))
    assert _kinds(two_days) == ["nudge"]
    assert "2 days ago" in two_days.due[0].body


def test_no_checkin_reminder_after_todays_checkin_and_questionnaires_named() -> None:
    prefs = ReminderPreferences("Europe/London")
    plan = plan_day(prefs, DayFacts(DAY, last_checkin=DAY, questionnaires=("PHQ-9", "GAD-7")))
    assert _kinds(plan) == ["questionnaire"]
    assert "PHQ-9, GAD-7" in plan.due[0].body


def test_quiet_hours_move_a_morning_reminder_to_their_end() -> None:
    prefs = ReminderPreferences(
        "America/New_York", time(6, 15), time(21, 0), QuietHours(time(22), time(7, 30))
    )
    plan = plan_day(prefs, DayFacts(DAY))
    (checkin,) = plan.due
    assert checkin.local.strftime("%H:%M") == "07:30"
    assert checkin.at == datetime(2026, 6, 10, 11, 30, tzinfo=UTC)
    assert "quiet hours" in checkin.moved


def test_an_evening_reminder_in_wrapping_quiet_hours_is_not_sent_and_says_so() -> None:
    prefs = ReminderPreferences(
        "Europe/London", time(19), time(22, 30), QuietHours(time(22), time(7))
    )
    plan = plan_day(prefs, DayFacts(DAY, on_treatment=True, last_checkin=DAY))
    assert _kinds(plan) == []
    (skipped,) = plan.skipped
    assert skipped.kind is K.DOSE
    assert "not sent today" in skipped.reason


def test_a_whole_spring_forward_day_in_new_york() -> None:
    """8 March 2026: 02:00 EST → 03:00 EDT. A 02:30 dose moves to 03:00 EDT = 07:00 UTC."""
    prefs = ReminderPreferences("America/New_York", time(1, 0), time(2, 30))
    plan = plan_day(prefs, DayFacts(date(2026, 3, 8), on_treatment=True))
    checkin, dose = plan.due
    assert checkin.at == datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST
    assert dose.at == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert dose.local.strftime("%H:%M %Z") == "03:00 EDT"
    assert "clocks go forward" in dose.moved


def test_a_whole_fall_back_day_in_sydney_sends_once_at_the_first_occurrence() -> None:
    """5 April 2026: 03:00 AEDT → 02:00 AEST; 02:30 happens twice, sent at the first (AEDT)."""
    prefs = ReminderPreferences("Australia/Sydney", time(2, 30), time(21, 0))
    plan = plan_day(prefs, DayFacts(date(2026, 4, 5), on_treatment=True))
    assert _kinds(plan) == ["checkin", "dose"]
    assert plan.due[0].at == datetime(2026, 4, 4, 15, 30, tzinfo=UTC)  # 02:30 AEDT (UTC+11)
    assert plan.due[1].at == datetime(2026, 4, 5, 11, 0, tzinfo=UTC)  # 21:00 AEST (UTC+10)


def test_bad_preferences_say_what_to_do() -> None:
    with pytest.raises(ReminderError, match="one of checkin"):
        ReminderPreferences("Europe/London", opt_out=frozenset({"sms"}))  # type: ignore[arg-type]
    with pytest.raises(ReminderError, match="time zone"):
        ReminderPreferences("Europe/Londres")


# --- properties ----------------------------------------------------------------------------

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",  # southern hemisphere: DST from October to April
    "Australia/Adelaide",  # half-hour offset, with DST
    "Australia/Lord_Howe",  # half-hour DST shift
    "Asia/Kolkata",  # half-hour offset, no DST
]
#: The DST days of 2026 in those zones (tests/reference/reminders_dst_transitions.json), and
#: ordinary days around them.
DST_DAYS = [
    date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4),
    date(2026, 10, 25), date(2026, 11, 1), date(2026, 1, 1), date(2026, 7, 1),
]  # fmt: skip

times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 1, 15, 29, 30, 31, 45, 59]))
quiet = st.one_of(st.none(), st.builds(QuietHours, times, times))
facts = st.builds(
    DayFacts,
    st.sampled_from(DST_DAYS),
    titration_dose_mg=st.one_of(st.none(), st.sampled_from([Decimal("1.5"), Decimal("4.5")])),
    kit_code=st.one_of(st.none(), st.sampled_from(["A", "B", "C"])),
    questionnaires=st.sampled_from([(), ("PHQ-9",)]),
    on_treatment=st.booleans(),
    dose_in_morning=st.booleans(),
    last_checkin=st.one_of(st.none(), st.sampled_from([date(2025, 12, 1), date(2026, 3, 7)])),
)
preferences = st.builds(
    ReminderPreferences,
    st.sampled_from(ZONES),
    times,
    times,
    quiet,
    st.frozensets(st.sampled_from(list(ReminderKind)), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(preferences, facts)
def test_every_reminder_is_outside_quiet_hours_on_its_day_once_per_kind(
    prefs: ReminderPreferences, day: DayFacts
) -> None:
    plan = plan_day(prefs, day)
    zone = ZoneInfo(prefs.time_zone)
    kinds = [r.kind for r in plan.due]
    assert len(kinds) == len(set(kinds))
    assert not set(kinds) & prefs.opt_out
    for reminder in plan.due:
        local = reminder.at.astimezone(zone)
        assert local == reminder.local
        assert local.date() == day.day
        assert reminder.at.tzinfo is UTC
        if prefs.quiet is not None:
            assert not prefs.quiet.contains(local.time())
        # never earlier than planned (a move only goes later), never a wall time that does not exist
        assert local.replace(tzinfo=None) >= datetime.combine(day.day, reminder.planned)
        assert local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(
            tzinfo=None
        )


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(DST_DAYS), times)
def test_a_wall_time_is_sent_at_its_first_occurrence_or_the_first_minute_after_a_gap(
    name: str, day: date, wall: time
) -> None:
    from lowdose.reminders import local_instant

    zone = ZoneInfo(name)
    instant = local_instant(day, wall, zone)
    at = instant.astimezone(UTC)
    naive = datetime.combine(day, wall)
    # every instant of the day whose wall time is `wall`: the answer is the earliest of them
    occurrences = [
        t for t in (naive.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
        if t.astimezone(zone).replace(tzinfo=None) == naive
    ]  # fmt: skip
    if occurrences:
        assert at == min(occurrences)
    else:  # a gap: the first minute after it, i.e. a minute earlier did not exist as a later time
        assert instant.replace(tzinfo=None) > naive
        before = (at - timedelta(minutes=1)).astimezone(zone).replace(tzinfo=None)
        assert before < naive
