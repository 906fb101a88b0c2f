"""A patient's record as one FHIR R4B ``Bundle`` (type ``collection``).

Why ``collection``: a ``document`` Bundle must start with a Composition that attests the whole
(author, attester, sections) — a clinical document someone signs, which this export is not; a
``transaction`` asks the receiver to write every entry, which is the importer's choice, not ours;
a ``searchset`` answers a search. ``collection`` is "a set of resources collected into a single
package for ease of distribution" with no processing obligations. R4 still requires every entry
to have a ``fullUrl`` (bdl-7/-8), and this Bundle gives one to every entry.

``fullUrl`` is ``urn:uuid:<uuid5>``, derived from lowdose's identifier system and the record's
own id (:func:`entry_uuid`), so exporting the same record twice gives the same URLs, and every
reference (``subject``, ``derivedFrom``, ``authorizingPrescription``…) is one of them, resolved
inside the Bundle. Each resource's ``id`` is that same uuid.

``since`` keeps the records time-stamped on or after that day: check-ins (and their side
effects), questionnaires, dispensings and N-of-1 results. The Patient, the practitioners, the
fibromyalgia Condition and the prescriptions (the current plan) are always included.

History kept from another record (:mod:`lowdose.interop.fhir.history`) follows lowdose's own
resources, each at the ``fullUrl`` it came with and about this Bundle's Patient; one whose
``fullUrl`` lowdose's own resources already use is not repeated.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime

from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource

from lowdose import instruments
from lowdose.errors import InteropError
from lowdose.interop.fhir import resources as build
from lowdose.interop.fhir.assessments import (
    DEFAULT_CANONICAL_BASE,
    observation,
    questionnaire_response,
)
from lowdose.interop.fhir.history import HistoryResource, restore
from lowdose.interop.fhir.medication import steps_from_medication_request
from lowdose.interop.fhir.records import (
    AssessmentRecord,
    IdentifierSystems,
    PatientRecord,
    PrescriptionRecord,
)

__all__ = ["entry_uuid", "patient_bundle"]

_NAMESPACE = uuid.UUID("6f1c8f0e-6a52-5d3e-9a55-1d0c5a1b7e21")  # lowdose's uuid5 namespace


def entry_uuid(systems: IdentifierSystems, kind: str, key: object) -> str:
    """The deterministic uuid of one resource: uuid5 of the system base, the kind and the key."""
    return str(uuid.uuid5(_NAMESPACE, f"{systems.base}|{kind}|{key}"))


class _Entries:
    """The Bundle's entries in order, each with its ``fullUrl``."""

    def __init__(self, systems: IdentifierSystems) -> None:
        self.systems = systems
        self.entries: list[BundleEntry] = []

    def key(self, kind: str, key: object) -> str:
        return entry_uuid(self.systems, kind, key)

    def add(self, resource: Resource, url: str | None = None) -> str:
        url = url or f"urn:uuid:{resource.id}"
        self.entries.append(BundleEntry(fullUrl=url, resource=resource))
        return url

    def urls(self) -> set[str]:
        return {str(e.fullUrl) for e in self.entries}


#: An order's plan as the suspect of a side effect: (first day, last day or open, draft?, fullUrl).
Span = tuple[date, date | None, bool, str]


def _spans(
    rxs: list[tuple[PrescriptionRecord, str]], history: list[tuple[HistoryResource, Resource]]
) -> list[Span]:
    """Every order's span: lowdose's own, then the dated orders kept from another record (an
    order whose plan cannot be read as dated steps covers no day)."""
    spans = [(rx.steps[0].start, rx.steps[-1].end, rx.status == "draft", url) for rx, url in rxs]
    for kept, resource in history:
        if not isinstance(resource, MedicationRequest):
            continue
        try:
            steps = steps_from_medication_request(resource)
        except InteropError:
            continue
        spans.append((steps[0].start, steps[-1].end, resource.status == "draft", kept.full_url))
    return spans


def _in_use(spans: list[Span], day: date) -> str | None:
    """The order whose plan covers ``day`` (a signed one before a draft), if any."""
    for first, last, _, url in sorted(spans, key=lambda s: s[2]):
        if first <= day and (last is None or day <= last):
            return url
    return None


def _assessment(
    out: _Entries, item: AssessmentRecord, subject: Reference, canonical_base: str
) -> None:
    definition = instruments.get(item.instrument)
    qr_id = out.key("assessment", item.lowdose_id)
    response = questionnaire_response(
        definition,
        dict(item.answers),
        subject=str(subject.reference),
        authored=item.completed_at,
        response_id=qr_id,
        base=canonical_base,
        identifier=Identifier(system=out.systems.system("assessment"), value=str(item.lowdose_id)),
    )
    response.subject = subject  # the same Reference (fullUrl, identifier) as every resource
    qr_url = out.add(response)
    scored = instruments.score(item.instrument, dict(item.answers))
    if item.version and scored.version != item.version:
        return  # scored by another definition: the answers travel, the old score does not
    score = observation(
        scored,
        subject=str(subject.reference),
        effective=item.completed_at,
        derived_from=qr_url,
        observation_id=out.key("assessment-score", item.lowdose_id),
        identifier=Identifier(
            system=out.systems.system("assessment-score"), value=str(item.lowdose_id)
        ),
    )
    score.subject = subject
    out.add(score)


