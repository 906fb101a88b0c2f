"""A patient with something in every section of the visit report, and PDF text extraction."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from apps.accounts.models import Patient, Pharmacy, User
from apps.alerts.models import Alert
from apps.clinical.models import AssessmentResult
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from lowdose import instruments
from lowdose.diary import SideEffect

__all__ = ["ALERT_MESSAGE", "full_record", "pdf_text", "poppler"]

ALERT_MESSAGE = "Pain has risen by 3 points over the last week: call the patient."


def poppler(tool: str) -> str:
    """The path of a poppler-utils program, or skip saying how to install it."""
    found = shutil.which(tool)
    if found is None:
        pytest.skip(
            f"{tool} is not installed (Debian: apt-get install poppler-utils; `make test` "
            "installs it)"
        )
    return found


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it (reading order, no layout)."""
    done = subprocess.run(
        [poppler("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def patient_user(patient: Patient) -> User:
    assert patient.user is not None
    return patient.user


def full_record(
    patient: Patient, clinician: User, make_checkin: Callable[..., Any]
) -> dict[str, Any]:
    """Baseline days, then LDN with a dose step and a missed dose, a PHQ-9 with a risk flag, a
    signed plan and an open alert. The last check-in's scores are distinctive (pain 2, fatigue 7,
    sleep 8, mood 9) so the test can find them."""
    for days_ago in range(30, 20, -1):  # ten baseline days, no dose
        make_checkin(
            patient, days_ago, pain=6, fatigue=6, sleep=4, mood=4, dose_status="none", dose_mg=None
        )
    for days_ago in range(20, 0, -1):
        dose = "1.5" if days_ago > 10 else "3"
        if days_ago == 5:
            make_checkin(patient, days_ago, dose_status="missed", dose_mg=None, side_effects=())
            continue
        effects = (
            (SideEffect("vivid_dreams", "moderate" if days_ago == 3 else "mild", ""),)
            if days_ago in (3, 4)
            else ()
        )
        make_checkin(
            patient,
            days_ago,
            pain=4,
            fatigue=5,
            sleep=6,
            mood=6,
            dose_mg=dose,
            side_effects=effects,
        )
    make_checkin(patient, 0, pain=2, fatigue=7, sleep=8, mood=9, dose_mg="3")
    result = instruments.score("phq9", {f"item{i}": 1 for i in range(1, 10)})
    AssessmentResult.objects.create(
        patient=patient,
        instrument="phq9",
        version=result.version,
        total=str(result.total),
        band=result.band or "",
        interpretation=result.interpretation,
        result=result.to_dict(),
        completed_on=patient_today(patient) - timedelta(days=3),
        completed_by=patient_user(patient),
    )
    make_prescription(
        patient,
        clinician,
        pharmacy=Pharmacy.objects.get_or_create(name="Report pharmacy")[0],
        start=patient_today(patient) - timedelta(days=20),
    )
    Alert.objects.create(
        patient=patient,
        kind="pain_rise",
        key="pain_rise",
        severity="warning",
        message=ALERT_MESSAGE,
    )
    return {"phq9_total": str(result.total), "phq9_band": result.band}
