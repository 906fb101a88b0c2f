"""The patient's downloads and pages: calendar (.ics), FHIR MedicationRequest, treatment page
(no drafts for the patient) and the printable wallet card."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from icalendar import Calendar

from apps.accounts.models import Patient, Pharmacy, User
from apps.clinical.tests.factories import make_prescription
from lowdose.interop.fhir import steps_from_medication_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


def test_the_calendar_has_one_event_per_dose(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    response = client_for(patient.user).get(
        f"/patients/{patient.pk}/prescriptions/{rx.pk}/plan.ics"
    )
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="ldn-plan-{rx.pk}.ics"'
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 84  # the 84-day supply, one dose a day
    assert [str(e["UID"]) for e in events[:1]] == [
        f"lowdose-{rx.lineage}-{rx.start_date:%Y%m%d}@lowdose"
    ]
    assert str(events[0]["SUMMARY"]) == "LDN 1.5 mg at bedtime"
    assert str(events[14]["SUMMARY"]) == "LDN 2 mg at bedtime"


def test_the_fhir_download_round_trips_the_exact_steps(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    response = client_for(clinician).get(
        f"/patients/{patient.pk}/prescriptions/{rx.pk}/medication-request.json"
    )
    resource = json.loads(response.content)
    assert resource["resourceType"] == "MedicationRequest"
    assert resource["status"] == "active"
    assert resource["subject"]["reference"].startswith("urn:uuid:")
    assert resource["subject"]["identifier"]["value"] == str(patient.pk)
    assert resource["identifier"][0]["value"] == str(rx.pk)
    assert resource["contained"][0]["form"]["coding"][0]["code"] == "CAP"
    assert resource["dispenseRequest"]["expectedSupplyDuration"]["value"] == rx.supply_days
    assert len(resource["dosageInstruction"]) == 6
    assert steps_from_medication_request(resource) == rx.plan()


def test_a_draft_medication_request_is_the_clinicians_alone(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
) -> None:
    draft = make_prescription(patient, clinician, status="draft")
    path = f"/patients/{patient.pk}/prescriptions/{draft.pk}/medication-request.json"
    assert client_for(patient.user).get(path).status_code == 404
    resource = json.loads(client_for(clinician).get(path).content)
    assert resource["status"] == "draft"


def test_the_patient_does_not_see_drafts(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    signed = make_prescription(patient, clinician, pharmacy=pharmacy)
    draft = make_prescription(patient, clinician, status="draft")
    page = client_for(patient.user).get(f"/patients/{patient.pk}/treatment/")
    assert [rx for rx, _ in page.context["prescriptions"]] == [signed]
    assert client_for(clinician).get(f"/patients/{patient.pk}/treatment/").context["prescriptions"][
        0
    ][0] in (signed, draft)


def test_the_wallet_card_prints_the_warning_with_the_dose(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    make_prescription(patient, clinician, pharmacy=pharmacy)
    page = client_for(patient.user).get(f"/patients/{patient.pk}/wallet-card/")
    text = page.content.decode()
    assert "I take naltrexone" in text
    assert "tell the anaesthetist" in text
    assert "(LDN) 1.5 mg daily" in text  # today's dose: the plan starts today
    assert page.context["card"].details[0] == "Name: Patient"
