"""Read-side helpers: the patient's "today", and the safety screen of what is stored."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.accounts.models import Patient
from lowdose.safety import ScreeningResult, StoppedMedication, screen

__all__ = ["patient_today", "screen_patient"]


def patient_today(patient: Patient) -> date:
    """Today's date where the patient lives (the day counts of the screen use it)."""
    return timezone.now().astimezone(ZoneInfo(patient.time_zone)).date()


def screen_patient(patient: Patient, today: date | None = None) -> ScreeningResult:
    """Run :func:`lowdose.safety.screen` on the stored medication list, conditions and surgery.

    A stopped medicine enters the screen with its days since the last dose; the next planned
    surgery (today or later) with the days until it.
    """
    today = today or patient_today(patient)
    meds = list(patient.medications.all())
    current = [m.name for m in meds if m.stopped_on is None]
    stopped = [
        StoppedMedication(m.name, (today - m.stopped_on).days)
        for m in meds
        if m.stopped_on is not None and m.stopped_on <= today
    ]
    conditions = [c.name for c in patient.conditions.all()]
    surgery = patient.surgeries.filter(on__gte=today).order_by("on").first()
    return screen(
        medications=current,
        stopped=stopped,
        conditions=conditions,
        surgery_in_days=None if surgery is None else (surgery.on - today).days,
    )
