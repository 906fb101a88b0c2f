"""The clinic admin's de-identified research export: gathers the clinic's rows and hands them to
:mod:`lowdose.interop.research`, which removes identifiers, shifts dates and writes the archive.

Which patients: those of the admin's own clinic (:data:`apps.accounts.access.ACTIONS`,
``research.export``) who said yes to research use of their data (opt-in: no answer is no;
:class:`apps.research.models.ResearchConsent`). One audit event names every patient exported and
how many were left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from apps.accounts.access import visible_patients
from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.models import Checkin, SideEffectReport
from apps.clinical.models import AssessmentResult, Condition, Prescription
from apps.nof1.models import Nof1Trial
from lowdose.daily import DAILY_SCALES
from lowdose.interop.research import Pseudonym, archive, pseudonyms

__all__ = ["ResearchExport", "research_export"]

README = """lowdose de-identified research export
=====================================

Made on {made} by one clinic. Patients exported: {patients}. Left out: {declined} (they said
no to research use of their data, or have not said yes).

Every name, user name, e-mail address, record number and database id is removed; each patient is
a random study id, new in every export (two exports cannot be joined on it). Free text (notes,
side-effect details, reasons) is left out. Every date of a patient is moved by that patient's own
number of whole weeks (between -26 and +26, never 0, new in every export): intervals and
weekdays within a patient are true, calendar dates are not.

This is pseudonymised data, not anonymous data: dates are shifted, not removed, so it is not
"Safe Harbor" de-identified (45 CFR 164.514(b)(2)) and, in the EU and UK, it is still personal
data. Share it only under a research agreement that forbids re-identification.

