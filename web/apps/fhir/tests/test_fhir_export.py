"""The patient's FHIR export (API and download) and the FHIR base: a valid Bundle with every
kind of record, drafts kept from the patient, ``since``, one audit event, OperationOutcome on
every error, the CapabilityStatement and the published Questionnaires."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from conftest import bearer
from django.test import Client, override_settings
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.models import AuditEvent
from apps.clinical.models import AssessmentResult
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from apps.nof1.models import Nof1Trial
from apps.nof1.tests.factories import make_trial
from apps.pharmacy.models import Dispensing
from lowdose import instruments
from lowdose.diary import SideEffect

pytestmark = pytest.mark.django_db

API = "/api/v1/patients/{pid}/fhir"


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


def _result(patient: Patient, by: User, name: str, answers: dict[str, Any]) -> AssessmentResult:
    scored = instruments.score(name, answers)
    return AssessmentResult.objects.create(
        patient=patient,
        instrument=name,
        version=scored.version,
        total=str(scored.total),
        band=scored.band or "",
        interpretation=scored.interpretation,
        result=scored.to_dict(),
        completed_on=patient_today(patient),
        completed_by=by,
    )


@pytest.fixture
def full_patient(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    pharmacy: Pharmacy,
    make_checkin: Callable[..., Any],
) -> Patient:
    """A patient with every kind of record the export carries."""
    make_checkin(patient, days_ago=40, pain=7)
    make_checkin(
        patient,
        days_ago=2,
        pain=4,
        side_effects=(SideEffect("vivid_dreams", "mild", "odd; colourful"),),
    )
    signed = make_prescription(patient, clinician, pharmacy=pharmacy, form="liquid")
    make_prescription(patient, clinician, status="draft")
    Dispensing.objects.create(
        prescription=signed,
        batch=1,
        preparation="Naltrexone 1 mg/mL oral liquid",
        quantity=Decimal("30"),
        unit="mL",
        lot="LOT-7",
        compounded_on=patient_today(patient),
        beyond_use_date=patient_today(patient) + timedelta(days=30),
        label="Do not use after …",
        pharmacist=pharmacist,
    )
    _result(patient, clinician, "phq9", {i.link_id: 1 for i in instruments.get("phq9").items})
    _result(patient, clinician, "gad7", {i.link_id: 2 for i in instruments.get("gad7").items})
    trial = make_trial(patient, clinician, pharmacy)
    Nof1Trial.objects.filter(pk=trial.pk).update(
        unblinded_at=timezone.now(),
        result={
            "outcome": "pain",
            "mcid": 1.0,
            "effects": [
                {
                    "arm": "4.5",
                    "mean": -1.5,
                    "sd": 0.4,
                    "ci_low": -2.3,
                    "ci_high": -0.7,
                    "p_better": 0.99,
                    "p_mcid": 0.9,
                }
            ],
            "sentences": ["LDN lowered pain."],
        },
    )
    return patient


def _bundle(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/fhir+json")
    data: dict[str, Any] = json.loads(response.content)
    Bundle.model_validate(data)
    return data


def _kinds(data: dict[str, Any]) -> list[str]:
    return [e["resource"]["resourceType"] for e in data["entry"]]


def _references(node: object) -> list[str]:
    if isinstance(node, dict):
        return [
            ref
            for key, value in node.items()
            for ref in ([value] if key == "reference" and isinstance(value, str) else [])
            + _references(value)
        ]
    if isinstance(node, list):
        return [ref for value in node for ref in _references(value)]
    return []


def test_the_clinician_gets_every_kind_of_record_with_resolving_references(
    full_patient: Patient, clinician: User
) -> None:
    data = _bundle(Client().get(API.format(pid=full_patient.pk), headers=bearer(clinician)))
    kinds = _kinds(data)
    assert set(kinds) == {
        "Patient",
        "Practitioner",
        "Condition",
        "MedicationRequest",
        "MedicationDispense",
        "Observation",
        "QuestionnaireResponse",
        "AdverseEvent",
        "DocumentReference",
    }
    # the visit report, as a link to the care team's version (the PDF is rendered on request)
    [report] = [
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == ("DocumentReference")
    ]
    attachment = report["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["url"] == (
        f"http://testserver/api/v1/patients/{full_patient.pk}/visit-report.pdf?audience=clinician"
    )
    assert "data" not in attachment
    assert kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("Practitioner") == 2  # the prescriber and the pharmacist
    urls = {e["fullUrl"] for e in data["entry"]}
    assert all(e.get("fullUrl") for e in data["entry"])
    assert {r for r in _references(data) if not r.startswith("#")} <= urls
    statuses = sorted(
        e["resource"]["status"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
    )
    assert statuses == ["active", "draft"]
    nof1 = [
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation" and "effectivePeriod" in e["resource"]
    ]
    assert nof1[0]["valueQuantity"]["value"] == -1.5
    responses = [
        e["resource"]["questionnaire"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert sorted(responses) == [
        "http://testserver/fhir/Questionnaire/gad7|1",
        "http://testserver/fhir/Questionnaire/phq9|1",
    ]


def test_the_patient_never_gets_a_draft(
    full_patient: Patient, client_for: Callable[[User | None], Client]
) -> None:
    assert full_patient.user is not None
    for response in (
        Client().get(API.format(pid=full_patient.pk), headers=bearer(full_patient.user)),
        client_for(full_patient.user).get(f"/patients/{full_patient.pk}/record.fhir.json"),
    ):
        data = _bundle(response)
        requests = [
            e["resource"]
            for e in data["entry"]
            if e["resource"]["resourceType"] == "MedicationRequest"
        ]
        assert [r["status"] for r in requests] == ["active"]
    assert "attachment" in response["Content-Disposition"]


def _pain(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "72514-3"
    ]


def test_since_filters_time_stamped_records(full_patient: Patient, clinician: User) -> None:
    everything = _bundle(Client().get(API.format(pid=full_patient.pk), headers=bearer(clinician)))
    since = (patient_today(full_patient) - timedelta(days=10)).isoformat()
    recent = _bundle(
        Client().get(API.format(pid=full_patient.pk) + f"?since={since}", headers=bearer(clinician))
    )
    assert len(_pain(everything)) == 2
    assert [e["resource"]["valueInteger"] for e in _pain(recent)] == [4]


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "2026-1-5"])
def test_a_bad_since_is_a_400_operation_outcome(
    full_patient: Patient, clinician: User, since: str
) -> None:
    before = AuditEvent.objects.count()
    response = Client().get(
        API.format(pid=full_patient.pk) + f"?since={since}", headers=bearer(clinician)
    )
    assert response.status_code == 400
    outcome = OperationOutcome.model_validate(json.loads(response.content))
    assert outcome.issue[0].code == "invalid"
    assert "YYYY-MM-DD" in (outcome.issue[0].diagnostics or "")
    assert AuditEvent.objects.count() == before  # nothing was read


def test_one_export_is_one_audit_event(full_patient: Patient, clinician: User) -> None:
    before = AuditEvent.objects.count()
    _bundle(Client().get(API.format(pid=full_patient.pk), headers=bearer(clinician)))
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.outcome, e.patient_id) for e in events] == [
        ("fhir.export", "ok", full_patient.pk)
    ]


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "login"),
        ("other_clinician", 404, "not-found"),
        ("other_patient", 404, "not-found"),
        ("pharmacist", 403, "forbidden"),
    ],
)
def test_refusals_are_operation_outcomes(
    request: pytest.FixtureRequest, patient: Patient, who: str, status: int, code: str
) -> None:
    headers: dict[str, str] = {}
    if who != "anonymous":
        found = request.getfixturevalue(who)
        user = found.user if isinstance(found, Patient) else found
        assert isinstance(user, User)
        headers = bearer(user)
    response = Client().get(API.format(pid=patient.pk), headers=headers)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/fhir+json")
    outcome = OperationOutcome.model_validate(json.loads(response.content))
    assert outcome.issue[0].code == code


def test_a_patient_id_that_is_not_a_number_is_not_found(clinician: User) -> None:
    response = Client().get(API.format(pid="abc"), headers=bearer(clinician))
    assert response.status_code == 404
    assert json.loads(response.content)["resourceType"] == "OperationOutcome"


def test_the_mrn_travels_when_the_clinic_names_its_system(
    patient: Patient, clinician: User
) -> None:
    Patient.objects.filter(pk=patient.pk).update(mrn="MRN-77")
    with override_settings(MRN_SYSTEM="urn:oid:2.16.840.1.113883.3.9999"):
        data = _bundle(Client().get(API.format(pid=patient.pk), headers=bearer(clinician)))
    (resource,) = [
        e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert {"system": "urn:oid:2.16.840.1.113883.3.9999", "value": "MRN-77"} in [
        {"system": i["system"], "value": i["value"]} for i in resource["identifier"]
    ]
    assert {"system": "urn:lowdose:id:patient", "value": str(patient.pk)} in [
        {"system": i["system"], "value": i["value"]} for i in resource["identifier"]
    ]


def test_the_demo_patients_export_without_error(
    client_for: Callable[[User | None], Client],
) -> None:
    from apps.demo.clinic import load_demo

    load_demo()
    doctor = User.objects.get(username="clinician")
    patients = list(Patient.objects.all())
    assert patients
    for demo in patients:
        data = _bundle(client_for(doctor).get(f"/patients/{demo.pk}/record.fhir.json"))
        assert _kinds(data)[0] == "Patient"


def test_the_capability_statement_says_what_is_supported() -> None:
    response = Client().get("/fhir/metadata")
    assert response.status_code == 200
    data = json.loads(response.content)
    CapabilityStatement.model_validate(data)
    assert data["fhirVersion"] == "4.3.0"
    resources = {r["type"]: r for r in data["rest"][0]["resource"]}
    assert {i["code"] for i in resources["Questionnaire"]["interaction"]} == {
        "read",
        "vread",
        "search-type",
    }
    assert "MedicationRequest" in resources
    assert data["implementation"]["url"] == "http://testserver/fhir"


@pytest.mark.parametrize("name", instruments.names())
def test_every_questionnaire_is_published_at_its_canonical_url(name: str) -> None:
    qid = name.replace("_", "-")
    response = Client().get(f"/fhir/Questionnaire/{qid}")
    assert response.status_code == 200
    resource = Questionnaire.model_validate(json.loads(response.content))
    assert resource.url == f"http://testserver/fhir/Questionnaire/{qid}"
    versioned = Client().get(f"/fhir/Questionnaire/{qid}/_history/{resource.version}")
    assert json.loads(versioned.content)["url"] == resource.url
    found = json.loads(
        Client().get("/fhir/Questionnaire", {"url": f"{resource.url}|{resource.version}"}).content
    )
    assert found["total"] == 1


def test_the_base_url_setting_names_the_canonicals() -> None:
    with override_settings(FHIR_BASE_URL="https://ldn.clinic.example/fhir"):
        data = json.loads(Client().get("/fhir/Questionnaire/gad7").content)
    assert data["url"] == "https://ldn.clinic.example/fhir/Questionnaire/gad7"


def test_the_published_fiqr_keeps_its_wording_back() -> None:
    data = json.loads(Client().get("/fhir/Questionnaire/fiqr").content)
    assert all("not published" in item["text"] for item in data["item"])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/fhir/Questionnaire/nope", 404),
        ("get", "/fhir/Questionnaire/phq9/_history/99", 404),
        ("get", "/fhir/Patient/1", 404),
        ("post", "/fhir/metadata", 405),
    ],
)
def test_errors_under_the_fhir_base_are_operation_outcomes(
    method: str, path: str, status: int
) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/fhir+json")
    outcome = OperationOutcome.model_validate(json.loads(response.content))
    assert outcome.issue[0].diagnostics


def test_the_export_is_in_the_openapi_schema() -> None:
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    operation = schema["paths"]["/api/v1/patients/{patient_id}/fhir"]["get"]
    assert "application/fhir+json" in operation["responses"]["200"]["content"]
    assert "application/fhir+json" in operation["responses"]["404"]["content"]


def test_the_dashboard_links_the_download(
    patient: Patient, clinician: User, client_for: Callable[[User | None], Client]
) -> None:
    for user in (patient.user, clinician):
        page = client_for(user).get(f"/patients/{patient.pk}/")
        assert f"/patients/{patient.pk}/record.fhir.json" in page.content.decode()


def test_the_clinician_records_the_mrn_and_the_patient_cannot(
    patient: Patient, clinician: User, client_for: Callable[[User | None], Client]
) -> None:
    path = f"/patients/{patient.pk}/settings/"
    form = {"time_zone": patient.time_zone, "locale": patient.locale}
    assert 'name="mrn"' not in client_for(patient.user).get(path).content.decode()
    assert 'name="mrn"' in client_for(clinician).get(path).content.decode()
    client_for(clinician).post(path, {**form, "mrn": "  A-1234 "})
    patient.refresh_from_db()
    assert patient.mrn == "A-1234"
    event = AuditEvent.objects.filter(action="patient.settings", detail__isnull=False).get()
    assert event.detail == {"mrn": {"from": "", "to": "A-1234"}}
    client_for(patient.user).post(path, {**form, "mrn": "HACKED"})
    patient.refresh_from_db()
    assert patient.mrn == "A-1234"  # the patient's form never changes it
    bad = client_for(clinician).post(path, {**form, "mrn": "x" * 65})
    assert bad.status_code == 400
    assert "Medical record number: at most 64 characters" in bad.content.decode()
    patient.refresh_from_db()
    assert patient.mrn == "A-1234"
