"""The one daily series: one row per calendar day, a mean score per scale, the dose and the day's
events, built once from check-ins (:func:`lowdose.diary.daily_scores`) or from rows of a diary CSV
(:meth:`Diary.from_rows`), and read by the summaries, the alerts, the response and N-of-1
analyses, both CSV writers and the charts.

Several entries on one date are averaged; a day without a rating for a scale holds ``nan`` for it
(a missing day for that scale, skipped by :meth:`Diary.series`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar, overload

import numpy as np
from numpy.typing import NDArray

from lowdose.daily.scales import DAILY_SCALES, DailyScales
from lowdose.errors import DiaryError

__all__ = ["DailyScores", "Diary", "ScoresByName", "cell_text", "diary_from_numbered_rows"]


_Score = TypeVar("_Score", int, float)


class ScoresByName(Generic[_Score]):
    """A record with a ``scores`` mapping (scale name → score): :meth:`score` reads one, and so
    does the scale's name as an attribute (``checkin.pain``, ``row.pain``)."""

    __slots__ = ()
    scores: Mapping[str, _Score]

    def score(self, scale: str) -> _Score:
        return self.scores[scale]

    # Why: the scales are data (lowdose.daily.scales), so a scale's score cannot be a declared
    # field; ``row.pain`` keeps reading as it did when the four scores were fields.
    def __getattr__(self, name: str) -> _Score:
        if name.startswith("_") or name == "scores":
            raise AttributeError(name)
        try:
            return self.scores[name]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no scale or attribute {name!r}"
            ) from None