data_dictionary.csv describes every column of every table. CSV files are RFC 4180: UTF-8, comma
separated, CRLF line ends.
"""


@dataclass(frozen=True)
class ResearchExport:
    """The archive and what it holds."""

    data: bytes
    patients: int
    declined: int
    filename: str


def _trial_days(trials: Sequence[Nof1Trial]) -> dict[int, list[tuple[date, date]]]:
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for trial in trials:
        spans[trial.patient_id].append((trial.start, trial.end))
    return spans


def _checkin_rows(ids: list[int], who: dict[int, Pseudonym], trials: Sequence[Nof1Trial]) -> Any:
    spans = _trial_days(trials)
    rows = []
    counts: dict[int, int] = defaultdict(int)
    for c in Checkin.objects.in_diary().filter(patient_id__in=ids).order_by("patient_id", "day"):
        p = who[c.patient_id]
        counts[c.patient_id] += 1
        in_trial = any(start <= c.day <= end for start, end in spans[c.patient_id])
        rows.append(
            (
                p.study_id,
                p.shift(c.day),
                *(getattr(c, name) for name in DAILY_SCALES.names),
                c.dose_status,
                c.dose_mg,
                c.dose_time.strftime("%H:%M") if c.dose_time else None,
                in_trial,
            )
        )
    return rows, counts


def _side_effect_rows(ids: list[int], who: dict[int, Pseudonym]) -> list[tuple[Any, ...]]:
    reports = (
        SideEffectReport.objects.filter(checkin__patient_id__in=ids, checkin__deleted_at=None)
        .order_by("checkin__patient_id", "checkin__day", "pk")
        .values_list("checkin__patient_id", "checkin__day", "name", "severity")
    )
    return [(who[pid].study_id, who[pid].shift(day), n, s) for pid, day, n, s in reports]


def _questionnaire_rows(ids: list[int], who: dict[int, Pseudonym]) -> list[tuple[Any, ...]]:
    results = AssessmentResult.objects.filter(patient_id__in=ids).order_by(
        "patient_id", "completed_on", "pk"
    )
    return [
        (
            who[r.patient_id].study_id,
            who[r.patient_id].shift(r.completed_on),
            r.instrument,
            r.version,
            r.total,
            r.band,
        )
        for r in results
    ]


def _regimen_rows(ids: list[int], who: dict[int, Pseudonym]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    number: dict[int, int] = defaultdict(int)
    kept = (Prescription.Status.SIGNED, Prescription.Status.DISPENSED)
    prescriptions = Prescription.objects.filter(patient_id__in=ids, status__in=kept).order_by(
        "patient_id", "start_date", "pk"
    )
    for rx in prescriptions:
        p = who[rx.patient_id]
        number[rx.patient_id] += 1
        for step in rx.steps:
            end = step.get("end")
            rows.append(
                (
                    p.study_id,
                    number[rx.patient_id],
                    rx.protocol,
                    rx.form,
                    rx.concentration_mg_per_ml,
                    p.shift(date.fromisoformat(step["start"])),
                    p.shift(date.fromisoformat(end)) if end else None,
                    Decimal(step["dose_mg"]),
                    step.get("time", rx.dose_time),
                )
            )
    return rows


def _trial_rows(trials: Sequence[Nof1Trial], who: dict[int, Pseudonym]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    number: dict[int, int] = defaultdict(int)
    for trial in trials:
        number[trial.patient_id] += 1
        if trial.unblinded_at is None or not trial.result:
            continue  # blinded, or ended without a result: nothing about its arms leaves
        p = who[trial.patient_id]
        for effect in trial.result.get("effects", []):
            rows.append(
                (
                    p.study_id,
                    number[trial.patient_id],
                    p.shift(trial.start),
                    p.shift(trial.end),
                    trial.cycles,
                    trial.period_days,
                    trial.result.get("outcome", trial.outcome),
                    effect["arm"],
                    effect["mean"],
                    effect["ci_low"],
                    effect["ci_high"],
                    effect["p_better"],
                    trial.mcid,
                )
            )
    return rows


def research_export(actor: Actor, user: User) -> ResearchExport:
    """The de-identified archive of ``user``'s clinic (a clinic admin; anyone else gets an
    empty one, which the views never offer), audited in one event."""
    patients = visible_patients(user, "research.export")
    agreed = patients.filter(research_consent__agreed=True)
    kept = list(agreed.order_by("pk"))
    declined = patients.count() - len(kept)
    ids = [p.pk for p in kept]
    who = pseudonyms(ids)
    conditions: dict[int, list[str]] = defaultdict(list)
    for pid, name in (
        Condition.objects.listed().filter(patient_id__in=ids).values_list("patient_id", "name")
    ):
        conditions[pid].append(name)
    trials = list(Nof1Trial.objects.filter(patient_id__in=ids).order_by("patient_id", "start"))
    checkins, counts = _checkin_rows(ids, who, trials)
    gathered = {
        "patients": _patient_rows(kept, who, conditions, counts),
        "checkins": checkins,
        "side_effects": _side_effect_rows(ids, who),
        "questionnaires": _questionnaire_rows(ids, who),
        "regimen_steps": _regimen_rows(ids, who),
        "nof1_trials": _trial_rows(trials, who),
    }
    # In the order of the random study ids, then of time: the database's order (the order of
    # enrolment) does not leave with the rows. The sort is stable within a patient's day.
    rows = {name: sorted(table, key=lambda r: (r[0], r[1])) for name, table in gathered.items()}
    today = timezone.localdate()
    readme = README.format(made=today.isoformat(), patients=len(ids), declined=declined)
    data = archive(rows, readme, created=today)
    with transaction.atomic():
        record_as(
            actor,
            "research.export",
            clinic_id=user.clinic_id,
            detail={"patient_ids": ids, "declined": declined, "bytes": len(data)},
        )
    return ResearchExport(data, len(ids), declined, f"lowdose-research-{today.isoformat()}.zip")


def _patient_rows(
    kept: Sequence[Patient],
    who: dict[int, Pseudonym],
    conditions: dict[int, list[str]],
    counts: dict[int, int],
) -> list[tuple[Any, ...]]:
    return [
        (
            who[p.pk].study_id,
            who[p.pk].shift(p.created_at.astimezone(ZoneInfo(p.time_zone)).date()),
            ";".join(sorted(conditions[p.pk])),
            counts[p.pk],
        )
        for p in kept
    ]
