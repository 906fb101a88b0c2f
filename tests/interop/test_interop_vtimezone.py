# mypy: disable-error-code="union-attr,index,operator,import-untyped,unused-ignore"
"""The calendar's VTIMEZONE agrees with zoneinfo on both clock changes, read the RFC 5545 §3.6.5
way (an onset's DTSTART is local time in TZOFFSETFROM), in both hemispheres and without DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from lowdose.interop.ics import titration_calendar
from lowdose.interop.vtimezone import transitions, vtimezone
from lowdose.regimens import get_protocol

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",  # southern hemisphere: summer time spans the new year
    "Australia/Lord_Howe",  # a half-hour change
    "Asia/Kolkata",  # no daylight saving time
]


def _onsets(component: object) -> list[tuple[datetime, timedelta]]:
    """(UTC instant, offset from then on) of each observance, as a reader of the file sees it."""
    out = []
    for part in component.subcomponents:  # type: ignore[attr-defined]
        local = part.decoded("DTSTART")
        before = part.decoded("TZOFFSETFROM")
        out.append(((local - before).replace(tzinfo=UTC), part.decoded("TZOFFSETTO")))
    return sorted(out)


def _offset_in_file(onsets: list[tuple[datetime, timedelta]], instant: datetime) -> timedelta:
    return [offset for at, offset in onsets if at <= instant][-1]


@pytest.mark.parametrize("name", ZONES)
def test_every_instant_of_two_years_has_zoneinfos_offset(name: str) -> None:
    zone = ZoneInfo(name)
    onsets = _onsets(vtimezone(zone, date(2026, 1, 1), date(2028, 1, 1)))
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)  # past local midnight in every zone tested
    changes = transitions(zone, start, datetime(2027, 12, 31, tzinfo=UTC))
    # every 15 minutes for 6 hours either side of each change, and every day at noon UTC
    probes = [c.at + timedelta(minutes=15 * k) for c in changes for k in range(-24, 25)] + [
        start + timedelta(days=d) for d in range(720)
    ]
    for instant in probes:
        assert _offset_in_file(onsets, instant) == instant.astimezone(zone).utcoffset(), instant


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # (DTSTART, TZOFFSETFROM, TZOFFSETTO) of the two 2026 changes, from the governments' rules
        (
            "Europe/London",
            [("20260329T010000", "+0000", "+0100"), ("20261025T020000", "+0100", "+0000")],
        ),
        (
            "America/New_York",
            [("20260308T020000", "-0500", "-0400"), ("20261101T020000", "-0400", "-0500")],
        ),
        (
            "Australia/Sydney",
            [("20260405T030000", "+1100", "+1000"), ("20261004T020000", "+1000", "+1100")],
        ),
        ("Asia/Kolkata", []),
    ],
)
def test_the_onsets_are_written_in_the_offset_before_the_change(
    name: str, expected: list[tuple[str, str, str]]
) -> None:
    text = vtimezone(ZoneInfo(name), date(2026, 1, 1), date(2027, 1, 1)).to_ical().decode()
    lines = dict.fromkeys(("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"))
    written = []
    for line in text.split("\r\n"):  # the file's own text, not a parser's reading of it
        key, _, value = line.partition(":")
        if key in lines:
            lines[key] = value
        if key == "TZOFFSETTO":
            written.append((lines["DTSTART"], lines["TZOFFSETFROM"], value))
    assert written[0][0] == "20260101T000000"
    assert written[0][1] == written[0][2]
    assert written[1:] == expected


def test_the_calendar_carries_the_zone_of_its_doses() -> None:
    plan = get_protocol("trial-6mg").schedule(date(2026, 3, 24), through=date(2026, 4, 20))
    cal = Calendar.from_ical(titration_calendar(plan, tz="Australia/Sydney", lineage="x"))
    (zone,) = cal.walk("VTIMEZONE")
    onsets = _onsets(zone)
    for event in cal.walk("VEVENT"):
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "Australia/Sydney"
        local = start.replace(tzinfo=None)
        # the reader's UTC instant of 22:00 local: offsets agree before and after 5 April
        utc = (local - _offset_in_file(onsets, start.astimezone(UTC))).replace(tzinfo=UTC)
        assert utc == start.astimezone(UTC)
