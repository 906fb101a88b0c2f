"""Build N-of-1 trials for tests through the real design action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import RequestFactory

from apps.accounts.models import Patient, Pharmacy, User
from apps.checkins.queries import patient_today
from apps.nof1.actions import DesignRequest, design_trial
from apps.nof1.models import Nof1Trial


def make_trial(
    patient: Patient,
    clinician: User,
    pharmacy: Pharmacy,
    *,
    days_ago: int = 22,
    arms: tuple[str, ...] = ("placebo", "4.5"),
    cycles: int = 2,
    period_days: int = 10,
) -> Nof1Trial:
    """A trial that started ``days_ago`` days ago (periods of 10 days, run-in of about 5)."""
    request = RequestFactory().post("/")
    request.user = clinician
    spec = DesignRequest(
        arms=arms,
        cycles=cycles,
        period_days=period_days,
        start=patient_today(patient) - timedelta(days=days_ago),
        onset_days=0,
        pharmacy=pharmacy,
        outcome="pain",
        mcid=1.0,
    )
    trial, _ = design_trial(request, patient, spec)
    return trial


def trial_setup(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Access-matrix setup: a trial of the target patient. The own patient's kits are made by the
    pharmacist persona's pharmacy; another patient's by a different pharmacy."""
    pharmacist: User = people["pharmacist"]
    if whose == "own":
        pharmacy = pharmacist.pharmacies.get()
        clinician = people["clinician"]
    else:
        pharmacy, _ = Pharmacy.objects.get_or_create(name="Another compounding pharmacy")
        clinician = target.care_team.clinicians.get()
    trial = make_trial(target, clinician, pharmacy)
    return {
        "{trial}": str(trial.pk),
        "{pharmacy}": str(pharmacy.pk),
        "{start}": (patient_today(target) + timedelta(days=7)).isoformat(),
    }
