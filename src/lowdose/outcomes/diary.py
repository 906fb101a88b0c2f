"""The daily diary as the outcomes engine reads it: one value per outcome per calendar day.

The CSV interface is ``date,pain,fatigue,sleep,mood`` with ISO dates and an optional
``dose_mg`` column. Every outcome is a 0–10 numeric rating scale (NRS). Several rows for the
same date (e.g. a morning and an evening check-in) are averaged, ignoring empty cells; a date
whose cells are all empty for an outcome is a missing day for that outcome.

Direction of each item (which way is better) is part of the definition because the scales do
not agree: pain and fatigue are "higher is worse" (0–10 NRS as recommended by IMMPACT, Dworkin
et al., *Pain* 2005;113:9–19), while the daily check-in asks for *sleep quality* and *mood* with
higher = better. Cappelleri et al. (*Health Qual Life Outcomes* 2009;7:54) validated a sleep
quality NRS that runs the other way (0 = best); a clinic that uses that wording must flip the
direction via :data:`OUTCOMES` before analysis.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from lowdose.errors import DiaryError

__all__ = [
    "OUTCOMES",
    "Diary",
    "OutcomeScale",
    "outcome_scale",
    "parse_diary",
    "read_diary",
]


@dataclass(frozen=True)
class OutcomeScale:
    """One daily item: its name, its wording for people and which direction is better.

    Parameters
    ----------
    name
        Column name in the diary CSV.
    noun
        How a sentence names it ("daily pain").
    lower_is_better
        ``True`` for symptoms (pain, fatigue), ``False`` for sleep quality and mood.
    low, high
        The scale's bounds (0–10 NRS).
    """

    name: str
    noun: str
    lower_is_better: bool
    low: float = 0.0
    high: float = 10.0

    @property
    def better_sign(self) -> int:
        """-1 when a decrease is an improvement, +1 when an increase is."""
        return -1 if self.lower_is_better else 1


#: The four daily items, in CSV column order.
OUTCOMES: Mapping[str, OutcomeScale] = {
    "pain": OutcomeScale("pain", "daily pain", lower_is_better=True),
    "fatigue": OutcomeScale("fatigue", "daily fatigue", lower_is_better=True),
    "sleep": OutcomeScale("sleep", "sleep quality", lower_is_better=False),
    "mood": OutcomeScale("mood", "mood", lower_is_better=False),
}

_REQUIRED = ("date", *OUTCOMES)
_OPTIONAL = ("dose_mg",)


def outcome_scale(name: str) -> OutcomeScale:
    """Return the :class:`OutcomeScale` called ``name`` or raise a :class:`DiaryError`."""
    try:
        return OUTCOMES[name]
    except KeyError:
        raise DiaryError(
            f"unknown outcome {name!r}; choose one of {', '.join(OUTCOMES)}", field="outcome"
        ) from None


@dataclass(frozen=True)
class Diary:
    """A diary with one row per calendar day (several check-ins per day already averaged).

    Attributes
    ----------
    dates
        Sorted, unique calendar dates.
    values
        For each outcome name, one float per date (``nan`` where that day has no rating).
    doses
        Dose in mg taken that day, or ``None`` when not recorded.
    """

    dates: tuple[date, ...]
    values: Mapping[str, tuple[float, ...]]
    doses: tuple[Decimal | None, ...]

    def __post_init__(self) -> None:
        n = len(self.dates)
        if any(len(v) != n for v in self.values.values()) or len(self.doses) != n:
            raise DiaryError("every diary column must have one value per date", field="date")
        if list(self.dates) != sorted(set(self.dates)):
            raise DiaryError("diary dates must be unique and sorted; use parse_diary()")

    def __len__(self) -> int:
        return len(self.dates)

    def series(self, outcome: str) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Return ``(day_numbers, values)`` of the days that have a rating for ``outcome``.

        Day numbers are proleptic Gregorian ordinals (:meth:`datetime.date.toordinal`), so a
        gap between two consecutive entries is their difference.
        """
        outcome_scale(outcome)
        days = np.array([d.toordinal() for d in self.dates], dtype=np.int64)
        vals = np.array(self.values[outcome], dtype=np.float64)
        keep = ~np.isnan(vals)
        return days[keep], vals[keep]

    def dose_on(self, day: date) -> Decimal | None:
        """The dose recorded on ``day`` (``None`` if the day or its dose is absent)."""
        try:
            return self.doses[self.dates.index(day)]
        except ValueError:
            return None

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]]) -> Diary:
        """Build a diary from mappings with the CSV's keys (values may be str or numbers).

        Row numbers in error messages count from 1 for the first data row.
        """
        return _build(((i + 1, row) for i, row in enumerate(rows)), row_offset=0)


