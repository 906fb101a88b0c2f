"""The period a visit report covers: since the last visit, or the dates asked for.

The last visit is the latest day *before today* on which a clinician recorded something only a
visit produces: completed a questionnaire for the patient (an assessment result entered by a
clinician, such as the ACR criteria) or signed a prescription. Today is left out because the
report is printed for today's visit: a questionnaire completed this morning must not shrink the
period to one day. Without a last visit the period starts at the first check-in, at most
:data:`DEFAULT_DAYS` before today. Chosen dates (``start``, ``end``, ISO 8601) replace it; a
period is at most :data:`MAX_DAYS` long and ends no later than the patient's today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from apps.accounts.models import Patient, Role
from apps.checkins.queries import checkins_of
from apps.clinical.models import Prescription
from lowdose.errors import InputError

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "Period", "last_visit", "period_for"]

#: Without a last visit, how far back the report looks (about the 12 weeks of a trial of LDN).
DEFAULT_DAYS = 84
#: The longest period one report covers: a year (a page holds no more).
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, and how they were chosen."""

    start: date
    end: date
    #: ``last_visit``, ``first_checkin``, ``default`` or ``chosen``
    rule: str
    last_visit: date | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def last_visit(patient: Patient, today: date) -> date | None:
    """The latest day before ``today`` with a clinician's questionnaire or a signed prescription."""
    assessed = (
        patient.assessment_results.filter(completed_by__role=Role.CLINICIAN, completed_on__lt=today)
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    signed = [
        when.astimezone(ZoneInfo(patient.time_zone)).date()
        for when in patient.prescriptions.exclude(status=Prescription.Status.DRAFT)
        .filter(signed_at__isnull=False)
        .values_list("signed_at", flat=True)
        if when is not None
    ]
    days = [d for d in [assessed, *signed] if d is not None and d < today]
    return max(days, default=None)


def _parse(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(
            f"{field.capitalize()} date {raw[:40]!r} is not a date: write it as YYYY-MM-DD, "
            "e.g. 2026-03-01.",
            field=field,
        ) from None


def period_for(patient: Patient, start: str | None = None, end: str | None = None) -> Period:
    """The report's period: the chosen dates when given (either may be left out), else since
    the last visit (module docstring). Raises :class:`InputError` on a date that cannot be
    used, naming the field and what to write instead."""
    today = patient.today()
    previous = last_visit(patient, today)
    end_day = _parse(end, "end") if end else today
    if end_day > today:
        raise InputError(
            f"The end date {end_day.isoformat()} is in the future: choose today "
            f"({today.isoformat()}) or an earlier day.",
            field="end",
        )
    if start:
        start_day, rule = _parse(start, "start"), "chosen"
    elif end:
        start_day, rule = end_day - timedelta(days=DEFAULT_DAYS - 1), "chosen"
    elif previous is not None:
        start_day, rule = previous, "last_visit"
    else:
        first = checkins_of(patient).order_by("day").values_list("day", flat=True).first()
        floor = today - timedelta(days=DEFAULT_DAYS - 1)
        start_day, rule = (max(first, floor), "first_checkin") if first else (floor, "default")
    if start_day > end_day:
        raise InputError(
            f"The start date {start_day.isoformat()} is after the end date "
            f"{end_day.isoformat()}: choose a start on or before the end.",
            field="start",
        )
    if (end_day - start_day).days + 1 > MAX_DAYS:
        raise InputError(
            f"A report covers at most {MAX_DAYS} days; choose a start on or after "
            f"{(end_day - timedelta(days=MAX_DAYS - 1)).isoformat()}.",
            field="start",
        )
    return Period(start_day, end_day, rule, previous)
