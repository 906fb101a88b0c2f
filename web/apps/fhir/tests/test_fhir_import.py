"""The FHIR import (``POST /api/v1/patients/{id}/fhir``): the round trip export → validate →
import into an emptied record → export gives the same resources; importing twice creates
nothing; bad input is refused whole with every problem by path; who may import what."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import bearer
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from apps.accounts.models import Patient, User
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin, CheckinRevision, SideEffectReport
from apps.clinical.actions.assessments import complete_assessment
from apps.clinical.models import AssessmentResult
from apps.demo.clinic import PATIENT_NAMES, load_demo
from apps.fhir.tests.test_fhir_export import full_patient, pharmacy  # noqa: F401  (fixtures)
from lowdose import instruments
from lowdose.diary import SideEffect

pytestmark = pytest.mark.django_db

API = "/api/v1/patients/{pid}/fhir"
ROUND_TRIP_TYPES = ("Observation", "AdverseEvent", "QuestionnaireResponse")


def _answers(name: str, value: int) -> dict[str, int]:
    return {item.link_id: value for item in instruments.get(name).items}


@pytest.fixture
def diary_patient(patient: Patient, make_checkin: Callable[..., Any]) -> Patient:
    """Check-ins (one with two side effects, one missed dose with a note) and two
    questionnaires the patient answered."""
    make_checkin(patient, days_ago=20, pain=7, fatigue=6, sleep=3, mood=4)
    make_checkin(
        patient,
        days_ago=3,
        pain=4,
        side_effects=(
            SideEffect("vivid_dreams", "mild", "odd; colourful"),
            SideEffect("headache", "moderate"),
        ),
    )
    make_checkin(
        patient, days_ago=1, pain=5, dose_status="missed", dose_mg=None, note="forgot, late shift"
    )
    assert patient.user is not None
    for name, value in (("phq9", 0), ("gad7", 2)):
        complete_assessment(
            Actor.of(patient.user),
            patient,
            name,
            _answers(name, value),
            completed_at=timezone.now() - timedelta(days=5),
        )
    return patient


def _export(user: User, patient: Patient) -> dict[str, Any]:
    response = Client().get(API.format(pid=patient.pk), headers=bearer(user))
    assert response.status_code == 200, response.content[:300]
    data: dict[str, Any] = json.loads(response.content)
    Bundle.model_validate(data)  # valid R4B
    return data


def _import(user: User, patient: Patient, body: object) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    return Client().post(
        API.format(pid=patient.pk),
        text,
        content_type="application/fhir+json",
        headers=bearer(user),
    )


def _outcome(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.content[:500]
    data = json.loads(response.content)
    OperationOutcome.model_validate(data)
    issues: list[dict[str, Any]] = data["issue"]
    return issues


def _comparable(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The diary's resources without server-assigned ids and meta, in a stable order. A
    QuestionnaireResponse's identifier is the stored result's id (server-assigned)."""
    out = []
    for entry in bundle["entry"]:
        resource = copy.deepcopy(entry["resource"])
        if resource["resourceType"] not in ROUND_TRIP_TYPES:
            continue
        if resource["resourceType"] == "Observation" and "derivedFrom" in resource:
            continue  # a score: re-computed from its QuestionnaireResponse
        if any(
            c.get("system") == "urn:lowdose:nof1"
            for c in resource.get("code", {}).get("coding", [])
        ):
            continue
        resource.pop("id", None)
        resource.pop("meta", None)
        if resource["resourceType"] == "QuestionnaireResponse":
            resource.pop("identifier")
        out.append(resource)
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))