@dataclass(frozen=True, slots=True)
class DailyScores(ScoresByName[float]):
    """One day of the diary: the mean of the day's scores per scale, and what happened to the dose.

    ``scores`` maps each scale's name to the day's mean (``nan``: not rated that day); a scale's
    score also reads as an attribute (``row.pain``).
    """

    day: date
    scores: Mapping[str, float] = field(hash=False)
    dose_mg: Decimal | None = None
    entries: int = 1
    dose_missed: bool = False
    side_effects: frozenset[str] = frozenset()
    kit: str | None = None  # the blinded N-of-1 kit taken that day, if any
    #: side effects reported that day at the most severe level (``SEVERITIES[-1]``)
    severe_side_effects: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Diary(Sequence[DailyScores]):
    """A patient's daily series: sorted, unique days, each with a score for every scale of
    ``scales`` (``nan`` where not rated).

    It is a sequence of :class:`DailyScores`; :attr:`dates`, :attr:`values` and :attr:`doses` are
    its columns.
    """

    days: tuple[DailyScores, ...]
    scales: DailyScales = field(default=DAILY_SCALES, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(self.days))
        dates = [row.day for row in self.days]
        if dates != sorted(set(dates)):
            raise DiaryError("diary dates must be unique and sorted; use Diary.from_rows()")
        for row in self.days:
            missing = [name for name in self.scales.names if name not in row.scores]
            if missing:
                raise DiaryError(
                    f"{row.day}: no value for {', '.join(missing)} (nan for a day not rated)",
                    field=missing[0],
                )

    def __len__(self) -> int:
        return len(self.days)

    @overload
    def __getitem__(self, index: int) -> DailyScores: ...
    @overload
    def __getitem__(self, index: slice) -> Diary: ...
    def __getitem__(self, index: int | slice) -> DailyScores | Diary:
        if isinstance(index, slice):
            return Diary(self.days[index], self.scales)
        return self.days[index]

    def __iter__(self) -> Iterator[DailyScores]:
        return iter(self.days)

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(row.day for row in self.days)

    @property
    def values(self) -> Mapping[str, tuple[float, ...]]:
        """For each scale name, one float per date (``nan`` where that day has no rating)."""
        return {name: tuple(row.scores[name] for row in self.days) for name in self.scales.names}

    @property
    def doses(self) -> tuple[Decimal | None, ...]:
        """Dose in mg taken each day, or ``None`` when not recorded."""
        return tuple(row.dose_mg for row in self.days)

    def series(self, outcome: str) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Return ``(day_numbers, values)`` of the days that have a rating for ``outcome``.

        Day numbers are proleptic Gregorian ordinals (:meth:`datetime.date.toordinal`), so a
        gap between two consecutive entries is their difference.
        """
        self.scales.scale(outcome)
        days = np.array([d.toordinal() for d in self.dates], dtype=np.int64)
        vals = np.array(self.values[outcome], dtype=np.float64)
        keep = ~np.isnan(vals)
        return days[keep], vals[keep]

    def between(self, first: date | None = None, last: date | None = None) -> Diary:
        """The days from ``first`` to ``last`` (inclusive; ``None``: no bound on that side)."""
        return Diary(
            tuple(
                row
                for row in self.days
                if (first is None or row.day >= first) and (last is None or row.day <= last)
            ),
            self.scales,
        )

    def dose_on(self, day: date) -> Decimal | None:
        """The dose recorded on ``day`` (``None`` if the day or its dose is absent)."""
        return next((row.dose_mg for row in self.days if row.day == day), None)

    @classmethod
    def from_rows(
        cls, rows: Iterable[Mapping[str, object]], *, scales: DailyScales = DAILY_SCALES
    ) -> Diary:
        """Build a diary from mappings with the diary CSV's keys (``date``, one per scale, and
        optionally ``dose_mg``); values may be str or numbers.

        Row numbers in error messages count from 1 for the first data row.
        """
        return diary_from_numbered_rows(
            ((i + 1, row) for i, row in enumerate(rows)), where="row", scales=scales
        )


def cell_text(row: Mapping[str, object], column: str) -> str:
    """The stripped text of a cell (empty for a missing cell or ``None``)."""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _score(raw: str, *, name: str, low: float, high: float, where: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise DiaryError(
            f"{where}, column {name}: {raw!r} is not a number from {low:g} to {high:g}; "
            "correct or leave the cell empty",
            field=name,
        )
    return value


def _dose(raw: str, where: str) -> Decimal:
    try:
        dose = Decimal(raw)
    except InvalidOperation:
        dose = Decimal("NaN")
    if not dose.is_finite() or dose < 0:
        raise DiaryError(
            f"{where}, column dose_mg: {raw!r} is not a dose in mg (a number ≥ 0, e.g. 4.5)",
            field="dose_mg",
        )
    return dose


def diary_from_numbered_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]], *, where: str, scales: DailyScales
) -> Diary:
    """The diary of ``(number, row)`` pairs; errors say ``"{where} {number}"`` (row or line)."""
    sums: dict[date, dict[str, list[float]]] = {}
    doses: dict[date, tuple[Decimal, int]] = {}
    for number, row in rows:
        here = f"{where} {number}"
        if None in row:  # csv.DictReader puts surplus cells under the key None
            raise DiaryError(f"{here}: more cells than header columns", field="date")
        raw_date = cell_text(row, "date")
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            raise DiaryError(
                f"{here}, column date: {raw_date!r} is not an ISO date (write YYYY-MM-DD)",
                field="date",
            ) from None
        per_day = sums.setdefault(day, {name: [] for name in scales.names})
        for scale in scales:
            raw = cell_text(row, scale.name)
            if raw:
                per_day[scale.name].append(
                    _score(raw, name=scale.name, low=scale.low, high=scale.high, where=here)
                )
        raw_dose = cell_text(row, "dose_mg")
        if raw_dose:
            dose = _dose(raw_dose, here)
            if day in doses and doses[day][0] != dose:
                raise DiaryError(
                    f"{here}, column dose_mg: {day} already has dose {doses[day][0]} mg "
                    f"({where} {doses[day][1]}); one dose per date",
                    field="dose_mg",
                )
            doses[day] = (dose, number)
    if not sums:
        raise DiaryError("the diary has no rows; add at least one dated check-in", field="date")
    return Diary(
        tuple(
            DailyScores(
                day=day,
                scores={name: float(np.mean(v)) if v else math.nan for name, v in per_day.items()},
                dose_mg=doses[day][0] if day in doses else None,
            )
            for day, per_day in sorted(sums.items())
        ),
        scales,
    )
