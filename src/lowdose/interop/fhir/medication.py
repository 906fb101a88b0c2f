"""FHIR R4B MedicationRequest for a titration plan, built and validated with ``fhir.resources``.

One ``dosageInstruction`` per dated step, with distinct ``sequence`` numbers: in R4, "if the
sequence number is different, then the Dosages are intended to be sequential" (FHIR R4
Dosage.sequence, hl7.org/fhir/r4/dosage-definitions.html). Each step carries

* ``timing.repeat.boundsPeriod`` with the step's dates (start, inclusive end; no end for the
  open-ended last step). The reference example uses ``boundsDuration``; both are R4
  ``bounds[x]`` choices, and the period keeps the calendar dates so the plan reads back exactly;
* ``frequency = 1`` per ``period = 1`` ``d``, ``when = HS`` (bedtime) or ``MORN`` (morning), FHIR
  EventTiming codes;
* ``doseAndRate.doseQuantity`` in UCUM ``mg`` (system ``http://unitsofmeasure.org``), the exact
  Decimal dose;
* ``route.text = "oral"`` (SNOMED route codes need a SNOMED licence).

Medication: RxNorm ingredient 7243 "naltrexone" as in the validated reference example; the
reference flags this RXCUI as **unverified** (third-party tool output; confirm in RxNav), and no
RxNorm concept exists for low strengths, so the text says "naltrexone hydrochloride, low-dose,
compounded". Pass ``rxnorm_code=None`` to send text only. Reason: ICD-10-CM M79.7 Fibromyalgia.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import (
    MedicationRequest,
    MedicationRequestDispenseRequest,
)
from pydantic import ValidationError

from lowdose.errors import InteropError
from lowdose.regimens.steps import DoseTime, TitrationStep, decimal_str, validate_schedule

__all__ = [
    "ICD10CM_SYSTEM",
    "RXNORM_NALTREXONE_IN",
    "RXNORM_SYSTEM",
    "UCUM_SYSTEM",
    "medication_request",
    "steps_from_medication_request",
]

RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"
#: RxNorm IN for naltrexone as used in the reference example; unverified there (see module doc).
RXNORM_NALTREXONE_IN = "7243"
UCUM_SYSTEM = "http://unitsofmeasure.org"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"

#: R4 value sets medicationrequest-status and medicationrequest-intent (required bindings that
#: fhir.resources does not enforce).
_STATUS = frozenset(
    {
        "active",
        "on-hold",
        "cancelled",
        "completed",
        "entered-in-error",
        "stopped",
        "draft",
        "unknown",
    }
)
_INTENT = frozenset(
    {
        "proposal",
        "plan",
        "order",
        "original-order",
        "reflex-order",
        "filler-order",
        "instance-order",
        "option",
    }
)
_WHEN = {DoseTime.BEDTIME: "HS", DoseTime.MORNING: "MORN"}
_TIME_OF = {code: time for time, code in _WHEN.items()}
_WORDS = {DoseTime.BEDTIME: "at bedtime", DoseTime.MORNING: "in the morning"}


def _step_text(number: int, step: TitrationStep) -> str:
    dose = f"{decimal_str(step.dose_mg)} mg by mouth {_WORDS[step.time]}"
    if step.end is None:
        return f"Step {number}: {dose} from {step.start.isoformat()} onwards"
    return (
        f"Step {number}: {dose} from {step.start.isoformat()} to {step.end.isoformat()} "
        f"({step.days} days)"
    )


def _dosage(number: int, step: TitrationStep) -> dict[str, Any]:
    bounds: dict[str, str] = {"start": step.start.isoformat()}
    if step.end is not None:
        bounds["end"] = step.end.isoformat()
    return {
        "sequence": number,
        "text": _step_text(number, step),
        "timing": {
            "repeat": {
                "boundsPeriod": bounds,
                "frequency": 1,
                "period": 1,
                "periodUnit": "d",
                "when": [_WHEN[step.time]],
            }
        },
        "route": {"text": "oral"},
        "doseAndRate": [
            {
                "doseQuantity": {
                    "value": step.dose_mg,
                    "unit": "mg",
                    "system": UCUM_SYSTEM,
                    "code": "mg",
                }
            }
        ],
    }


def _drug(
    medication: Medication | None, rxnorm_code: str | None, medication_text: str
) -> dict[str, Any]:
    """``contained`` + ``medicationReference`` for a Medication, else the coded drug."""
    if medication is not None:
        if not medication.id:
            raise InteropError("the contained Medication needs an id.", field="medication")
        return {
            "contained": [medication],
            "medicationReference": {"reference": f"#{medication.id}"},
        }
    coding = (
        [{"system": RXNORM_SYSTEM, "code": rxnorm_code, "display": "naltrexone"}]
        if rxnorm_code
        else []
    )
    return {
        "medicationCodeableConcept": {
            "text": medication_text,
            **({"coding": coding} if coding else {}),
        }
    }


def _check(status: str, intent: str, patient_ref: str) -> None:
    if status not in _STATUS:
        raise InteropError(
            f"status {status!r} is not an R4 MedicationRequest status; use one "
            f"of {', '.join(sorted(_STATUS))}.",
            field="status",
        )
    if intent not in _INTENT:
        raise InteropError(
            f"intent {intent!r} is not an R4 MedicationRequest intent; use one "
            f"of {', '.join(sorted(_INTENT))}.",
            field="intent",
        )
    if not patient_ref.strip():
        raise InteropError(
            "patient_ref is empty; give a reference such as 'Patient/123'.", field="patient_ref"
        )


def medication_request(
    steps: Sequence[TitrationStep],
    patient_ref: str,
    *,
    request_id: str | None = None,
    authored_on: date | None = None,
    status: str = "active",
    intent: str = "order",
    requester_ref: str | None = None,
    rxnorm_code: str | None = RXNORM_NALTREXONE_IN,
    medication_text: str = "naltrexone hydrochloride, low-dose oral (compounded)",
    note: str | None = "Off-label use of naltrexone at low dose; compounded preparation.",
    reason_fibromyalgia: bool = True,
    medication: Medication | None = None,
    identifier: Sequence[Identifier] = (),
    dispense_request: MedicationRequestDispenseRequest | None = None,
    reason_reference: str | None = None,
) -> MedicationRequest:
    """A validated R4B ``MedicationRequest`` with one ``dosageInstruction`` per step.

    Parameters
    ----------
    steps : sequence of TitrationStep
        The dated plan (contiguous; the last step may be open-ended).
    patient_ref : str
        Literal reference such as ``"Patient/123"`` or ``"urn:uuid:…"``.
    medication : Medication, optional
        The compounded preparation (dose form, ingredient strength), ``contained`` in the request
        and referenced as ``#<its id>``; without it, ``medicationCodeableConcept`` names the drug.
    identifier, dispense_request, reason_reference
        The request's business identifiers, its ``dispenseRequest``, and a reference to the
        Condition it treats (besides the ICD-10-CM ``reasonCode``).

    Raises
    ------
    InteropError
        The plan is not contiguous, or the resource fails R4B validation.
    """
    plan = validate_schedule(steps)
    _check(status, intent, patient_ref)
    payload: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": intent,
        "subject": {"reference": patient_ref},
        "dosageInstruction": [_dosage(n, step) for n, step in enumerate(plan, 1)],
        **_drug(medication, rxnorm_code, medication_text),
    }
    if identifier:
        payload["identifier"] = list(identifier)
    if dispense_request is not None:
        payload["dispenseRequest"] = dispense_request
    if reason_reference is not None:
        payload["reasonReference"] = [{"reference": reason_reference}]
    if request_id is not None:
        payload["id"] = request_id
    if authored_on is not None:
        payload["authoredOn"] = authored_on.isoformat()
    if requester_ref is not None:
        payload["requester"] = {"reference": requester_ref}
    if note:
        payload["note"] = [{"text": note}]
    if reason_fibromyalgia:
        payload["reasonCode"] = [
            {"coding": [{"system": ICD10CM_SYSTEM, "code": "M79.7", "display": "Fibromyalgia"}]}
        ]
    try:
        return MedicationRequest.model_validate(payload)
    except ValidationError as exc:
        raise InteropError(
            f"the MedicationRequest does not validate as FHIR R4B: {exc}; check "
            "status, intent and references."
        ) from exc


def steps_from_medication_request(
    resource: MedicationRequest | dict[str, Any] | str,
) -> tuple[TitrationStep, ...]:
    """Read a titration written by :func:`medication_request` back into dated steps.

    Accepts the model, a JSON-ready dict or a JSON string. Doses are read as exact Decimals.
    """
    try:
        if isinstance(resource, str):
            model = MedicationRequest.model_validate_json(resource)
        elif isinstance(resource, dict):
            model = MedicationRequest.model_validate(resource)
        else:
            model = resource
    except ValidationError as exc:
        raise InteropError(f"not a valid R4B MedicationRequest: {exc}.") from exc
    dosages = sorted(model.dosageInstruction or [], key=lambda d: d.sequence or 0)
    if not dosages:
        raise InteropError("the MedicationRequest has no dosageInstruction to read a plan from.")
    steps: list[TitrationStep] = []
    for dosage in dosages:
        repeat = dosage.timing.repeat if dosage.timing else None
        period = repeat.boundsPeriod if repeat else None
        if period is None or period.start is None:
            raise InteropError(
                f"dosage {dosage.sequence} has no timing.repeat.boundsPeriod "
                "start; only dated titrations can be read back."
            )
        quantity = dosage.doseAndRate[0].doseQuantity if dosage.doseAndRate else None
        if quantity is None or quantity.value is None or quantity.code != "mg":
            raise InteropError(f"dosage {dosage.sequence} has no dose in UCUM mg.")
        when = (repeat.when or ["HS"])[0] if repeat else "HS"
        if when not in _TIME_OF:
            raise InteropError(
                f"dosage {dosage.sequence}: timing 'when' {when!r} is not HS or MORN."
            )
        steps.append(
            TitrationStep(
                start=_as_date(period.start),
                end=None if period.end is None else _as_date(period.end),
                dose_mg=Decimal(str(quantity.value)),
                time=_TIME_OF[when],
            )
        )
    return validate_schedule(steps)


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    return date.fromisoformat(str(value)[:10])