def _scores(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    """Each questionnaire score Observation's code and value, to check the re-scoring."""
    return sorted(
        (e["resource"]["code"]["coding"][0]["code"], json.dumps(e["resource"].get("valueQuantity")))
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation" and "derivedFrom" in e["resource"]
    )


def _empty_the_record(patient: Patient) -> None:
    CheckinRevision.objects.filter(checkin__patient=patient).delete()
    SideEffectReport.objects.filter(checkin__patient=patient).delete()
    Checkin.objects.filter(patient=patient).delete()
    AssessmentResult.objects.filter(patient=patient).delete()


def _written(patient: Patient) -> tuple[int, int, int]:
    return (
        Checkin.objects.filter(patient=patient).count(),
        SideEffectReport.objects.filter(checkin__patient=patient).count(),
        AssessmentResult.objects.filter(patient=patient).count(),
    )


def test_round_trip_gives_the_same_resources_again(diary_patient: Patient) -> None:
    user = diary_patient.user
    assert user is not None
    first = _export(user, diary_patient)
    assert len(_comparable(first)) == 3 * 5 + 2 + 2  # 5 Observations a check-in, 2 AE, 2 QR
    _empty_the_record(diary_patient)
    assert _written(diary_patient) == (0, 0, 0)

    response = _import(user, diary_patient, first)

    assert response.status_code == 200, response.content[:500]
    summary = json.loads(response.content)
    assert summary["checkins"] == {"created": 3, "already_present": 0}
    assert summary["side_effects"] == {"created": 2, "already_present": 0}
    assert summary["assessments"] == {"created": 2, "already_present": 0}
    assert summary["created"] == 7
    assert summary["kept"]["Patient"] == 1
    assert summary["kept"]["Observation"] == 2  # the two questionnaire scores
    assert _written(diary_patient) == (3, 2, 2)
    again = _export(user, diary_patient)
    assert _comparable(again) == _comparable(first)
    assert _scores(again) == _scores(first)
    event = AuditEvent.objects.filter(action="fhir.import").get()
    assert event.patient_id == diary_patient.pk
    assert (event.detail or {})["created"] == 7
    assert AuditEvent.objects.filter(action="checkins.import").count() == 1
    assert AuditEvent.objects.filter(action="assessments.complete").count() == 2 + 2


def test_importing_twice_changes_nothing(diary_patient: Patient) -> None:
    user = diary_patient.user
    assert user is not None
    bundle = _export(user, diary_patient)
    before = _written(diary_patient)

    first = _import(user, diary_patient, bundle)
    second = _import(user, diary_patient, bundle)

    for response in (first, second):
        assert response.status_code == 200, response.content[:300]
        summary = json.loads(response.content)
        assert summary["created"] == 0
        assert summary["already_present"] == 3 + 2 + 2
    assert _written(diary_patient) == before


def test_malformed_json_is_refused_at_the_root(diary_patient: Patient) -> None:
    user = diary_patient.user
    assert user is not None
    before = _written(diary_patient)

    issues = _outcome(_import(user, diary_patient, '{"resourceType": "Bundle", '), 400)

    assert issues[0]["expression"] == ["$"]
    assert "not valid JSON" in issues[0]["diagnostics"]
    assert _written(diary_patient) == before


def test_a_wrong_resource_type_is_named_by_its_path(diary_patient: Patient) -> None:
    user = diary_patient.user
    assert user is not None
    bundle = _export(user, diary_patient)
    index = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    )
    bundle["entry"][index]["resource"]["resourceType"] = "QuestionaireResponse"
    _empty_the_record(diary_patient)

    issues = _outcome(_import(user, diary_patient, bundle), 400)

    assert [i["expression"] for i in issues] == [[f"Bundle.entry[{index}].resource.resourceType"]]
    assert issues[0]["code"] == "not-supported"
    top = _outcome(_import(user, diary_patient, {"resourceType": "Bundel", "type": "x"}), 400)
    assert top[0]["expression"] == ["Bundel.resourceType"]
    assert _written(diary_patient) == (0, 0, 0)


def test_a_pain_of_eleven_refuses_the_whole_import(diary_patient: Patient) -> None:
    user = diary_patient.user
    assert user is not None
    bundle = _export(user, diary_patient)
    index = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "72514-3"
    )
    bundle["entry"][index]["resource"]["valueInteger"] = 11
    _empty_the_record(diary_patient)

    issues = _outcome(_import(user, diary_patient, bundle), 400)

    assert [i["expression"] for i in issues] == [[f"Bundle.entry[{index}].resource.valueInteger"]]
    assert "got 11" in issues[0]["diagnostics"]
    assert _written(diary_patient) == (0, 0, 0)  # the other check-ins were not written either


def test_another_patients_bundle_is_refused_whole(
    diary_patient: Patient, other_patient: Patient
) -> None:
    user = diary_patient.user
    assert user is not None
    bundle = _export(user, diary_patient)
    patient_entry = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    for identifier in patient_entry["resource"]["identifier"]:
        identifier["value"] = str(other_patient.pk)
    _empty_the_record(diary_patient)

    issues = _outcome(_import(user, diary_patient, bundle), 400)

    assert any(i["code"] == "business-rule" for i in issues)
    assert any("another patient" in i["diagnostics"] for i in issues)
    assert _written(diary_patient) == (0, 0, 0)


def _foreign(day: str, code: str, system: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "effectiveDateTime": day,
        **value,
    }


def test_a_pain_only_observation_from_another_app_is_not_importable(patient: Patient) -> None:
    user = patient.user
    assert user is not None
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    pain = _foreign(day, "72514-3", "http://loinc.org", {"valueQuantity": {"value": 6}})

    issues = _outcome(_import(user, patient, [pain]), 400)

    assert issues[0]["expression"] == ["[0].valueQuantity"]
    assert "Not importable" in issues[0]["diagnostics"]
    assert "Fatigue" in issues[0]["diagnostics"]
    assert _written(patient) == (0, 0, 0)


