"""Wall-clock times on one local day, turned into exact instants (DST-correct), and quiet hours.

A reminder is set as a wall-clock time ("21:30") in the patient's IANA time zone. On most days
that names one instant. Twice a year in zones with daylight saving time it does not:

- **Spring forward** (a gap): the clocks jump, e.g. Europe/London on 29 March 2026 from 01:00 to
  02:00, and 01:30 never happens. The reminder moves to the *first valid minute after the gap*
  (02:00 local, the instant of the transition).
- **Fall back** (a fold): the clocks go back, e.g. Europe/London on 25 October 2026 from 02:00 to
  01:00, and 01:30 happens twice. The reminder is sent once, at the *first* occurrence
  (``fold=0``, still on summer time).

The transitions come from the IANA tz database through :mod:`zoneinfo`; the instants the tests
rely on are pinned in ``tests/reference/reminders_dst_transitions.json``.

Quiet hours are a window of wall-clock times ``[start, end)`` that may wrap midnight
(22:00–07:00). A reminder inside them moves to ``end`` on the *same* local day; when that end is
on the next day (the reminder fell in the evening part of a wrapping window) it is not sent that
day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lowdose.errors import ReminderError

__all__ = ["QuietHours", "local_instant", "time_zone"]

_MINUTE = timedelta(minutes=1)


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/London``), or a :class:`ReminderError` saying what
    to write instead."""
    try:
        if not name or name != name.strip():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ReminderError(
            f"{name!r} is not a time zone lowdose knows; choose a place name such as "
            "Europe/London or America/New_York.",
            field="time_zone",
        ) from None


def _exists(naive: datetime, zone: ZoneInfo) -> bool:
    """True when the wall time ``naive`` happens in ``zone`` (not in a spring-forward gap)."""
    there = naive.replace(tzinfo=zone, fold=0)
    back = there.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return back == naive


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The instant (aware, in ``zone``) at which the wall-clock time ``wall`` on ``day`` happens.

    In a spring-forward gap, the first valid minute after the gap (the transition itself); in a
    fall-back fold, the first occurrence (``fold=0``). Seconds and microseconds of ``wall`` are
    dropped: reminders are set to the minute.
    """
    naive = datetime.combine(day, wall.replace(second=0, microsecond=0, tzinfo=None))
    if _exists(naive, zone):
        return naive.replace(tzinfo=zone, fold=0)
    # In a gap: fold=1 reads the wall time with the offset after the transition (an instant
    # before it), fold=0 with the offset before (an instant after it). The transition lies
    # between; find its minute by bisection (real transitions fall on whole minutes).
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    after = high.astimezone(zone).utcoffset()
    while high - low > _MINUTE:
        middle = low + ((high - low) // 2 // _MINUTE) * _MINUTE
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.astimezone(zone)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Wall-clock times ``[start, end)`` in which no reminder is sent; ``start > end`` wraps
    midnight (22:00–07:00), ``start == end`` is no quiet time at all."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ReminderError(
                    f"Quiet hours {name} must be a time of day such as 22:00.",
                    field=f"quiet_{name}",
                )

    @property
    def wraps(self) -> bool:
        """True when the window runs over midnight (its start is later than its end)."""
        return self.start > self.end

    def contains(self, wall: time) -> bool:
        """True when the wall-clock time ``wall`` is inside the quiet hours."""
        wall = wall.replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.wraps:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end

    def end_on_same_day(self, wall: time) -> time | None:
        """Where a reminder at ``wall`` (inside the quiet hours) moves: the end of the quiet
        hours if that is later on the same day, else ``None`` (not sent that day)."""
        wall = wall.replace(tzinfo=None)
        if self.end == time(0, 0) or (self.wraps and wall >= self.start):
            return None
        return self.end
