"""Read-side helpers: the patient's "today" (the screen itself: :mod:`apps.clinical.screening`)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.accounts.models import Patient

__all__ = ["patient_today"]


def patient_today(patient: Patient) -> date:
    """Today's date where the patient lives (the day counts of the screen use it)."""
    return timezone.now().astimezone(ZoneInfo(patient.time_zone)).date()
