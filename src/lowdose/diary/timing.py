"""When a check-in may be made, for which day, and how long it may be changed afterwards."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

__all__ = [
    "CHANGE_WINDOW",
    "FUTURE_TOLERANCE",
    "HISTORY_BEFORE_JOINING",
    "LATE_NIGHT_END",
    "changeable_until",
    "day_choices",
    "may_change",
    "needs_day_choice",
]

#: An entry made between midnight and this local time asks which day it belongs to (a design
#: choice: people who check in late at night mean the day that is ending).
LATE_NIGHT_END = time(5, 0)
#: Clock skew tolerated between a phone and the server before a time counts as "in the future"
#: (a design choice: phones synchronised by the network drift by seconds, not minutes).
FUTURE_TOLERANCE = timedelta(minutes=5)
#: How far before joining the clinic a check-in may be dated: a year of diary kept on paper or in
#: another app and imported (a design choice; older entries say nothing about this treatment).
HISTORY_BEFORE_JOINING = timedelta(days=365)

#: How long after making a check-in (its ``recorded_at``) the patient may change or delete it. A
#: design choice: a daily diary is trustworthy because it is written close to the day it describes
#: (paper diaries filled in afterwards were a known failure; Stone et al., BMJ 2002;324:1193–1194);
#: a week lets a patient correct a slip without rewriting what their clinician has already read.
CHANGE_WINDOW = timedelta(days=7)


def changeable_until(recorded_at: datetime) -> datetime:
    """The moment after which a check-in recorded at ``recorded_at`` can no longer be changed."""
    return recorded_at + CHANGE_WINDOW


def may_change(recorded_at: datetime, now: datetime) -> bool:
    """May a check-in recorded at ``recorded_at`` still be changed or deleted at ``now``?"""
    if now.tzinfo is None or recorded_at.tzinfo is None:
        raise ValueError("recorded_at and now must be timezone-aware")
    return now < changeable_until(recorded_at)


def needs_day_choice(local_moment: datetime) -> bool:
    """True when an entry made at ``local_moment`` must ask which day it belongs to."""
    return local_moment.time() < LATE_NIGHT_END


def day_choices(local_moment: datetime) -> tuple[date, ...]:
    """The days an entry made at ``local_moment`` may belong to, the most likely first."""
    today = local_moment.date()
    if needs_day_choice(local_moment):
        return (today - timedelta(days=1), today)
    return (today,)
