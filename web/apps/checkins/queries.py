"""Reads of check-in data. Callers must already hold a patient from the access module.

Every statistic, chart, alert and analysis reads :func:`checkins_of` (the panel reads the stored
summaries of :mod:`apps.checkins.summaries`, computed from it), which leaves deleted check-ins
out; a changed check-in counts with its current answers. Only the clinician's list of entries
(:func:`diary_entries`) shows deleted ones, marked.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import Patient
from apps.checkins.models import Checkin
from lowdose.daily import DAILY_SCALES, Diary
from lowdose.diary import (
    MIN_BASELINE_DAYS,
    SIDE_EFFECTS,
    PatientSummary,
    SideEffect,
    daily_scores,
    may_change,
    summarize,
)
from lowdose.diary import Checkin as CoreCheckin
from lowdose.errors import LowdoseError
from lowdose.evidence import placebo_reference
from lowdose.outcomes import (
    OutcomesWarning,
    ResponseAnalysis,
    ResponseResult,
)

__all__ = [
    "DiaryEntry",
    "Response",
    "checkins_of",
    "core_checkins",
    "diary_entries",
    "diary_of",
    "patient_today",
    "responses_of",
    "summary_of",
]


def patient_today(patient: Patient) -> date:
    """Today's date where the patient lives (:meth:`Patient.today`)."""
    return patient.today()


def checkins_of(patient: Patient) -> QuerySet[Checkin]:
    """The patient's diary: every check-in that counts (not the deleted ones)."""
    return Checkin.objects.in_diary().filter(patient=patient).prefetch_related("side_effects")


@dataclass(frozen=True)
class DiaryEntry:
    """One row of a list of check-ins: the entry and whether its patient may still change it."""

    checkin: Checkin
    changeable: bool


def diary_entries(
    patient: Patient, *, now: datetime, with_deleted: bool, limit: int = 10
) -> list[DiaryEntry]:
    """The latest ``limit`` check-ins, newest first, with their earlier versions; deleted ones
    too (``with_deleted``, for the care team: marked, never counted)."""
    rows = Checkin.objects.filter(patient=patient)
    if not with_deleted:
        rows = rows.in_diary()
    rows = rows.prefetch_related("side_effects", "revisions").order_by("-recorded_at", "-pk")
    return [
        DiaryEntry(row, row.deleted_at is None and may_change(row.recorded_at, now))
        for row in rows[:limit]
    ]


#: The columns :func:`core_checkins` reads, in order, then one side effect's (a left join).
_CORE_COLUMNS = (
    "client_id",
    "day",
    "recorded_at",
    *DAILY_SCALES.names,
    "dose_status",
    "dose_mg",
    "dose_time",
    "note",
    "kit",
    "pk",
    "side_effects__name",
    "side_effects__severity",
    "side_effects__detail",
)


def core_checkins(patient: Patient) -> list[CoreCheckin]:
    """The patient's diary (:func:`checkins_of`) as the core's check-ins, equal to
    ``[row.to_core() for row in checkins_of(patient)]`` in one statement and without model
    instances: every check-in of a write runs through here, so it is read as plain tuples (a
    left join gives one tuple per side effect, or one with empty effect columns)."""
    rows = (
        Checkin.objects.in_diary()
        .filter(patient=patient)
        .order_by("day", "recorded_at", "pk")
        .values_list(*_CORE_COLUMNS)
    )
    scales = DAILY_SCALES.names
    n = len(scales)
    grouped: dict[int, tuple[tuple[Any, ...], list[SideEffect]]] = {}
    for row in rows:  # a dict keeps the order of the rows: the diary's
        _, effects = grouped.setdefault(row[8 + n], (row, []))
        if row[9 + n] is not None:
            effects.append(SideEffect(row[9 + n], row[10 + n], row[11 + n]))
    return [
        CoreCheckin(
            client_id=row[0],
            day=row[1],
            recorded_at=row[2],
            scores=dict(zip(scales, row[3 : 3 + n], strict=True)),
            dose_status=row[3 + n],
            dose_mg=row[4 + n],
            dose_time=row[5 + n],
            note=row[6 + n],
            kit=row[7 + n],
            side_effects=tuple(sorted(effects, key=lambda e: SIDE_EFFECTS.index(e.name))),
        )
        for row, effects in grouped.values()
    ]


def summary_of(patient: Patient) -> PatientSummary:
    return summarize(core_checkins(patient), today=patient_today(patient))


def diary_of(patient: Patient) -> Diary:
    """The patient's daily series (one row per day, daily means), as every analysis reads it."""
    return daily_scores(core_checkins(patient))


@dataclass(frozen=True)
class Response:
    """An open-label response analysis of one outcome, or why there is none yet."""

    outcome: str
    result: ResponseResult | None
    reason: str = ""
    notes: tuple[str, ...] = field(default=())


def responses_of(summary: PatientSummary) -> list[Response]:
    """Baseline (every day before the first dose) against the recent window of
    ``summary.change_from_baseline`` (the last 14 days at a steady dose), for each outcome, with
    an AR(1) interval and the placebo response beside it (see ``docs/response-analysis.md``).
    The windows are the summary's, so the change each result states is the summary's change."""
    if not summary.days or summary.baseline is None:
        reason = (
            f"Needs at least {MIN_BASELINE_DAYS} days of check-ins before the first dose "
            f"({summary.baseline_days} so far) and some days on LDN."
        )
        return [Response(name, None, reason) for name in DAILY_SCALES.names]
    if summary.recent_start is None or summary.recent_end is None:
        return [Response(name, None, "No days on LDN yet.") for name in DAILY_SCALES.names]
    baseline = summary.days[: summary.baseline_days]
    diary = summary.days
    out = []
    for name in DAILY_SCALES.names:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OutcomesWarning)
            try:
                result = ResponseAnalysis(
                    diary,
                    baseline_start=baseline[0].day,
                    baseline_end=baseline[-1].day,
                    outcome=name,
                    recent_days=(summary.recent_end - summary.recent_start).days + 1,
                    end=summary.recent_end,
                    placebo=placebo_reference(name),
                ).fit()
            except LowdoseError as exc:
                out.append(Response(name, None, str(exc)))
                continue
        notes = tuple(str(w.message) for w in caught if issubclass(w.category, OutcomesWarning))
        out.append(Response(name, result, notes=notes))
    return out