def parse_diary(text: str) -> Diary:
    """Parse diary CSV text. Errors name the line number (header = line 1) and the column."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise DiaryError(
            f"diary CSV is missing column(s) {', '.join(missing)}; the header must be "
            f"'date,pain,fatigue,sleep,mood' (optionally ',dose_mg')",
            field=missing[0],
        )
    unknown = [c for c in header if c not in _REQUIRED and c not in _OPTIONAL]
    if unknown:
        raise DiaryError(
            f"diary CSV has unknown column(s) {', '.join(unknown)}; allowed are "
            f"{', '.join(_REQUIRED + _OPTIONAL)}",
            field=unknown[0],
        )
    reader.fieldnames = header
    return _build(((i + 2, row) for i, row in enumerate(reader)), row_offset=1)


def read_diary(path: str | Path) -> Diary:
    """Read a diary CSV file (UTF-8, optional BOM)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DiaryError(f"cannot read diary file {path}: {exc.strerror}", field="path") from exc
    return parse_diary(text)


def _cell(row: Mapping[str, object], column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    return str(value).strip()


def _build(rows: Iterable[tuple[int, Mapping[str, object]]], *, row_offset: int) -> Diary:
    where = "line" if row_offset else "row"
    sums: dict[date, dict[str, list[float]]] = {}
    doses: dict[date, tuple[Decimal, int]] = {}
    for number, row in rows:
        if None in row:  # csv.DictReader puts surplus cells under the key None
            raise DiaryError(f"{where} {number}: more cells than header columns", field="date")
        raw_date = _cell(row, "date")
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            raise DiaryError(
                f"{where} {number}, column date: {raw_date!r} is not an ISO date "
                "(write YYYY-MM-DD)",
                field="date",
            ) from None
        per_day = sums.setdefault(day, {name: [] for name in OUTCOMES})
        for name, scale in OUTCOMES.items():
            raw = _cell(row, name)
            if raw == "":
                continue
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or not scale.low <= value <= scale.high:
                raise DiaryError(
                    f"{where} {number}, column {name}: {raw!r} is not a number from "
                    f"{scale.low:g} to {scale.high:g}; correct or leave the cell empty",
                    field=name,
                )
            per_day[name].append(value)
        raw_dose = _cell(row, "dose_mg")
        if raw_dose:
            try:
                dose = Decimal(raw_dose)
            except InvalidOperation:
                dose = Decimal("NaN")
            if not dose.is_finite() or dose < 0:
                raise DiaryError(
                    f"{where} {number}, column dose_mg: {raw_dose!r} is not a dose in mg "
                    "(a number ≥ 0, e.g. 4.5)",
                    field="dose_mg",
                )
            if day in doses and doses[day][0] != dose:
                raise DiaryError(
                    f"{where} {number}, column dose_mg: {day} already has dose "
                    f"{doses[day][0]} mg ({where} {doses[day][1]}); one dose per date",
                    field="dose_mg",
                )
            doses[day] = (dose, number)
    if not sums:
        raise DiaryError("the diary has no rows; add at least one dated check-in", field="date")
    ordered = sorted(sums)
    values = {
        name: tuple(float(np.mean(sums[d][name])) if sums[d][name] else math.nan for d in ordered)
        for name in OUTCOMES
    }
    return Diary(
        dates=tuple(ordered),
        values=values,
        doses=tuple(doses[d][0] if d in doses else None for d in ordered),
    )
