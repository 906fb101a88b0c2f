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
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from apps.accounts.models import Patient, Role, User
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin, CheckinRevision, SideEffectReport
from apps.clinical.actions.assessments import complete_assessment
from apps.clinical.models import AssessmentResult
from apps.demo.clinic import PATIENT_NAMES, load_demo
from apps.fhir.models import HistoryRecord
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


def _foreign_day(day: str, pain: int = 6, fatigue: int = 5) -> dict[str, Any]:
    """Another app's complete day: pain (LOINC), fatigue, sleep, mood and a missed dose."""
    local = "urn:lowdose:daily-item"
    dose = {"coding": [{"system": "urn:lowdose:checkin", "code": "dose-missed"}]}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": r}
            for r in (
                _foreign(day, "72514-3", "http://loinc.org", {"valueQuantity": {"value": pain}}),
                _foreign(day, "fatigue", local, {"valueInteger": fatigue}),
                _foreign(day, "sleep", local, {"valueInteger": 4}),
                _foreign(day, "mood", local, {"valueInteger": 7}),
                _foreign(day, "dose", "urn:lowdose:checkin", {"valueCodeableConcept": dose}),
            )
        ],
    }


def test_another_apps_complete_day_becomes_one_check_in_once(patient: Patient) -> None:
    user = patient.user
    assert user is not None
    day = (timezone.now() - timedelta(days=2)).date().isoformat()
    bundle = _foreign_day(day)

    first = _import(user, patient, bundle)
    second = _import(user, patient, bundle)

    assert json.loads(first.content)["checkins"] == {"created": 1, "already_present": 0}
    assert json.loads(second.content)["checkins"] == {"created": 0, "already_present": 1}
    row = Checkin.objects.get(patient=patient)
    assert (row.pain, row.fatigue, row.sleep, row.mood) == (6, 5, 4, 7)
    assert row.dose_status == "missed"
    assert row.day.isoformat() == day


