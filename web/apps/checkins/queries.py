"""Reads of check-in data. Callers must already hold a patient from the access module."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Patient
from apps.checkins.models import Checkin
from lowdose.diary import Checkin as CoreCheckin
from lowdose.diary import PatientSummary, summarize

__all__ = ["PanelRow", "checkins_of", "core_checkins", "panel_rows", "patient_today", "summary_of"]


def patient_today(patient: Patient) -> date:
    return timezone.now().astimezone(ZoneInfo(patient.time_zone)).date()


def checkins_of(patient: Patient) -> QuerySet[Checkin]:
    return Checkin.objects.filter(patient=patient).prefetch_related("side_effects")


def core_checkins(patient: Patient) -> list[CoreCheckin]:
    return [row.to_core() for row in checkins_of(patient)]


def summary_of(patient: Patient) -> PatientSummary:
    return summarize(core_checkins(patient), today=patient_today(patient))


@dataclass(frozen=True)
class PanelRow:
    patient: Patient
    summary: PatientSummary


def panel_rows(patients: Iterable[Patient]) -> list[PanelRow]:
    """Summaries of many patients in three queries (patients, check-ins, side effects)."""
    patient_list = list(patients)
    by_patient: dict[int, list[CoreCheckin]] = defaultdict(list)
    rows = Checkin.objects.filter(patient__in=patient_list).prefetch_related("side_effects")
    for row in rows:
        by_patient[row.patient_id].append(row.to_core())
    return [
        PanelRow(p, summarize(by_patient[p.pk], today=patient_today(p)))
        for p in sorted(patient_list, key=lambda p: p.display_name)
    ]
