"""Assessments: the clinician assigns on a schedule, the patient completes a form generated from
the instrument definition, the core scores it, and the version (and criteria version) is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.clinical.models import AssessmentResult, Assignment
from apps.clinical.queries import patient_today

pytestmark = pytest.mark.django_db


def _assign(
    client: Client, patient: Patient, instrument: str, every_weeks: str = "4"
) -> Assignment:
    client.post(
        f"/patients/{patient.pk}/assessments/",
        {
            "instrument": instrument,
            "start": patient_today(patient).isoformat(),
            "every_weeks": every_weeks,
        },
    )
    return Assignment.objects.get(patient=patient, instrument=instrument)


def test_phq9_every_four_weeks_completed_by_the_patient(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    assignment = _assign(client_for(clinician), patient, "phq9")
    assert assignment.every_weeks == 4
    me = client_for(patient.user)
    url = f"/patients/{patient.pk}/assessments/{assignment.pk}/"
    form = me.get(url)
    assert form.content.count(b'type="radio" name="item1"') == 4  # 0–3, from the definition
    assert b"Pfizer" in form.content

    answers = dict(zip([f"item{i}" for i in range(1, 10)], "221101210", strict=True))
    assert me.post(url, answers).status_code == 302

    row = AssessmentResult.objects.get()
    assert row.total == "10"
    assert row.band == "moderate"  # Kroenke 2001 cut points 5/10/15/20
    assert row.version.startswith("PHQ-9")
    assert row.completed_by == patient.user
    assert AuditEvent.objects.filter(action="assessments.complete", patient_id=patient.pk).exists()
    page = me.get(f"/patients/{patient.pk}/assessments/")
    (due,) = page.context["rows"]
    assert not due.is_due
    assert due.next_due.due == patient_today(patient) + timedelta(weeks=4)


def test_acr2016_self_report_stores_the_criteria_version_and_never_diagnoses(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    assignment = _assign(client_for(clinician), patient, "acr2016_self", every_weeks="")
    areas = [
        "shoulder_girdle_left",
        "shoulder_girdle_right",
        "hip_left",
        "hip_right",
        "neck",
        "upper_back",
        "lower_back",
    ]
    body = dict.fromkeys(areas, "yes") | {
        "fatigue": "2",
        "waking_unrefreshed": "2",
        "cognitive": "1",
        "headaches": "yes",
        "lower_abdominal": "no",
        "depression": "no",
        "duration_months": "6",
    }
    response = client_for(patient.user).post(
        f"/patients/{patient.pk}/assessments/{assignment.pk}/", body
    )
    assert response.status_code == 302
    row = AssessmentResult.objects.get()
    assert row.criteria_version == "acr2016"
    assert row.result["meets_criteria"] is True
    assert row.result["wpi"] == 7
    assert row.result["sss"] == 6
    assert "on self-report (research classification)" in row.interpretation
    assert "diagnos" not in row.interpretation.split("(research classification)")[0]


def test_a_missing_answer_saves_nothing_and_names_the_item(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    assignment = _assign(client_for(clinician), patient, "gad7")
    response = client_for(patient.user).post(
        f"/patients/{patient.pk}/assessments/{assignment.pk}/", {"item1": "2"}
    )
    assert response.status_code == 400
    assert b"item2" in response.content
    assert not AssessmentResult.objects.exists()


def test_patients_cannot_assign_and_cannot_reach_another_patients_assignment(
    client_for: Callable[[User | None], Client],
    clinician: User,
    other_clinician: User,
    patient: Patient,
    other_patient: Patient,
) -> None:
    me = client_for(patient.user)
    url = f"/patients/{patient.pk}/assessments/"
    assert me.post(url, {"instrument": "phq9", "start": "2099-01-01"}).status_code == 404
    theirs = _assign(client_for(other_clinician), other_patient, "phq2")
    # Their assignment id under my own patient id: still not found.
    assert me.get(f"/patients/{patient.pk}/assessments/{theirs.pk}/").status_code == 404
    assert not Assignment.objects.filter(patient=patient).exists()


def test_fiqr_is_not_assignable_without_licensed_wording(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    client = client_for(clinician)
    client.post(
        f"/patients/{patient.pk}/assessments/",
        {"instrument": "fiqr", "start": patient_today(patient).isoformat()},
    )
    assert not Assignment.objects.exists()


def test_a_result_exports_as_a_fhir_bundle(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    assignment = _assign(client_for(clinician), patient, "phq9")
    answers = dict(zip([f"item{i}" for i in range(1, 10)], "221101210", strict=True))
    client_for(patient.user).post(f"/patients/{patient.pk}/assessments/{assignment.pk}/", answers)
    row = AssessmentResult.objects.get()
    response = client_for(clinician).get(
        f"/patients/{patient.pk}/assessment-results/{row.pk}/fhir.json"
    )
    bundle = response.json()
    assert bundle["type"] == "collection"
    person, qr, obs = (e["resource"] for e in bundle["entry"])
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert person["resourceType"] == "Patient"
    assert qr["resourceType"] == "QuestionnaireResponse"
    assert qr["subject"]["reference"] == urls[0]
    assert qr["subject"]["identifier"]["value"] == str(patient.pk)
    assert qr["questionnaire"] == "http://testserver/fhir/Questionnaire/phq9|1"
    assert obs["derivedFrom"] == [{"reference": urls[1]}]
    assert len(qr["item"]) == 9
    assert obs["code"]["coding"][0]["code"] == "44261-6"  # PHQ-9 total (LOINC)
    assert obs["valueInteger"] == 10


@pytest.mark.parametrize("name", ["acr2010", "acr2016"])
def test_a_clinician_completed_form_is_never_offered_to_the_patient(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient, name: str
) -> None:
    from lowdose import instruments

    assert instruments.get(name).completed_by == "clinician"
    assert instruments.get(f"{name}_self" if name == "acr2016" else "acr2011").completed_by == (
        "patient"
    )
    assignment = _assign(client_for(clinician), patient, name, every_weeks="")
    mine = client_for(patient.user)
    page = mine.get(f"/patients/{patient.pk}/assessments/").content.decode()
    assert "your clinician completes this at your visit" in page
    assert f"/assessments/{assignment.pk}/" not in page  # no link to fill it in
    assert mine.get(f"/patients/{patient.pk}/assessments/{assignment.pk}/").status_code == 404
    assert mine.post(f"/patients/{patient.pk}/assessments/{assignment.pk}/", {}).status_code == 404
    assert AssessmentResult.objects.count() == 0
    # the clinician is offered it, at the visit
    theirs = client_for(clinician).get(f"/patients/{patient.pk}/assessments/").content.decode()
    assert "Complete at the visit" in theirs


def test_the_api_refuses_a_clinician_completed_form_from_the_patient(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    from conftest import bearer

    assert patient.user is not None
    response = Client(headers=bearer(patient.user)).post(
        f"/api/v1/patients/{patient.pk}/assessments",
        {"instrument": "acr2010", "answers": {}},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "ACR 2010 fibromyalgia criteria (physician) is completed by your clinician at "
        "a visit, not by you; nothing was saved. Bring your questions to the visit.",
        "field": "instrument",
    }
    assert AssessmentResult.objects.count() == 0
