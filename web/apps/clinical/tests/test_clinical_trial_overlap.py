"""A plan that overlaps a blinded N-of-1 trial that has not ended is refused with the dates that
fit, or shortened to end the day before the trial when the clinician asks; signing re-checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.clinical.models import Prescription
from apps.clinical.queries import open_trial_windows, patient_today
from apps.clinical.tests.factories import make_prescription
from apps.nof1.models import Nof1Trial

pytestmark = pytest.mark.django_db


def _trial(patient: Patient, clinician: User, pharmacist: User, *, in_days: int = 7) -> Nof1Trial:
    start = patient_today(patient) + timedelta(days=in_days)
    return Nof1Trial.objects.create(
        patient=patient,
        pharmacy=pharmacist.pharmacies.get(),
        created_by=clinician,
        arms=["placebo", "4.5"],
        cycles=3,
        period_days=28,
        run_in_days=7,
        start=start,
        end=start + timedelta(days=6 * 28 - 1),
        schedule=[],
        run_in_derivation={},
    )


def _new(client: Client, patient: Patient, **values: str) -> object:
    body = {
        "protocol": "custom",
        "custom_steps": "4.5:open",
        "start": patient_today(patient).isoformat(),
        "dose_time": "bedtime",
        "form": "capsule",
        "supply_days": "28",
    }
    return client.post(f"/patients/{patient.pk}/prescriptions/new/", body | values)


def test_a_plan_running_into_next_weeks_trial_is_refused_with_the_end_date_that_fits(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    patient: Patient,
) -> None:
    trial = _trial(patient, clinician, pharmacist)
    client = client_for(clinician)
    assert (
        b"End the plan the day before the trial starts"
        in client.get(f"/patients/{patient.pk}/prescriptions/new/").content
    )

    response = _new(client, patient)

    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    before = (trial.start - timedelta(days=1)).isoformat()
    assert "overlaps the blinded N-of-1 trial" in page
    assert f"end the plan on {before}, the day before the trial&#x27;s run-in starts" in page
    assert "(a supply of 7 days)" in page
    assert not Prescription.objects.exists()


def test_the_clinician_can_end_the_plan_the_day_before_the_trial(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    patient: Patient,
) -> None:
    trial = _trial(patient, clinician, pharmacist)

    response = _new(client_for(clinician), patient, end_before_trial="yes")

    assert response.status_code == 302  # type: ignore[attr-defined]
    rx = Prescription.objects.get()
    assert rx.supply_days == 7
    assert rx.end_date == trial.start - timedelta(days=1)


def test_an_ended_trial_holds_no_days(clinician: User, pharmacist: User, patient: Patient) -> None:
    trial = _trial(patient, clinician, pharmacist)
    trial.stopped_at, trial.stopped_by, trial.stop_reason = timezone.now(), clinician, "moved"
    trial.save()

    assert open_trial_windows(patient) == []


def test_signing_refuses_a_draft_that_a_new_trial_overlaps(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    patient: Patient,
) -> None:
    draft = make_prescription(patient, clinician, status="draft", days=85)
    _trial(patient, clinician, pharmacist)

    response = client_for(clinician).post(
        f"/patients/{patient.pk}/prescriptions/{draft.pk}/sign/",
        {"consent": "yes", "pharmacy": str(pharmacist.pharmacies.get().pk)},
    )

    assert response.status_code == 400
    assert b"overlaps the blinded N-of-1 trial" in response.content
    draft.refresh_from_db()
    assert draft.status == "draft"
