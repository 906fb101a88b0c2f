"""Assignment schedules: which instrument is due on which date (pure date logic).

A clinician assigns an instrument at baseline and then every *N* weeks (the product default is 4,
issue 5 "baseline, every 4 weeks"; a workflow choice, not a clinical constant). Due dates are

.. math::

    d_k = d_0 + k \\cdot N \\text{ weeks}, \\qquad k = 0, 1, \\ldots

bounded by ``occurrences`` and/or ``until`` (inclusive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lowdose.errors import InputError

__all__ = ["DEFAULT_EVERY_WEEKS", "AssignmentSchedule", "Occurrence"]

DEFAULT_EVERY_WEEKS = 4
_DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class Occurrence:
    """The ``index``-th administration (0 = baseline) due on ``due``."""

    index: int
    due: date

    @property
    def is_baseline(self) -> bool:
        return self.index == 0


@dataclass(frozen=True)
class AssignmentSchedule:
    """Baseline on ``start``, then every ``every_weeks`` weeks.

    Parameters
    ----------
    instrument : str
        Registry name of the instrument.
    start : date
        Baseline date.
    every_weeks : int
        Interval in weeks (≥1).
    occurrences : int, optional
        Total number of administrations including baseline.
    until : date, optional
        Last date on which an administration may fall (inclusive).

    Without ``occurrences`` or ``until`` the schedule is open-ended; :meth:`due_dates` then needs
    ``until`` or ``occurrences`` passed explicitly.
    """

    instrument: str
    start: date
    every_weeks: int = DEFAULT_EVERY_WEEKS
    occurrences: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.start, date):
            raise InputError("start must be a date (YYYY-MM-DD).", field="start")
        if (
            isinstance(self.every_weeks, bool)
            or not isinstance(self.every_weeks, int)
            or self.every_weeks < 1
        ):
            raise InputError(
                f"every_weeks must be a whole number ≥1 (got {self.every_weeks!r}).",
                field="every_weeks",
            )
        if self.occurrences is not None and (
            isinstance(self.occurrences, bool) or self.occurrences < 1
        ):
            raise InputError(
                f"occurrences must be ≥1 (got {self.occurrences!r}); baseline counts as one.",
                field="occurrences",
            )
        if self.until is not None and self.until < self.start:
            raise InputError(
                f"until ({self.until}) is before start ({self.start}); give a later end date.",
                field="until",
            )

    @property
    def interval(self) -> timedelta:
        """The interval between administrations."""
        return timedelta(days=_DAYS_PER_WEEK * self.every_weeks)

    def _iter(self, horizon: date | None, limit: int | None) -> Iterable[Occurrence]:
        stop = self.until if horizon is None else min(horizon, self.until or horizon)
        cap = self.occurrences if limit is None else min(limit, self.occurrences or limit)
        if stop is None and cap is None:
            raise InputError(
                "this schedule is open-ended; pass until= or occurrences= to list due dates.",
                field="until",
            )
        k = 0
        while True:
            due = self.start + k * self.interval
            if (stop is not None and due > stop) or (cap is not None and k >= cap):
                return
            yield Occurrence(k, due)
            k += 1

    def due_dates(
        self, *, until: date | None = None, occurrences: int | None = None
    ) -> tuple[Occurrence, ...]:
        """All administrations up to the schedule's (or the given) bound."""
        return tuple(self._iter(until, occurrences))

    def next_due(self, on: date, completed: Iterable[date] = ()) -> Occurrence | None:
        """The earliest administration due on or before ``on`` that was not completed, else the next
        future one; ``None`` when the schedule is finished.

        An administration counts as completed if a completion date falls in its window
        ``[due, next due)``.
        """
        done = sorted(completed)
        for occ in self._iter(None if self.until or self.occurrences else on + self.interval, None):
            window_end = occ.due + self.interval
            if any(occ.due <= d < window_end for d in done):
                continue
            return occ
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "start": self.start.isoformat(),
            "every_weeks": self.every_weeks,
            "occurrences": self.occurrences,
            "until": self.until.isoformat() if self.until else None,
        }
