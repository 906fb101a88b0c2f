"""apps.accounts.treatment: the facts of a patient's treatment come from the apps that own them,
registered when Django starts, and a missing provider fails closed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.accounts import treatment
from apps.accounts.models import Patient
from apps.clinical.treatment import ClinicalPrescriptionFacts
from apps.nof1.treatment import Nof1TrialFacts


def test_both_owners_registered_when_django_started() -> None:
    assert isinstance(treatment._one(treatment._prescriptions, "x"), ClinicalPrescriptionFacts)
    assert isinstance(treatment._one(treatment._trials, "x"), Nof1TrialFacts)


@pytest.fixture
def no_providers() -> Iterator[None]:
    saved = list(treatment._prescriptions), list(treatment._trials)
    treatment._prescriptions.clear()
    treatment._trials.clear()
    try:
        yield
    finally:
        treatment._prescriptions[:], treatment._trials[:] = saved


@pytest.mark.django_db
@pytest.mark.usefixtures("no_providers")
def test_without_a_provider_every_question_is_an_error_not_a_no(patient: Patient) -> None:
    """Fail closed: 'nobody holds naltrexone' is never the answer of a missing provider."""
    day = date(2026, 3, 1)
    for ask in (
        lambda: treatment.naltrexone_holders([patient.pk]),
        lambda: treatment.safety_hold(patient),
        lambda: treatment.open_trial_windows(patient, day),
        lambda: treatment.blinded_kit(patient, day),
    ):
        with pytest.raises(ImproperlyConfigured, match="must be in INSTALLED_APPS"):
            ask()


@pytest.mark.django_db
def test_a_patient_with_nothing_holds_nothing(patient: Patient) -> None:
    assert treatment.naltrexone_holders([patient.pk]) == (set(), set())
    assert treatment.safety_hold(patient) is False
    assert treatment.blinded_kit(patient, date(2026, 3, 1)) is None
