"""The patient export Bundle: valid R4B, every entry with a fullUrl, every reference resolved,
codes as pinned in tests/reference/fhir_codes.json, and the ``since`` filter."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fhir.resources.R4B.bundle import Bundle

from lowdose.errors import InteropError
from lowdose.interop.fhir import (
    AssessmentRecord,
    CheckinRecord,
    DispensingRecord,
    IdentifierSystems,
    Nof1EffectRecord,
    Nof1Record,
    PatientIdentity,
    PatientRecord,
    PractitionerRecord,
    PrescriptionRecord,
    ReportDocument,
    SideEffectRecord,
    patient_bundle,
    steps_from_medication_request,
)
from lowdose.regimens import DoseTime, TitrationStep

CODES = json.loads((Path(__file__).parents[1] / "reference" / "fhir_codes.json").read_text())
SYSTEMS = IdentifierSystems(base="https://clinic.example/lowdose/id", mrn="urn:oid:1.2.3.4.5")
WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHQ9 = {f"q{i}": 1 for i in range(1, 10)} | {"difficulty": 1}
STEPS = (
    TitrationStep(date(2026, 1, 1), date(2026, 1, 14), Decimal("1.5"), DoseTime.BEDTIME),
    TitrationStep(date(2026, 1, 15), date(2026, 1, 28), Decimal("3"), DoseTime.BEDTIME),
    TitrationStep(date(2026, 1, 29), None, Decimal("4.5"), DoseTime.BEDTIME),
)


def _checkin(n: int, day: date, *, effects: tuple[SideEffectRecord, ...] = ()) -> CheckinRecord:
    return CheckinRecord(
        client_id=UUID(int=n),
        day=day,
        recorded_at=datetime.combine(day, time(8, 30), tzinfo=UTC),
        scores=(("pain", 6), ("fatigue", 5), ("sleep", 4), ("mood", 7)),
        dose_status="taken",
        dose_mg=Decimal("3"),
        dose_time=time(22, 15),
        note="slept badly",
        side_effects=effects,
    )


def _phq9_answers() -> dict[str, Any]:
    from lowdose.instruments import get

    return {item.link_id: 1 for item in get("phq9").items}


def full_record(*, form: str = "liquid", status: str = "signed") -> PatientRecord:
    return PatientRecord(
        patient=PatientIdentity(lowdose_id=12, name="Ana Example", mrn="MRN-0042"),
        practitioners=(
            PractitionerRecord(3, "Dr Who", "clinician"),
            PractitionerRecord(5, "Pat Pharm", "pharmacist"),
        ),
        checkins=(
            _checkin(1, date(2026, 1, 10)),
            _checkin(
                2,
                date(2026, 2, 20),
                effects=(SideEffectRecord("vivid_dreams", "mild", "colourful; odd"),),
            ),
        ),
        assessments=(
            AssessmentRecord(
                lowdose_id=7,
                instrument="phq9",
                answers=_phq9_answers(),
                completed_at=datetime(2026, 2, 21, 10, tzinfo=UTC),
            ),
        ),
        prescriptions=(
            PrescriptionRecord(
                lowdose_id=4,
                status=status,
                steps=STEPS,
                form=form,
                concentration_mg_per_ml=Decimal("1") if form == "liquid" else None,
                created_at=datetime(2025, 12, 30, 12, tzinfo=UTC),
                signed_at=datetime(2025, 12, 31, 12, tzinfo=UTC) if status != "draft" else None,
                prescriber_id=3,
                pharmacy_name="Corner Pharmacy",
                off_label_statement="Off-label; compounded.",
            ),
        ),
        dispensings=(
            DispensingRecord(
                lowdose_id=9,
                prescription_id=4,
                preparation="Naltrexone 1 mg/mL oral liquid",
                quantity=Decimal("84"),
                unit="mL",
                lot="L-1",
                compounded_on=date(2025, 12, 31),
                beyond_use_date=date(2026, 1, 30),
                pharmacist_id=5,
                dispensed_at=datetime(2026, 1, 2, 15, tzinfo=UTC),
            ),
        ),
        nof1_results=(
            Nof1Record(
                trial_id=2,
                outcome="pain",
                start=date(2026, 2, 1),
                end=date(2026, 2, 28),
                unblinded_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
                mcid=1.0,
                effects=(Nof1EffectRecord("4.5", -1.25, -2.0, -0.5, 0.99, 0.74),),
                summary="LDN lowered pain by 1.25 points.",
            ),
        ),
        report=ReportDocument("Visit report", WHEN, pdf=b"%PDF-1.7 fake"),
    )


def _json(bundle: Bundle) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bundle.model_dump_json(exclude_none=True))
    return data


def _references(node: object) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found += _references(value)
    elif isinstance(node, list):
        for value in node:
            found += _references(value)
    return found


def _of(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_parses_back_and_every_reference_resolves_to_an_entry() -> None:
    data = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    Bundle.model_validate(data)
    assert data["type"] == "collection"
    urls = [e["fullUrl"] for e in data["entry"]]
    assert all(u.startswith("urn:uuid:") for u in urls)
    assert len(set(urls)) == len(urls)
    for entry in data["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    refs = _references(data)
    internal = [r for r in refs if not r.startswith("#")]
    assert internal, "the bundle has references"
    assert set(internal) <= set(urls)
    kinds = {e["resource"]["resourceType"] for e in data["entry"]}
    assert kinds == {
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


def test_export_is_deterministic() -> None:
    one = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    two = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    assert one == two


def test_patient_and_practitioners_carry_mrn_and_lowdose_identifiers() -> None:
    data = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    (patient,) = _of(data, "Patient")
    ids = {(i["system"], i["value"]) for i in patient["identifier"]}
    assert ids == {
        ("urn:oid:1.2.3.4.5", "MRN-0042"),
        ("https://clinic.example/lowdose/id/patient", "12"),
    }
    practitioners = _of(data, "Practitioner")
    assert sorted(p["identifier"][0]["value"] for p in practitioners) == ["3", "5"]
    assert {p["identifier"][0]["system"] for p in practitioners} == {
        "https://clinic.example/lowdose/id/practitioner"
    }
    # every subject names the patient by the same identifier: the MRN, the clinic's usual one
    subjects = [r["subject"] for r in (e["resource"] for e in data["entry"]) if "subject" in r]
    assert {(s["identifier"]["system"], s["identifier"]["value"]) for s in subjects} == {
        ("urn:oid:1.2.3.4.5", "MRN-0042")
    }


def test_no_mrn_without_a_system() -> None:
    data = _json(patient_bundle(full_record(), IdentifierSystems(), generated_at=WHEN))
    (patient,) = _of(data, "Patient")
    assert [i["system"] for i in patient["identifier"]] == ["urn:lowdose:id:patient"]


def test_daily_scores_use_loinc_for_pain_and_the_local_system_otherwise() -> None:
    data = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    by_code = {}
    for obs in _of(data, "Observation"):
        coding = obs["code"]["coding"][0]
        by_code[(coding["system"], coding["code"])] = obs
    for name, code in CODES["daily"].items():
        obs = by_code[(code["system"], code["code"])]
        assert obs["effectiveDateTime"] == "2026-02-20"
        assert obs["identifier"][0]["value"].endswith(f"/{name}")
    pain = by_code[("http://loinc.org", "72514-3")]
    assert pain["valueInteger"] == 6
    assert pain["code"]["coding"][0]["display"] == (
        "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
    )  # LOINC's display, as in the shared reference's validated example
    assert pain["category"][0]["coding"][0] == CODES["observation_category_survey"] | {
        "display": "Survey"
    }


def test_phq9_response_and_score_observation() -> None:
    data = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    (response,) = _of(data, "QuestionnaireResponse")
    assert response["questionnaire"] == "http://localhost:8000/fhir/Questionnaire/phq9|1"
    score = next(
        o
        for o in _of(data, "Observation")
        if o["code"]["coding"][0]["code"] == CODES["scores"]["phq9"]["code"]
    )
    assert score["valueInteger"] == 9  # nine items answered 1 ("several days")
    qr_url = next(
        e["fullUrl"]
        for e in data["entry"]
        if e["resource"] is not None and e["resource"]["resourceType"] == "QuestionnaireResponse"
    )
    assert score["derivedFrom"] == [{"reference": qr_url}]


def test_condition_codes() -> None:
    data = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    (condition,) = _of(data, "Condition")
    codes = [{"system": c["system"], "code": c["code"]} for c in condition["code"]["coding"]]
    assert codes == CODES["condition"]


def test_liquid_prescription_states_form_concentration_supply_and_identifier() -> None:
    data = _json(patient_bundle(full_record(form="liquid"), SYSTEMS, generated_at=WHEN))
    (request,) = _of(data, "MedicationRequest")
    assert request["status"] == "active"
    (medication,) = request["contained"]
    assert request["medicationReference"] == {"reference": f"#{medication['id']}"}
    form = medication["form"]["coding"][0]
    assert {"system": form["system"], "code": form["code"]} == CODES["dose_form"]["liquid"]
    strength = medication["ingredient"][0]["strength"]
    assert strength["numerator"]["value"] == 1
    assert strength["numerator"]["code"] == "mg"
    assert strength["denominator"]["code"] == "mL"
    assert request["dispenseRequest"]["expectedSupplyDuration"]["value"] == 84
    assert request["identifier"] == [
        {"system": "https://clinic.example/lowdose/id/prescription", "value": "4"}
    ]
    assert [d["sequence"] for d in request["dosageInstruction"]] == [1, 2, 3]
    assert steps_from_medication_request(request) == STEPS


def test_capsule_prescription_and_draft_status() -> None:
    data = _json(
        patient_bundle(full_record(form="capsule", status="draft"), SYSTEMS, generated_at=WHEN)
    )
    (request,) = _of(data, "MedicationRequest")
    assert request["status"] == "draft"
    form = request["contained"][0]["form"]["coding"][0]
    assert {"system": form["system"], "code": form["code"]} == CODES["dose_form"]["capsule"]
    assert "strength" not in request["contained"][0]["ingredient"][0]


def test_dispense_adverse_event_nof1_and_document() -> None:
    data = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN))
    urls = {
        e["resource"]["resourceType"] + e["resource"]["id"]: e["fullUrl"] for e in data["entry"]
    }
    (request,) = _of(data, "MedicationRequest")
    rx_url = urls["MedicationRequest" + request["id"]]
    (dispense,) = _of(data, "MedicationDispense")
    assert dispense["authorizingPrescription"] == [{"reference": rx_url}]
    assert dispense["contained"][0]["batch"] == {"lotNumber": "L-1", "expirationDate": "2026-01-30"}
    (event,) = _of(data, "AdverseEvent")
    assert event["event"]["coding"][0]["code"] == "vivid_dreams"
    assert event["event"]["text"] == "colourful; odd"
    assert event["severity"]["coding"][0]["system"] == CODES["adverse_event_severity"]
    assert event["suspectEntity"] == [{"instance": {"reference": rx_url}}]
    nof1 = next(o for o in _of(data, "Observation") if "effectivePeriod" in o)
    assert nof1["valueQuantity"]["value"] == -1.25
    interval = next(c for c in nof1["component"] if "valueRange" in c)
    assert (interval["valueRange"]["low"]["value"], interval["valueRange"]["high"]["value"]) == (
        -2.0,
        -0.5,
    )
    (document,) = _of(data, "DocumentReference")
    attachment = document["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]) == b"%PDF-1.7 fake"
    assert attachment["contentType"] == "application/pdf"


def test_since_keeps_only_later_time_stamped_records() -> None:
    data = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN, since=date(2026, 2, 1)))
    days = {o["effectiveDateTime"] for o in _of(data, "Observation") if "effectiveDateTime" in o}
    assert "2026-01-10" not in days
    assert "2026-02-20" in days
    assert _of(data, "MedicationDispense") == []  # handed over on 2 January
    assert len(_of(data, "MedicationRequest")) == 1  # the plan is always included
    assert len(_of(data, "QuestionnaireResponse")) == 1
    later = _json(patient_bundle(full_record(), SYSTEMS, generated_at=WHEN, since=date(2026, 3, 2)))
    assert _of(later, "QuestionnaireResponse") == []
    assert _of(later, "AdverseEvent") == []


def test_naive_generation_time_is_refused() -> None:
    with pytest.raises(InteropError, match="timezone-aware"):
        patient_bundle(full_record(), SYSTEMS, generated_at=datetime(2026, 3, 2, 9))
