"""Reading a FHIR Bundle back (``lowdose.interop.fhir.reader``): the export's check-ins,
side effects and questionnaires come back as they were; bad input is named by its path; a day
another app sends without every score is not importable; another patient's Bundle is refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from lowdose.interop.fhir import (
    AssessmentRecord,
    CheckinRecord,
    IdentifierSystems,
    PatientIdentity,
    PatientRecord,
    SideEffectRecord,
    patient_bundle,
)
from lowdose.interop.fhir.reader import problems_outcome, read_import

SYSTEMS = IdentifierSystems(base="https://clinic.example/lowdose/id", mrn="urn:oid:1.2.3.4.5")
WHO = PatientIdentity(lowdose_id=12, name="A. Patient", mrn="MRN-77")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/London")
CID = UUID("2f1c6a53-9c7e-4d1e-8a55-0b6f4e1d2c3a")
GAD7 = {f"item{i}": 2 for i in range(1, 8)}


def _bundle() -> dict[str, Any]:
    record = PatientRecord(
        patient=WHO,
        checkins=(
            CheckinRecord(
                client_id=CID,
                day=date(2026, 3, 1),
                recorded_at=datetime(2026, 3, 1, 21, 30, tzinfo=UTC),
                scores=(("pain", 4), ("fatigue", 5), ("sleep", 6), ("mood", 7)),
                dose_status="taken",
                dose_mg=Decimal("4.50"),
                note="fine",
                side_effects=(SideEffectRecord("vivid_dreams", "mild", "odd; colourful"),),
            ),
        ),
        assessments=(
            AssessmentRecord(
                lowdose_id=3,
                instrument="gad7",
                answers=GAD7,
                completed_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
            ),
        ),
    )
    bundle = patient_bundle(record, SYSTEMS, generated_at=NOW)
    data: dict[str, Any] = json.loads(bundle.model_dump_json(exclude_none=True))
    return data


def _read(data: object, who: PatientIdentity = WHO) -> Any:
    return read_import(data, systems=SYSTEMS, patient=who, now=NOW, tz=TZ)


def test_the_export_reads_back_as_the_records_it_came_from() -> None:
    plan = _read(_bundle())

    assert plan.problems == ()
    [item] = plan.checkins
    checkin = item.checkin
    assert checkin.client_id == CID
    assert checkin.day == date(2026, 3, 1)
    assert dict(checkin.scores) == {"pain": 4, "fatigue": 5, "sleep": 6, "mood": 7}
    assert (checkin.dose_status, checkin.dose_mg, checkin.note) == ("taken", Decimal("4.5"), "fine")
    assert [(e.name, e.severity, e.detail) for e in checkin.side_effects] == [
        ("vivid_dreams", "mild", "odd; colourful")
    ]
    [answered] = plan.assessments
    assert (answered.instrument, dict(answered.answers)) == ("gad7", GAD7)
    assert answered.completed_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert plan.kept == {"Observation": 1, "Patient": 1}  # the GAD-7 score, re-computed


def test_pain_eleven_is_named_by_its_path() -> None:
    data = _bundle()
    index = next(
        i
        for i, e in enumerate(data["entry"])
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "72514-3"
    )
    data["entry"][index]["resource"]["valueInteger"] = 11

    plan = _read(data)

    assert [p.path for p in plan.problems] == [f"Bundle.entry[{index}].resource.valueInteger"]
    assert plan.importable is False
    outcome = problems_outcome(plan.problems)
    assert outcome.issue[0].expression == [f"Bundle.entry[{index}].resource.valueInteger"]


def test_a_fhir_type_error_keeps_the_fhirpath_of_the_element() -> None:
    data = _bundle()
    data["entry"][1]["resource"]["effectiveDateTime"] = "March 1st"

    plan = _read(data)

    assert "Bundle.entry[1].resource.effectiveDateTime" in [p.path for p in plan.problems]


def test_another_patients_bundle_is_refused() -> None:
    plan = _read(_bundle(), PatientIdentity(lowdose_id=13, name="B", mrn="MRN-78"))

    assert plan.problems
    assert {p.code for p in plan.problems} == {"business-rule"}
    assert plan.problems[0].path == "Bundle.entry[0].resource.identifier"


def test_the_mrn_alone_identifies_the_patient() -> None:
    data = _bundle()
    patient = data["entry"][0]["resource"]
    patient["identifier"] = [i for i in patient["identifier"] if i["system"] == SYSTEMS.mrn]
    for entry in data["entry"][1:]:
        entry["resource"].get("subject", {}).pop("identifier", None)

    assert _read(data, PatientIdentity(lowdose_id=99, name="A", mrn="MRN-77")).problems == ()


def test_a_pain_only_day_from_another_app_is_not_importable() -> None:
    pain = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
        "effectiveDateTime": "2026-03-05",
        "valueInteger": 6,
    }

    plan = _read([pain])

    assert [p.path for p in plan.problems] == ["[0].valueInteger"]
    assert "Not importable" in plan.problems[0].message
    assert plan.checkins == ()


def test_unsupported_and_unknown_resource_types_are_refused() -> None:
    plan = _read(
        [
            {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}},
            {"resourceType": "Observatoin"},
            "text",
        ]
    )

    assert [(p.path, p.code) for p in plan.problems] == [
        ("[2]", "invalid"),
        ("[0].resourceType", "not-supported"),
        ("[1].resourceType", "not-supported"),
    ]


def test_another_apps_day_is_its_effective_day_even_when_uploaded_later() -> None:
    day = "2026-03-05T20:15:00+00:00"
    local = "urn:lowdose:daily-item"

    def obs(system: str, code: str, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": system, "code": code}]},
            "effectiveDateTime": day,
            "issued": "2026-03-09T08:00:00+00:00",
            **value,
        }

    dose = {"coding": [{"system": "urn:lowdose:checkin", "code": "dose-taken"}]}
    day_of_another_app = [
        obs("http://loinc.org", "72514-3", {"valueQuantity": {"value": 3}}),
        obs(local, "fatigue", {"valueInteger": 2}),
        obs(local, "sleep", {"valueInteger": 8}),
        obs(local, "mood", {"valueInteger": 9}),
        obs(
            "urn:lowdose:checkin",
            "dose",
            {
                "valueCodeableConcept": dose,
                "component": [
                    {
                        "code": {"coding": [{"system": "urn:lowdose:checkin", "code": "dose-mg"}]},
                        "valueQuantity": {"value": 1.5},
                    }
                ],
            },
        ),
    ]
    plan = _read(day_of_another_app)

    assert plan.problems == ()
    [item] = plan.checkins
    assert item.foreign
    assert item.checkin.day == date(2026, 3, 5)
    assert item.checkin.recorded_at == datetime(2026, 3, 5, 20, 15, tzinfo=UTC)
    assert (item.checkin.pain, item.checkin.dose_mg) == (3, Decimal("1.5"))
    # the same day sent again is the same check-in (its id comes from the patient and the day)
    assert _read(day_of_another_app).checkins[0].checkin.client_id == item.checkin.client_id
