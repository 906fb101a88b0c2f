"""Daily means, baseline, 7-day averages and the clinician's alerts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lowdose.diary import Checkin, SideEffect, daily_scores, summarize
from lowdose.diary.summary import MIN_BASELINE_DAYS

TZ = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 31)


def entry(day: date, pain: int = 5, **overrides: Any) -> Checkin:
    values: dict[str, Any] = {
        "client_id": uuid.uuid4(),
        "day": day,
        "recorded_at": datetime.combine(day, time(21, 0), tzinfo=TZ),
        "pain": pain,
        "fatigue": 5,
        "sleep": 5,
        "mood": 5,
        "dose_status": "none",
    }
    values.update(overrides)
    return Checkin(**values)


def on(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


def test_several_entries_on_one_day_are_averaged() -> None:
    rows = daily_scores([entry(on(0), pain=4), entry(on(0), pain=7)])
    assert len(rows) == 1
    assert rows[0].pain == pytest.approx(5.5)
    assert rows[0].entries == 2


def test_a_day_with_a_taken_dose_is_not_missed_even_if_another_entry_says_missed() -> None:
    rows = daily_scores(
        [
            entry(on(0), dose_status="missed"),
            entry(on(0), dose_status="taken", dose_mg=Decimal("1.5")),
        ]
    )
    assert rows[0].dose_mg == Decimal("1.5")
    assert rows[0].dose_missed is False


def test_baseline_is_the_mean_before_the_first_dose_and_change_uses_the_recent_window() -> None:
    pre = [entry(on(20 - i), pain=6) for i in range(10)]  # days 20..11 ago, untreated
    post = [entry(on(i), pain=4, dose_status="taken", dose_mg=Decimal("4.5")) for i in range(0, 10)]
    summary = summarize(pre + post, today=TODAY)
    assert summary.baseline_days == 10
    assert summary.baseline is not None
    assert summary.baseline["pain"] == 6.0
    assert summary.last7 is not None
    assert summary.last7["pain"] == 4.0
    assert summary.change_from_baseline is not None
    assert summary.change_from_baseline["pain"] == -2.0
    assert summary.current_dose_mg == Decimal("4.5")


def test_the_change_from_baseline_is_over_the_last_14_days_at_a_steady_dose() -> None:
    pre = [entry(on(40 - i), pain=6) for i in range(10)]  # days 40..31 ago, untreated
    low = [
        entry(on(i), pain=5, dose_status="taken", dose_mg=Decimal("1.5")) for i in range(30, 9, -1)
    ]
    full = [
        entry(on(i), pain=3, dose_status="taken", dose_mg=Decimal("4.5")) for i in range(9, -1, -1)
    ]
    summary = summarize(pre + low + full, today=TODAY)
    # 14 days would reach back into the 1.5 mg weeks: the window starts when 4.5 mg did.
    assert (summary.recent_start, summary.recent_end, summary.recent_days) == (on(9), on(0), 10)
    assert summary.recent is not None
    assert summary.recent["pain"] == 3.0
    assert summary.change_from_baseline is not None
    assert summary.change_from_baseline["pain"] == -3.0
    assert summary.last7 is not None
    assert (summary.last7["pain"], summary.last7_days) == (3.0, 7)


def test_a_patient_who_stopped_checking_in_is_compared_over_their_last_days_not_an_empty_week() -> (
    None
):
    pre = [entry(on(40 - i), pain=6) for i in range(10)]
    # 4.5 mg from 30 to 5 days ago: pain 8 on the last 2 days, 4 on the 12 before them
    post = [
        entry(on(i), pain=8 if i < 7 else 4, dose_status="taken", dose_mg=Decimal("4.5"))
        for i in range(30, 4, -1)
    ]
    summary = summarize(pre + post, today=TODAY)
    assert (summary.recent_start, summary.recent_end) == (on(18), on(5))
    assert summary.change_from_baseline is not None
    # (12 × 4 + 2 × 8) / 14 − 6 = −1.43: the 2 days left in the calendar week would say +2
    assert summary.change_from_baseline["pain"] == pytest.approx(-1.43)
    assert summary.last7 is not None
    assert summary.last7["pain"] == 8.0


def test_too_short_a_baseline_gives_none_rather_than_a_misleading_number() -> None:
    pre = [entry(on(10 - i), pain=6) for i in range(MIN_BASELINE_DAYS - 1)]
    post = [entry(on(0), pain=3, dose_status="taken", dose_mg=Decimal("1.5"))]
    summary = summarize(pre + post, today=TODAY)
    assert summary.baseline is None
    assert summary.change_from_baseline is None


def test_dose_steps_record_each_change_and_missed_days_are_listed() -> None:
    diary = [
        entry(on(5), dose_status="taken", dose_mg=Decimal("1.5")),
        entry(on(4), dose_status="taken", dose_mg=Decimal("1.5")),
        entry(on(3), dose_status="missed"),
        entry(on(2), dose_status="taken", dose_mg=Decimal("2.0")),
    ]
    summary = summarize(diary, today=TODAY)
    assert [(s.day, s.dose_mg) for s in summary.dose_steps] == [
        (on(5), Decimal("1.5")),
        (on(2), Decimal("2.0")),
    ]
    assert summary.missed_days == (on(3),)


@pytest.mark.parametrize(("silent_days", "alerted"), [(2, False), (3, True), (10, True)])
def test_no_checkin_alert_fires_from_three_silent_days(silent_days: int, alerted: bool) -> None:
    summary = summarize([entry(on(silent_days))], today=TODAY)
    codes = [a.code for a in summary.alerts]
    assert ("no_checkin" in codes) is alerted


def test_a_side_effect_never_reported_before_raises_an_alert_once() -> None:
    dreams = (SideEffect("vivid_dreams", "mild"),)
    old = [entry(on(30), side_effects=(SideEffect("nausea", "mild"),))]
    recent = [entry(on(2), side_effects=dreams), entry(on(1), side_effects=dreams)]
    alerts = summarize(old + recent, today=TODAY).alerts
    assert [(a.code, a.since) for a in alerts] == [("new_side_effect", on(2))]
    # nausea was reported before the window, so it is not new when it comes back
    again = summarize(
        [*old, entry(on(1), side_effects=(SideEffect("nausea", "mild"),))], today=TODAY
    )
    assert [a.code for a in again.alerts] == []


@pytest.mark.parametrize(("recent_pain", "alerted"), [(6, False), (7, True)])
def test_pain_up_alert_needs_a_two_point_rise_week_on_week(recent_pain: int, alerted: bool) -> None:
    previous = [entry(on(7 + i), pain=5) for i in range(7)]
    recent = [entry(on(i), pain=recent_pain) for i in range(7)]
    codes = [a.code for a in summarize(previous + recent, today=TODAY).alerts]
    assert ("pain_up" in codes) is alerted


def test_an_empty_diary_has_no_numbers_and_no_alerts() -> None:
    summary = summarize([], today=TODAY)
    assert summary.last7 is None
    assert summary.baseline is None
    assert summary.alerts == ()
    assert summary.to_dict()["last_checkin_at"] is None


def test_a_kit_day_is_a_treated_day_not_a_missed_one_and_ends_the_baseline() -> None:
    pre = [entry(on(20 - i), pain=6) for i in range(8)]
    trial = [entry(on(i), pain=4, dose_status="taken", kit="KIT-ABCDEF-G") for i in range(3)]
    summary = summarize(pre + trial, today=TODAY)
    assert summary.baseline_days == 8
    assert summary.missed_days == ()
    assert summary.days[-1].kit == "KIT-ABCDEF-G"
    assert summary.dose_steps == ()  # the blinded dose is unknown, so no dose step is drawn


def test_a_severe_side_effect_in_the_last_week_raises_one_alert_per_effect_and_day() -> None:
    severe = (SideEffect("nausea", "severe"),)
    diary = [
        entry(on(9), side_effects=severe),  # before the 7-day window: not raised again
        entry(on(2), side_effects=(SideEffect("nausea", "moderate"),)),
        entry(on(1), side_effects=severe),
        entry(on(1), side_effects=severe),  # twice the same day: one alert
    ]
    alerts = [a for a in summarize(diary, today=TODAY).alerts if a.code == "severe_side_effect"]
    assert [(a.subject, a.since) for a in alerts] == [("nausea", on(1))]
    assert "contact the patient today" in alerts[0].message
    assert dict(alerts[0].facts) == {
        "side_effect": "nausea",
        "severity": "severe",
        "day": on(1).isoformat(),
    }


@pytest.mark.parametrize(("joined_days_ago", "alerted"), [(2, False), (3, True)])
def test_a_patient_who_never_checked_in_is_silent_since_joining(
    joined_days_ago: int, alerted: bool
) -> None:
    from lowdose.diary import no_checkin_alert

    alert = no_checkin_alert(None, TODAY, joined=on(joined_days_ago))
    assert (alert is not None) is alerted
    if alert is not None:
        assert alert.message == f"No check-in since joining on {on(joined_days_ago)}."
        assert alert.facts == {"days_silent": joined_days_ago, "joined_on": str(on(3))}
