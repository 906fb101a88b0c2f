"""Wall times to instants across DST transitions (pinned in tests/reference), and quiet hours."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lowdose.reminders import QuietHours, ReminderError, local_instant, time_zone

REFERENCE = json.loads(
    (Path(__file__).parents[1] / "reference" / "reminders_dst_transitions.json").read_text()
)
TRANSITIONS = REFERENCE["transitions"]


def _at(row: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(row["at_utc"]).replace("Z", "+00:00"))


@pytest.mark.parametrize("row", TRANSITIONS, ids=lambda r: f"{r['zone']}-{r['season']}")
def test_the_pinned_transitions_are_the_tz_databases(row: dict[str, object]) -> None:
    zone = ZoneInfo(str(row["zone"]))
    at = _at(row)
    before = (at - timedelta(seconds=1)).astimezone(zone).utcoffset()
    assert before == timedelta(minutes=int(str(row["offset_before_minutes"])))
    assert at.astimezone(zone).utcoffset() == timedelta(
        minutes=int(str(row["offset_after_minutes"]))
    )


@pytest.mark.parametrize(
    "row", [r for r in TRANSITIONS if r["season"] == "spring"], ids=lambda r: str(r["zone"])
)
def test_a_wall_time_in_the_gap_moves_to_the_first_minute_after_it(row: dict[str, object]) -> None:
    zone = ZoneInfo(str(row["zone"]))
    at = _at(row)
    before = timedelta(minutes=int(str(row["offset_before_minutes"])))
    gap_start = (at + before).replace(tzinfo=None)  # the wall time at which the clocks jump
    inside = (gap_start + timedelta(minutes=17)).time()
    moved = local_instant(gap_start.date(), inside, zone)
    assert moved.astimezone(UTC) == at
    assert moved.time() == (at.astimezone(zone)).time()
    # the minute before the gap is itself
    just_before = local_instant(gap_start.date(), (gap_start - timedelta(minutes=1)).time(), zone)
    assert just_before.astimezone(UTC) == at - timedelta(minutes=1)


@pytest.mark.parametrize(
    "row", [r for r in TRANSITIONS if r["season"] == "autumn"], ids=lambda r: str(r["zone"])
)
def test_an_ambiguous_wall_time_is_its_first_occurrence(row: dict[str, object]) -> None:
    zone = ZoneInfo(str(row["zone"]))
    at = _at(row)
    after = timedelta(minutes=int(str(row["offset_after_minutes"])))
    fold_start = (at + after).replace(tzinfo=None)  # the wall time the clocks go back to
    inside = fold_start + timedelta(minutes=10)
    first = local_instant(inside.date(), inside.time(), zone)
    # the first occurrence is before the transition, on the earlier (summer) offset
    assert first.astimezone(UTC) == at - (
        timedelta(minutes=int(str(row["offset_before_minutes"]))) - after
    ) + timedelta(minutes=10)
    assert first.astimezone(UTC) < at


def test_london_examples_in_words() -> None:
    london = ZoneInfo("Europe/London")
    spring = local_instant(date(2026, 3, 29), time(1, 30), london)
    assert spring.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert spring.strftime("%H:%M") == "02:00"
    autumn = local_instant(date(2026, 10, 25), time(1, 30), london)
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_quiet_hours_wrap_midnight() -> None:
    night = QuietHours(time(22, 0), time(7, 0))
    assert night.wraps
    assert night.contains(time(23, 0))
    assert night.contains(time(6, 59))
    assert night.contains(time(22))
    assert not night.contains(time(7, 0))
    assert not night.contains(time(21, 59))
    assert night.end_on_same_day(time(6, 0)) == time(7, 0)
    assert night.end_on_same_day(time(23, 0)) is None
    lunch = QuietHours(time(12, 0), time(14, 0))
    assert lunch.contains(time(13))
    assert not lunch.contains(time(14))
    assert lunch.end_on_same_day(time(13)) == time(14)
    assert not QuietHours(time(9), time(9)).contains(time(9))


def test_unknown_time_zone_says_what_to_write() -> None:
    with pytest.raises(ReminderError, match="Europe/London") as caught:
        time_zone("Mars/Olympus")
    assert caught.value.field == "time_zone"
    with pytest.raises(ReminderError):
        time_zone("")