def _people(out: _Entries, record: PatientRecord) -> tuple[Reference, dict[int, Reference]]:
    systems = out.systems
    who = record.patient
    patient = build.patient(who, systems, out.key("patient", who.lowdose_id))
    subject = Reference(
        reference=out.add(patient),
        # the MRN when the clinic has one (what an EHR matches on), else lowdose's id
        identifier=build.patient_identifiers(who, systems)[0],
        display=who.name,
    )
    staff: dict[int, Reference] = {}
    seen: set[int] = set()
    for person in record.practitioners:
        if person.lowdose_id in seen:
            continue
        seen.add(person.lowdose_id)
        resource = build.practitioner(person, systems, out.key("practitioner", person.lowdose_id))
        staff[person.lowdose_id] = Reference(
            reference=out.add(resource),
            identifier=build.practitioner_identifier(person, systems),
            display=person.name,
        )
    return subject, staff


def _treatment(
    out: _Entries, record: PatientRecord, subject: Reference, staff: dict[int, Reference]
) -> list[tuple[PrescriptionRecord, str]]:
    """The Condition and the MedicationRequests; returns each prescription with its fullUrl."""
    if not record.prescriptions:
        return []
    first = min(record.prescriptions, key=lambda rx: rx.created_at)
    reason = out.add(
        build.condition(
            subject,
            first.created_at.date(),
            out.key("condition", "fibromyalgia"),
            staff.get(first.prescriber_id),
        )
    )
    placed = []
    for rx in record.prescriptions:
        requester = staff.get(rx.prescriber_id)
        resource = build.prescription(
            rx,
            out.systems,
            resource_id=out.key("prescription", rx.lowdose_id),
            subject=str(subject.reference),
            requester=None if requester is None else str(requester.reference),
            reason=reason,
        )
        resource.subject = subject
        resource.requester = requester
        placed.append((rx, out.add(resource)))
    return placed


def patient_bundle(
    record: PatientRecord,
    systems: IdentifierSystems,
    *,
    generated_at: datetime,
    since: date | None = None,
    canonical_base: str = DEFAULT_CANONICAL_BASE,
) -> Bundle:
    """The patient's record as a validated R4B ``collection`` Bundle (module docstring).

    Raises
    ------
    InteropError
        ``generated_at`` is naive, or a record cannot be expressed (see the message).
    """
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise InteropError("generated_at must be timezone-aware.", field="generated_at")
    out = _Entries(systems)
    subject, staff = _people(out, record)
    rxs = _treatment(out, record, subject, staff)
    rx_urls = {rx.lowdose_id: url for rx, url in rxs}
    forms = {rx.lowdose_id: rx.form for rx, _ in rxs}
    for batch in record.dispensings:
        if since is not None and batch.dispensed_at.date() < since:
            continue
        out.add(
            build.medication_dispense(
                batch,
                systems,
                form=forms.get(batch.prescription_id, "capsule"),
                resource_id=out.key("dispensing", batch.lowdose_id),
                subject=subject,
                performer=staff.get(batch.pharmacist_id),
                prescription_url=rx_urls.get(batch.prescription_id),
            )
        )
    history = [(kept, restore(kept, subject)) for kept in record.history]
    _diary(out, record, subject, _spans(rxs, history), since)
    for item in record.assessments:
        if since is None or item.completed_at.date() >= since:
            _assessment(out, item, subject, canonical_base)
    for result in record.nof1_results:
        if since is None or result.unblinded_at.date() >= since:
            out.add(
                build.nof1_observation(
                    result,
                    systems,
                    resource_id=out.key("nof1", result.trial_id),
                    subject=subject,
                )
            )
    used = out.urls()
    for kept, resource in history:
        if kept.full_url in used or (
            since is not None and kept.occurred_on is not None and kept.occurred_on < since
        ):
            continue
        out.add(resource, kept.full_url)
    if record.report is not None:
        made = record.report.created_at
        key = f"{record.patient.lowdose_id}/{made.isoformat() if made else 'on-request'}"
        out.add(
            build.document_reference(
                record.report, resource_id=out.key("report", key), subject=subject
            )
        )
    # Bundle.id and identifier name the content (the same record exported twice: the same
    # ids); the timestamp says when it was assembled.
    digest = hashlib.sha256(
        json.dumps([e.model_dump(mode="json", exclude_none=True) for e in out.entries]).encode()
    ).hexdigest()
    bundle_id = entry_uuid(systems, "export", f"{record.patient.lowdose_id}|{since}|{digest}")
    return Bundle(
        id=bundle_id,
        identifier=Identifier(system=systems.system("export"), value=bundle_id),
        type="collection",
        timestamp=generated_at,
        entry=out.entries or None,
    )


def _diary(
    out: _Entries,
    record: PatientRecord,
    subject: Reference,
    spans: list[Span],
    since: date | None,
) -> None:
    """The check-ins' Observations, then each reported side effect as an AdverseEvent."""
    for checkin in record.checkins:
        if since is not None and checkin.day < since:
            continue
        ids = [out.key("checkin-item", f"{checkin.client_id}/{name}") for name, _ in checkin.scores]
        ids.append(out.key("checkin", checkin.client_id))
        for resource in build.checkin_observations(checkin, out.systems, subject, ids):
            out.add(resource)
        for effect in checkin.side_effects:
            out.add(
                build.adverse_event(
                    checkin,
                    effect,
                    out.systems,
                    resource_id=out.key("side-effect", f"{checkin.client_id}/{effect.name}"),
                    subject=subject,
                    suspect=_in_use(spans, checkin.day),
                )
            )
