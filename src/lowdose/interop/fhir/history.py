"""Records from another system: orders, dispensings, diagnoses and N-of-1 results kept as
read-only history (docs/fhir.md, "Import").

lowdose writes its own orders: a prescription is screened and signed here, a dispensing is
recorded by the pharmacy. A MedicationRequest, MedicationDispense, Condition, Practitioner or
N-of-1 result Observation that arrives in an imported Bundle is therefore never turned into a
lowdose prescription, dispensing or trial. It is kept **as it was sent** (validated by
``fhir.resources``), shown to the care team as *from another record, read-only*, never signable
or dispensable, and exported again exactly as it came, so a record moved from one lowdose to
another (or from an EHR) keeps its medication history.

What is stored of each resource: the resource without ``id``, ``meta`` and its subject (the
subject is the patient whose record it is imported into: the reader refused a resource about
anyone else), its ``fullUrl`` (the sender's, so references between the imported resources keep
resolving; a resource sent without one gets ``urn:uuid:`` + uuid5 of its content), a plain-words
summary, and the day it happened (dispensed, issued) for ``?since=``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource

from lowdose.errors import InteropError

__all__ = [
    "HISTORY_TYPES",
    "HistoryResource",
    "describe",
    "history_resource",
    "literal_references",
    "restore",
]

#: Resource types kept as history (Observations only when they are N-of-1 results).
HISTORY_TYPES = frozenset(
    {"Condition", "MedicationDispense", "MedicationRequest", "Observation", "Practitioner"}
)
#: Every kept type but Practitioner names the patient in ``subject`` (stored without it,
#: restored on export).
_SUBJECT_FREE = frozenset({"Practitioner"})
_NAMESPACE = uuid.UUID("1b0d6a36-3b8e-5f43-8d8b-6c1f2a7e9d40")  # history content ids


@dataclass(frozen=True, slots=True)
class HistoryResource:
    """One resource kept as history: its type, ``fullUrl``, the resource as stored (no ``id``,
    ``meta`` or subject), a summary in plain words, and the day it happened (or ``None``)."""

    resource_type: str
    full_url: str
    resource: dict[str, Any]
    summary: str
    occurred_on: date | None = None


def _canonical(resource: dict[str, Any]) -> str:
    return json.dumps(resource, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def history_resource(resource: dict[str, Any], full_url: str | None) -> HistoryResource:
    """``resource`` (validated R4B JSON) as history. Its ``fullUrl`` is kept when it is one;
    otherwise one is made from the content, so sending the same resource twice keeps it once."""
    kind = str(resource["resourceType"])
    stored = {
        k: v
        for k, v in resource.items()
        if k not in ("id", "meta") and not (k == "subject" and kind not in _SUBJECT_FREE)
    }
    if not full_url:
        digest = hashlib.sha256(_canonical(stored).encode()).hexdigest()
        full_url = f"urn:uuid:{uuid.uuid5(_NAMESPACE, digest)}"
    return HistoryResource(kind, full_url, stored, describe(stored), _occurred(stored))


def _occurred(resource: dict[str, Any]) -> date | None:
    kind = resource["resourceType"]
    moment = None
    if kind == "MedicationDispense":
        moment = resource.get("whenHandedOver") or resource.get("whenPrepared")
    elif kind == "Observation":
        period = resource.get("effectivePeriod") or {}
        moment = resource.get("issued") or period.get("end") or resource.get("effectiveDateTime")
    if isinstance(moment, str) and len(moment) >= 10:
        try:
            return date.fromisoformat(moment[:10])
        except ValueError:
            return None
    return None


def literal_references(value: object) -> Iterator[str]:
    """Every literal ``reference`` in ``value`` (a resource's JSON), except to contained
    resources (``#…``)."""
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, str) and not ref.startswith("#"):
            yield ref
        for key, item in value.items():
            if key != "reference":
                yield from literal_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from literal_references(item)


def restore(item: HistoryResource, subject: Reference) -> Resource:
    """The stored resource as an R4B model again, about ``subject``, its ``id`` from its
    ``fullUrl`` when that is a ``urn:uuid``.

    Raises :class:`InteropError` if the stored JSON no longer validates (it did when stored).
    """
    data = dict(item.resource)
    if item.resource_type not in _SUBJECT_FREE:
        data["subject"] = subject.model_dump(mode="json", exclude_none=True)
    if item.full_url.startswith("urn:uuid:"):
        data["id"] = item.full_url.removeprefix("urn:uuid:")
    try:
        resource = cast(Resource, get_fhir_model_class(item.resource_type).model_validate(data))
    except ValueError as bad:
        raise InteropError(
            f"A {item.resource_type} kept from another record no longer reads as FHIR R4B: {bad}",
            field="history",
        ) from None
    return resource


# -- plain words ---------------------------------------------------------------------------------


def _text(concept: object) -> str:
    """A CodeableConcept's words: its text, else its first coding's display, else its code."""
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and (coding.get("display") or coding.get("code")):
            return str(coding.get("display") or coding.get("code"))
    return ""


def _medication(resource: dict[str, Any]) -> str:
    if resource.get("medicationCodeableConcept"):
        return _text(resource["medicationCodeableConcept"]) or "a medicine"
    ref = (resource.get("medicationReference") or {}).get("reference", "")
    for contained in resource.get("contained") or []:
        if f"#{contained.get('id')}" == ref:
            return _text(contained.get("code")) or "a medicine"
    return "a medicine"


def _who(ref: object) -> str:
    return str(ref.get("display") or "") if isinstance(ref, dict) else ""


def _quantity(q: object) -> str:
    if not isinstance(q, dict) or q.get("value") is None:
        return ""
    unit = str(q.get("unit") or q.get("code") or "")
    if unit.startswith("{"):  # a UCUM annotation such as {score}: points on the scale
        unit = "points"
    elif unit == "1":  # a probability or a ratio
        unit = ""
    number = Decimal(str(q["value"])).normalize()
    return f"{number:f} {unit}".strip()


def _day_of(text: object) -> str:
    return str(text)[:10] if text else ""


#: R4 medicationrequest-status codes in words.
_ORDER_STATUS = {
    "active": "active",
    "on-hold": "on hold",
    "cancelled": "cancelled",
    "completed": "completed",
    "entered-in-error": "entered in error",
    "stopped": "stopped",
    "draft": "a draft, never signed",
    "unknown": "status unknown",
}


def describe(resource: dict[str, Any]) -> str:
    """One sentence for the care team, from what the resource itself says."""
    kind = resource["resourceType"]
    if kind == "MedicationRequest":
        status = str(resource.get("status"))
        steps = [
            str(d.get("text")) for d in resource.get("dosageInstruction") or [] if d.get("text")
        ]
        by = _who(resource.get("requester"))
        parts = [
            f"Order for {_medication(resource)} ({_ORDER_STATUS.get(status, 'status unknown')})",
            f"written {_day_of(resource.get('authoredOn'))}" if resource.get("authoredOn") else "",
            f"by {by}" if by else "",
        ]
        head = " ".join(p for p in parts if p)
        return head + (": " + "; ".join(steps) if steps else "") + "."
    if kind == "MedicationDispense":
        performers = resource.get("performer") or []
        by = _who(performers[0].get("actor")) if performers else ""
        amount = _quantity(resource.get("quantity"))
        when = _day_of(resource.get("whenHandedOver") or resource.get("whenPrepared"))
        parts = [
            f"Dispensed {amount + ' of ' if amount else ''}{_medication(resource)}",
            f"on {when}" if when else "",
            f"by {by}" if by else "",
        ]
        return " ".join(p for p in parts if p) + "."
    if kind == "Condition":
        since = _day_of(resource.get("recordedDate") or resource.get("onsetDateTime"))
        return f"Diagnosis: {_text(resource.get('code')) or 'not named'}" + (
            f", recorded {since}." if since else "."
        )
    if kind == "Practitioner":
        names = resource.get("name") or []
        name = names[0].get("text") if names and isinstance(names[0], dict) else ""
        return f"Care professional: {name or 'not named'}."
    if kind == "Observation":
        value = _quantity(resource.get("valueQuantity"))
        period = resource.get("effectivePeriod") or {}
        span = (
            f" ({_day_of(period.get('start'))} to {_day_of(period.get('end'))})" if period else ""
        )
        interval = ""
        for component in resource.get("component") or []:
            found = component.get("valueRange") if isinstance(component, dict) else None
            if isinstance(found, dict):
                low, high = _quantity(found.get("low")), _quantity(found.get("high"))
                interval = f", 95% interval {low} to {high}"
                break
        return f"{_text(resource.get('code')) or 'Result'}{span}: {value or 'no value'}{interval}."
    raise InteropError(f"{kind} is not kept as history.", field="resourceType")
