"""``VTIMEZONE`` components (RFC 5545 §3.6.5) built from the zone's own transitions in ``zoneinfo``.

A ``VTIMEZONE`` lists *observances*: from each onset on, the zone is ``TZOFFSETTO`` ahead of UTC.
The onset ``DTSTART`` is a local time **in the offset in force before it** (``TZOFFSETFROM``); the
RFC's own example writes the US spring change as ``DTSTART:20070311T020000`` with
``TZOFFSETFROM:-0500``. So the UTC instant of an onset is ``DTSTART − TZOFFSETFROM``.

``icalendar.Timezone.from_tzinfo`` (7.3, the latest release when this was written) writes the wall
time *after* a spring change (``20260329T020000`` for London, whose clocks go forward at 01:00
GMT), which puts the change an hour late for any reader that uses the ``VTIMEZONE`` (issue 15).
Here the transitions are found in ``zoneinfo`` to the second (a day-by-day walk over UTC, then
bisection), each onset is written as the UTC instant plus the offset before it, and the component
itself is built with ``icalendar``'s ``Timezone``, ``TimezoneStandard`` and ``TimezoneDaylight``,
which do the serialising. One observance per transition (no ``RRULE``): exact for the years a
plan spans, whatever a government decides next. Two changes less than a day apart would be seen
as one; no zone in the tz database has had that since 1970.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

__all__ = ["Transition", "transitions", "vtimezone"]

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Transition:
    """A change of a zone's UTC offset (or of its name) at ``at`` (UTC)."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def onset(self) -> datetime:
        """The local (naive) time of the change in the offset before it: the ``DTSTART``."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    return offset, local.tzname() or "", bool(local.dst())


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every change of ``zone``'s offset, name or daylight flag in ``[start, end)`` (UTC-aware)."""
    found: list[Transition] = []
    lo = start.astimezone(UTC)
    before = _state(zone, lo)
    while lo < end:
        hi = min(lo + _DAY, end)
        after = _state(zone, hi)
        if after != before:
            a, b = lo, hi  # _state(a) == before, _state(b) != before: bisect to the second
            while b - a > _SECOND:
                mid = a + (b - a) / 2
                mid = mid.replace(microsecond=0)
                if _state(zone, mid) == before:
                    a = mid
                else:
                    b = mid
            offset, name, daylight = _state(zone, b)
            found.append(Transition(b, before[0], offset, name, daylight))
            before = _state(zone, b)
            lo = b
            continue
        lo = hi
    return found


def _observance(
    onset: datetime, offset_from: timedelta, offset_to: timedelta, name: str, daylight: bool
) -> TimezoneStandard | TimezoneDaylight:
    part = TimezoneDaylight() if daylight else TimezoneStandard()
    part.add("dtstart", onset)
    part.add("tzoffsetfrom", offset_from)
    part.add("tzoffsetto", offset_to)
    if name:
        part.add("tzname", name)
    return part


def vtimezone(zone: ZoneInfo, first: date, last: date) -> Timezone:
    """The ``VTIMEZONE`` of ``zone`` valid from local midnight of ``first`` to that of ``last``.

    The first observance starts at ``first`` 00:00 with the offset then in force (``TZOFFSETFROM``
    equal to ``TZOFFSETTO``); one observance follows per transition before ``last``.
    """
    begin = datetime.combine(first, time(0), tzinfo=zone)
    finish = datetime.combine(last, time(0), tzinfo=zone)
    offset, name, daylight = _state(zone, begin)
    component = Timezone()
    component.add("tzid", zone.key)
    component.add_component(_observance(begin.replace(tzinfo=None), offset, offset, name, daylight))
    for change in transitions(zone, begin, finish):
        component.add_component(
            _observance(
                change.onset, change.offset_from, change.offset_to, change.name, change.daylight
            )
        )
    return component
