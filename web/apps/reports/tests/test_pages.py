"""Where each role finds the visit report: the patient's page (the patient's home) and the
report page, which offers the care team's version to the care team only."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from apps.accounts.models import Patient, User
from apps.clinical.models import AssessmentResult
from apps.clinical.queries import patient_today
from lowdose import instruments


def _client(user: User | None) -> Client:
    assert user is not None
    client = Client()
    client.force_login(user)
    return client


def test_the_patients_home_links_to_the_report(patient: Patient) -> None:
    home = _client(patient.user).get("/", follow=True)

    assert f'href="/patients/{patient.pk}/visit-report/"'.encode() in home.content


def test_the_patient_page_links_to_the_report_for_the_clinician(
    patient: Patient, clinician: User
) -> None:
    page = _client(clinician).get(f"/patients/{patient.pk}/")

    assert f'href="/patients/{patient.pk}/visit-report/"'.encode() in page.content


def test_the_report_page_offers_the_care_teams_version_to_the_care_team_only(
    patient: Patient, clinician: User
) -> None:
    care_team = _client(clinician).get(f"/patients/{patient.pk}/visit-report/")
    own = _client(patient.user).get(f"/patients/{patient.pk}/visit-report/")

    assert b'value="clinician"' in care_team.content
    assert b'value="clinician"' not in own.content
    assert b'name="audience" value="patient"' in own.content


def test_the_report_page_says_since_when(patient: Patient, clinician: User) -> None:
    result = instruments.score("phq2", {"item1": 1, "item2": 0})
    AssessmentResult.objects.create(
        patient=patient,
        instrument="phq2",
        version=result.version,
        total=str(result.total),
        band=result.band or "",
        interpretation=result.interpretation,
        result=result.to_dict(),
        completed_on=patient_today(patient) - timedelta(days=10),
        completed_by=clinician,
    )
    visit = patient_today(patient) - timedelta(days=10)

    page = _client(patient.user).get(f"/patients/{patient.pk}/visit-report/")

    assert f"since the last visit, on {visit.day} {visit:%B} {visit.year}".encode() in page.content