def test_another_apps_day_never_doubles_a_day_the_diary_has(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    """One check-in a day: the same answers from another app are already present; other
    answers are a conflict, and nothing is written."""
    user = patient.user
    assert user is not None
    own = make_checkin(
        patient, days_ago=2, pain=6, fatigue=5, sleep=4, mood=7, dose_status="missed", dose_mg=None
    )
    day = own.day.isoformat()

    same = _import(user, patient, _foreign_day(day))
    other = _import(user, patient, _foreign_day(day, pain=9))

    assert same.status_code == 200, same.content[:300]
    assert json.loads(same.content)["checkins"] == {"created": 0, "already_present": 1}
    issues = _outcome(other, 400)
    assert {i["code"] for i in issues} == {"conflict"}
    entries = {i["expression"][0].partition(".resource")[0] for i in issues}
    assert entries == {f"Bundle.entry[{n}]" for n in range(5)}  # every resource of that day
    assert f"already has a check-in for {day}" in issues[0]["diagnostics"]
    assert list(Checkin.objects.filter(patient=patient).values_list("pk", flat=True)) == [own.pk]
    assert Checkin.objects.get().pain == 6


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
    # lowdose's own orders, dispensing, diagnosis, prescriber, pharmacist and N-of-1 result
    assert summary["history"] == {"created": 0, "already_present": 2 + 1 + 1 + 2 + 1}
    assert not HistoryRecord.objects.exists()


def test_round_trip_into_an_empty_record_with_every_kind_of_record(
    full_patient: Patient,  # noqa: F811  (the export tests' fixture)
    clinician: User,
    client_for: Callable[[User | None], Client],
) -> None:
    created = _round_trip_into_an_empty_record(
        full_patient, clinician, mrn_system="urn:oid:2.16.840.1.113883.3.9999"
    )

    assert created["history"] == {"created": 2 + 1 + 1 + 2 + 1, "already_present": 0}
    kept = HistoryRecord.objects.exclude(patient=full_patient)
    assert sorted(kept.values_list("resource_type", flat=True)) == [
        "Condition",
        "MedicationDispense",
        "MedicationRequest",
        "MedicationRequest",
        "Observation",
        "Practitioner",
        "Practitioner",
    ]
    summaries = " ".join(kept.values_list("summary", flat=True))
    assert "Dispensed 30 mL of" in summaries
    assert "95% interval -2.3 points to -0.7 points" in summaries
    assert "(a draft, never signed)" in summaries
    assert "Order for naltrexone hydrochloride, low-dose, compounded (active)" in summaries
    moved = kept.first().patient  # type: ignore[union-attr]
    page = reverse("clinical:treatment", args=[moved.pk])
    seen = {
        who: client_for(who).get(page).content.decode()
        for who in (moved.user, clinician)  # the care team's clinician sees the draft too
    }
    for who, html in seen.items():
        assert "From another record" in html
        assert "Dispensed 30 mL of Naltrexone 1 mg/mL oral liquid" in html
        assert ("a draft, never signed" in html) is (who == clinician)
        assert "MedicationRequest" not in html  # words, not resource names
    assert (
        "From another record"
        not in client_for(clinician)
        .get(reverse("clinical:treatment", args=[full_patient.pk]))
        .content.decode()
    )


def _moved(patient: Patient) -> Patient:
    """A new, empty record for the same person in the same care team (what a receiving
    installation has before the import): the MRN moves to it."""
    user = User(username=f"moved-{patient.pk}", role=Role.PATIENT, clinic=patient.clinic)
    user.set_password("moved-Pass-1234")
    user.save()
    mrn = patient.mrn or f"MRN-{patient.pk}"
    Patient.objects.filter(pk=patient.pk).update(mrn="")
    return Patient.objects.create(
        user=user,
        clinic=patient.clinic,
        care_team=patient.care_team,
        display_name=patient.display_name,
        mrn=mrn,
        time_zone=patient.time_zone,
        created_at=patient.created_at,
    )


def _about_anyone(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """Every resource but the Patient and the visit report, without what the receiving record
    assigns: ids, meta, the Patient's fullUrl wherever it is referenced (made from its lowdose
    id, server-assigned), a QuestionnaireResponse's identifier and fullUrl, and its score (both
    made from the stored result's id; the scores are compared by :func:`_scores`)."""
    (patient_url,) = [
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    out = []
    for entry in bundle["entry"]:
        resource = json.loads(json.dumps(entry["resource"]).replace(patient_url, "the-patient"))
        if resource["resourceType"] in ("Patient", "DocumentReference"):
            continue
        if resource["resourceType"] == "Observation" and "derivedFrom" in resource:
            continue  # a score: re-computed from its QuestionnaireResponse (_scores)
        for key in ("id", "meta"):
            resource.pop(key, None)
        url = entry["fullUrl"]
        if resource["resourceType"] == "QuestionnaireResponse":
            resource.pop("identifier")
            url = "made from the stored result's id"
        out.append({"fullUrl": url, **resource})
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))


def _round_trip_into_an_empty_record(
    patient: Patient, clinician: User, mrn_system: str = ""
) -> dict[str, Any]:
    """Export the whole record (as the clinician), validate it, import it into a new empty
    record (the patient their diary and history, the clinician the questionnaires), export
    that: the same resources. ``mrn_system``: the clinic's (empty: none, and the MRN travels
    under lowdose's own ``<base>:mrn``). Returns the patient's import summary."""
    with override_settings(MRN_SYSTEM=mrn_system):
        if not patient.mrn:
            Patient.objects.filter(pk=patient.pk).update(mrn=f"MRN-{patient.pk}")
            patient.refresh_from_db()
        first = _export(clinician, patient)
        moved = _moved(patient)
        assert moved.user is not None

        diary = _import(moved.user, moved, _only(first, lambda t: t != "QuestionnaireResponse"))
        forms = _import(clinician, moved, _only(first, lambda t: t == "QuestionnaireResponse"))

        assert diary.status_code == 200, diary.content[:800]
        assert forms.status_code == 200, forms.content[:800]
        again = _export(clinician, moved)
    assert _about_anyone(again) == _about_anyone(first)
    assert _scores(again) == _scores(first)
    (before,) = [
        e["resource"] for e in first["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    (after,) = [e["resource"] for e in again["entry"] if e["resource"]["resourceType"] == "Patient"]
    mrn = (mrn_system or "urn:lowdose:id:mrn", moved.mrn)
    for resource in (before, after):
        assert mrn in [(i["system"], i["value"]) for i in resource["identifier"]]
    summary: dict[str, Any] = json.loads(diary.content)
    return summary


def test_round_trip_of_every_demo_patient() -> None:
    load_demo()
    clinician = User.objects.get(username="clinician")
    patients = Patient.objects.filter(clinic=clinician.clinic, user__isnull=False)
    assert patients.count() == len(PATIENT_NAMES)
    for patient in list(patients):
        _round_trip_by_role(patient, clinician)
    for patient in list(patients):
        _round_trip_into_an_empty_record(patient, clinician)


def _dispense(prescription: str | None = None) -> dict[str, Any]:
    """Another pharmacy system's MedicationDispense (no fullUrl, no identifier)."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationDispense",
        "status": "completed",
        "medicationCodeableConcept": {"text": "Naltrexone 4.5 mg capsules"},
        "quantity": {"value": 30, "unit": "capsules"},
        "whenHandedOver": "2026-05-02T10:00:00+01:00",
    }
    if prescription:
        resource["authorizingPrescription"] = [{"reference": prescription}]
    return resource


def test_another_systems_dispensing_is_kept_once_as_read_only_history(
    patient: Patient, clinician: User
) -> None:
    first = _import(clinician, patient, [_dispense()])
    second = _import(patient.user, patient, [_dispense()])  # type: ignore[arg-type]

    assert json.loads(first.content)["history"] == {"created": 1, "already_present": 0}
    assert json.loads(second.content)["history"] == {"created": 0, "already_present": 1}
    row = HistoryRecord.objects.get(patient=patient)
    assert row.summary == "Dispensed 30 capsules of Naltrexone 4.5 mg capsules on 2026-05-02."
    assert row.imported_by == clinician
    assert str(row.occurred_on) == "2026-05-02"
    exported = _export(clinician, patient)
    (kept,) = [
        e for e in exported["entry"] if e["resource"]["resourceType"] == "MedicationDispense"
    ]
    assert kept["fullUrl"] == row.full_url
    assert kept["resource"]["subject"]["display"] == patient.display_name
    assert kept["resource"]["quantity"] == {"value": 30, "unit": "capsules"}
    since = Client().get(
        API.format(pid=patient.pk) + "?since=2026-06-01", headers=bearer(clinician)
    )
    assert "MedicationDispense" not in since.content.decode()
    event = AuditEvent.objects.filter(action="fhir.import").order_by("pk").first()
    assert event is not None
    assert (event.detail or {})["history"]["created"] == 1


def test_a_kept_record_must_not_point_at_nothing(patient: Patient, clinician: User) -> None:
    missing = "urn:uuid:0f2b3c4d-0000-4000-8000-000000000001"

    issues = _outcome(_import(clinician, patient, [_dispense(missing)]), 400)

    assert issues[0]["expression"] == ["[0]"]
    assert missing in issues[0]["diagnostics"]
    assert "Send it together with what it refers to" in issues[0]["diagnostics"]
    assert not HistoryRecord.objects.exists()


def test_two_resources_with_one_full_url_are_refused(patient: Patient, clinician: User) -> None:
    url = "urn:uuid:0f2b3c4d-0000-4000-8000-000000000002"
    other = {**_dispense(), "quantity": {"value": 60, "unit": "capsules"}}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": url, "resource": r} for r in (_dispense(), other)],
    }

    issues = _outcome(_import(clinician, patient, bundle), 400)

    assert issues[0]["expression"] == ["Bundle.entry[1].resource"]
    assert "Two different resources have the fullUrl" in issues[0]["diagnostics"]
    assert not HistoryRecord.objects.exists()


def test_a_pharmacist_imports_no_history(patient: Patient, pharmacist: User) -> None:
    issues = _outcome(_import(pharmacist, patient, [_dispense()]), 403)

    assert issues[0]["code"] == "forbidden"
    assert not HistoryRecord.objects.exists()


def test_an_old_risk_answer_brought_in_is_urgent_and_says_how_old(diary_patient: Patient) -> None:
    """Nobody here has seen it, so it is urgent; the alert says it is 90 days old so the
    clinician asks whether it was acted on then, and how the patient is now."""
    user = diary_patient.user
    assert user is not None
    bundle = _export(user, diary_patient)
    (qr,) = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
        and e["resource"]["questionnaire"].rpartition("/")[2].startswith("phq9")
    ]
    (item9,) = [i for i in qr["item"] if i["linkId"] == "item9"]  # thoughts of self-harm
    item9["answer"] = [{"valueInteger": 1}]
    authored = timezone.now() - timedelta(days=90)
    qr["authored"] = authored.isoformat()
    _empty_the_record(diary_patient)

    assert _import(user, diary_patient, [qr]).status_code == 200

    alert = Alert.objects.get(patient=diary_patient, kind="self_harm_risk")
    assert alert.severity == "urgent"
    assert f"{authored.date().isoformat()}, 90 days ago" in alert.message
    assert "contact the patient today" in alert.message
