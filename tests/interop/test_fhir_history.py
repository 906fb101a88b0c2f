"""Records kept from another system (lowdose.interop.fhir.history): stored without id, meta and
subject, given a content fullUrl when sent without one, described in plain words, restored as
valid R4B about the receiving patient."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.reference import Reference

from lowdose.errors import InteropError
from lowdose.interop.fhir.history import describe, history_resource, literal_references, restore

ORDER: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "sender-7",
    "meta": {"versionId": "3"},
    "status": "on-hold",
    "intent": "order",
    "subject": {"reference": "Patient/elsewhere-12"},
    "medicationCodeableConcept": {"coding": [{"display": "Naltrexone 4.5 mg capsule"}]},
    "authoredOn": "2026-02-03T09:00:00Z",
    "requester": {
        "reference": "urn:uuid:3d1c0e6e-1111-4222-8333-444455556666",
        "display": "Dr Lee",
    },
    "dosageInstruction": [{"text": "4.5 mg at bedtime"}],
    "contained": [{"resourceType": "Medication", "id": "m"}],
    "reasonReference": [{"reference": "#m"}],
}


def test_an_order_is_stored_without_id_meta_and_subject() -> None:
    kept = history_resource(ORDER, "urn:uuid:9a0e5b94-0000-4000-8000-00000000000a")

    assert kept.full_url == "urn:uuid:9a0e5b94-0000-4000-8000-00000000000a"
    assert {"id", "meta", "subject"}.isdisjoint(kept.resource)
    assert kept.resource["status"] == "on-hold"
    assert kept.occurred_on is None
    assert kept.summary == (
        "Order for Naltrexone 4.5 mg capsule (on hold) written 2026-02-03 by Dr Lee: "
        "4.5 mg at bedtime."
    )


def test_without_a_full_url_the_content_names_it_the_same_each_time() -> None:
    first = history_resource(ORDER, None)
    again = history_resource({**ORDER, "id": "another-id", "meta": {}}, None)
    changed = history_resource({**ORDER, "status": "stopped"}, None)

    assert first.full_url.startswith("urn:uuid:")
    assert first.full_url == again.full_url  # id and meta are the sender's, not the content
    assert changed.full_url != first.full_url


def test_references_are_every_literal_one_but_contained() -> None:
    assert list(literal_references(ORDER)) == [
        "Patient/elsewhere-12",
        "urn:uuid:3d1c0e6e-1111-4222-8333-444455556666",
    ]


def test_restored_about_the_receiving_patient_with_its_url_as_id() -> None:
    kept = history_resource(ORDER, "urn:uuid:9a0e5b94-0000-4000-8000-00000000000a")
    subject = Reference(reference="urn:uuid:0c0c0c0c-0000-4000-8000-000000000001", display="Ann")

    resource = restore(kept, subject)

    data = resource.model_dump(mode="json", exclude_none=True)
    assert data["id"] == "9a0e5b94-0000-4000-8000-00000000000a"
    assert data["subject"] == {
        "reference": "urn:uuid:0c0c0c0c-0000-4000-8000-000000000001",
        "display": "Ann",
    }
    assert data["dosageInstruction"] == [{"text": "4.5 mg at bedtime"}]


def test_a_stored_resource_that_no_longer_validates_says_so() -> None:
    kept = history_resource(ORDER, None)
    broken = type(kept)(kept.resource_type, kept.full_url, {**kept.resource, "status": 7}, "")

    with pytest.raises(InteropError, match="no longer reads as FHIR R4B"):
        restore(broken, Reference(reference="urn:uuid:0c0c0c0c-0000-4000-8000-000000000001"))


@pytest.mark.parametrize(
    ("resource", "words", "day"),
    [
        (
            {
                "resourceType": "MedicationDispense",
                "status": "completed",
                "medicationCodeableConcept": {"text": "LDN 1 mg/mL"},
                "quantity": {"value": 30.0, "unit": "mL"},
                "whenHandedOver": "2026-04-01T18:00:00+10:00",
                "performer": [{"actor": {"display": "Sam (pharmacist)"}}],
            },
            "Dispensed 30 mL of LDN 1 mg/mL on 2026-04-01 by Sam (pharmacist).",
            date(2026, 4, 1),  # the day as the sender wrote it, not converted to UTC
        ),
        (
            {
                "resourceType": "Condition",
                "subject": {"reference": "Patient/1"},
                "code": {"coding": [{"code": "M79.7"}]},
                "recordedDate": "2025-11-30",
            },
            "Diagnosis: M79.7, recorded 2025-11-30.",
            None,
        ),
        (
            {"resourceType": "Practitioner", "name": [{"text": "Dr Rivera"}]},
            "Care professional: Dr Rivera.",
            None,
        ),
        (
            {
                "resourceType": "Observation",
                "status": "final",
                "subject": {"reference": "Patient/1"},
                "code": {"text": "N-of-1 result on daily pain"},
                "effectivePeriod": {"start": "2026-01-01", "end": "2026-03-01"},
                "issued": "2026-03-02T09:00:00Z",
                "valueQuantity": {"value": -1.25, "code": "{score}"},
                "component": [
                    {"code": {"text": "p"}, "valueQuantity": {"value": 0.97, "unit": "1"}},
                    {
                        "code": {"text": "ci"},
                        "valueRange": {
                            "low": {"value": -2, "code": "{score}"},
                            "high": {"value": -0.5, "code": "{score}"},
                        },
                    },
                ],
            },
            "N-of-1 result on daily pain (2026-01-01 to 2026-03-01): -1.25 points, "
            "95% interval -2 points to -0.5 points.",
            date(2026, 3, 2),
        ),
    ],
)
def test_each_kind_in_plain_words(resource: dict[str, Any], words: str, day: date | None) -> None:
    kept = history_resource(resource, None)

    assert kept.summary == words
    assert describe(kept.resource) == words
    assert kept.occurred_on == day