def test_another_apps_complete_day_becomes_one_check_in_once(patient: Patient) -> None:
    user = patient.user
    assert user is not None
    day = (timezone.now() - timedelta(days=2)).date().isoformat()
    local = "urn:lowdose:daily-item"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": r}
            for r in (
                _foreign(day, "72514-3", "http://loinc.org", {"valueQuantity": {"value": 6}}),
                _foreign(day, "fatigue", local, {"valueInteger": 5}),
                _foreign(day, "sleep", local, {"valueInteger": 4}),
                _foreign(day, "mood", local, {"valueInteger": 7}),
                _foreign(
                    day,
                    "dose",
                    "urn:lowdose:checkin",
                    {
                        "valueCodeableConcept": {
                            "coding": [{"system": "urn:lowdose:checkin", "code": "dose-missed"}]
                        }
                    },
                ),
            )
        ],
    }

    first = _import(user, patient, bundle)
    second = _import(user, patient, bundle)

    assert json.loads(first.content)["checkins"] == {"created": 1, "already_present": 0}
    assert json.loads(second.content)["checkins"] == {"created": 0, "already_present": 1}
    row = Checkin.objects.get(patient=patient)
    assert (row.pain, row.fatigue, row.sleep, row.mood) == (6, 5, 4, 7)
    assert row.dose_status == "missed"
    assert row.day.isoformat() == day


def test_a_clinician_imports_questionnaires_but_not_the_diary(
    diary_patient: Patient, clinician: User
) -> None:
    bundle = _export(clinician, diary_patient)
    _empty_the_record(diary_patient)

    issues = _outcome(_import(clinician, diary_patient, bundle), 403)

    assert {i["code"] for i in issues} == {"forbidden"}
    assert all(i["expression"][0].startswith("Bundle.entry[") for i in issues)
    assert _written(diary_patient) == (0, 0, 0)
    only_questionnaires = {
        **bundle,
        "entry": [
            e for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"
        ],
    }
    response = _import(clinician, diary_patient, only_questionnaires)
    assert response.status_code == 200, response.content[:300]
    assert json.loads(response.content)["assessments"]["created"] == 2
    assert _written(diary_patient) == (0, 0, 2)


def test_the_senders_total_is_not_trusted(diary_patient: Patient) -> None:
    user = diary_patient.user
    assert user is not None
    bundle = _export(user, diary_patient)
    for entry in bundle["entry"]:
        if "derivedFrom" in entry["resource"]:
            resource = entry["resource"]
            resource.pop("valueQuantity", None)
            resource["valueInteger"] = 27  # a forged total
    _empty_the_record(diary_patient)

    assert _import(user, diary_patient, bundle).status_code == 200

    totals = sorted(AssessmentResult.objects.values_list("instrument", "total"))
    assert totals == [("gad7", "14"), ("phq9", "0")]
    assert not Alert.objects.filter(patient=diary_patient, kind="self_harm_risk").exists()


def _only(bundle: dict[str, Any], keep: Callable[[str], bool]) -> dict[str, Any]:
    return {**bundle, "entry": [e for e in bundle["entry"] if keep(e["resource"]["resourceType"])]}


def _round_trip_by_role(patient: Patient, clinician: User) -> None:
    """Export (as the clinician: the whole record), empty the diary and the questionnaires,
    import as each role imports (the patient the diary, the clinician the questionnaires), and
    export again: the same resources."""
    assert patient.user is not None
    first = _export(clinician, patient)
    before = _written(patient)
    _empty_the_record(patient)

    diary = _import(patient.user, patient, _only(first, lambda t: t != "QuestionnaireResponse"))
    forms = _import(clinician, patient, _only(first, lambda t: t == "QuestionnaireResponse"))

    assert diary.status_code == 200, diary.content[:500]
    assert forms.status_code == 200, forms.content[:500]
    assert _written(patient) == before
    again = _export(clinician, patient)
    assert _comparable(again) == _comparable(first)
    assert _scores(again) == _scores(first)
    kinds = {e["resource"]["resourceType"] for e in again["entry"]}
    assert {e["resource"]["resourceType"] for e in first["entry"]} == kinds


def test_round_trip_of_a_patient_with_every_kind_of_record(
    full_patient: Patient,  # noqa: F811  (the export tests' fixture)
    clinician: User,
) -> None:
    bundle = _export(clinician, full_patient)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"MedicationRequest", "MedicationDispense", "Condition", "Practitioner"} <= kinds

    _round_trip_by_role(full_patient, clinician)

    summary = json.loads(_import(full_patient.user, full_patient, _only(bundle, str)).content)  # type: ignore[arg-type]
    assert summary["created"] == 0  # the second import of the whole Bundle: nothing new
    assert summary["kept"]["MedicationRequest"] == 2
    assert summary["kept"]["MedicationDispense"] == 1


def test_round_trip_of_every_demo_patient() -> None:
    load_demo()
    clinician = User.objects.get(username="clinician")
    patients = Patient.objects.filter(clinic=clinician.clinic, user__isnull=False)
    assert patients.count() == len(PATIENT_NAMES)
    for patient in patients:
        _round_trip_by_role(patient, clinician)
