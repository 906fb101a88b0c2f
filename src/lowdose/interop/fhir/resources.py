"""The resources of a patient's FHIR export, one builder each (``fhir.resources`` R4B models).

Codes and their sources (docs/fhir.md lists them all):

* daily pain: LOINC 72514-3; the other daily items: the local system
  :data:`lowdose.daily.LOCAL_CODE_SYSTEM` (no LOINC code exists; shared reference
  instruments.md §6.1);
* fibromyalgia: ICD-10-CM M79.7 and SNOMED CT 203082005 "Fibromyalgia (disorder)" (CDS4CPM value
  set, cqframework/cds4cpm; the same concept in HL7's FHIR R4 example ``medicationdispense0321``);
* dose forms: HL7 v3 orderableDrugForm ``CAP`` (Capsule) and ``ORALSOL`` (Oral Solution)
  (terminology.hl7.org CodeSystem v3-orderableDrugForm, value sets OralCapsule/OralSolution);
* AdverseEvent severity: terminology.hl7.org CodeSystem adverse-event-severity.

Every reference between the resources is the target's ``fullUrl`` (``urn:uuid:``), so it resolves
inside the Bundle (:mod:`lowdose.interop.fhir.bundle`).
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import cast

from fhir.resources.R4B.adverseevent import AdverseEvent, AdverseEventSuspectEntity
from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.documentreference import DocumentReference, DocumentReferenceContent
from fhir.resources.R4B.duration import Duration
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.medication import Medication, MedicationBatch, MedicationIngredient
from fhir.resources.R4B.medicationdispense import MedicationDispense, MedicationDispensePerformer
from fhir.resources.R4B.medicationrequest import MedicationRequest, MedicationRequestDispenseRequest
from fhir.resources.R4B.observation import Observation, ObservationComponent
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.range import Range
from fhir.resources.R4B.ratio import Ratio
from fhir.resources.R4B.reference import Reference

from lowdose.daily import daily_scale
from lowdose.interop.fhir.medication import (
    ICD10CM_SYSTEM,
    RXNORM_NALTREXONE_IN,
    RXNORM_SYSTEM,
    UCUM_SYSTEM,
    medication_request,
)
from lowdose.interop.fhir.records import (
    CheckinRecord,
    DispensingRecord,
    IdentifierSystems,
    Nof1Record,
    PatientIdentity,
    PractitionerRecord,
    PrescriptionRecord,
    ReportDocument,
    SideEffectRecord,
)

__all__ = [
    "CHECKIN_SYSTEM",
    "DOSE_FORM_SYSTEM",
    "NOF1_SYSTEM",
    "SIDE_EFFECT_SYSTEM",
    "SNOMED_FIBROMYALGIA",
    "SNOMED_SYSTEM",
    "adverse_event",
    "checkin_observations",
    "condition",
    "document_reference",
    "medication_dispense",
    "nof1_observation",
    "patient",
    "practitioner",
    "prescription",
]

SNOMED_SYSTEM = "http://snomed.info/sct"
SNOMED_FIBROMYALGIA = "203082005"
DOSE_FORM_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm"
#: Local code systems (documented in docs/fhir.md; no standard code fits).
CHECKIN_SYSTEM = "urn:lowdose:checkin"
SIDE_EFFECT_SYSTEM = "urn:lowdose:side-effect"
NOF1_SYSTEM = "urn:lowdose:nof1"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_MR_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
_AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
_CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
#: LOINC's own display of the daily items that have a LOINC code (shared reference
#: instruments.md §6.1, as found in the HL7 Belgium patient-monitoring IG).
_LOINC_DISPLAY = {"72514-3": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
_FORMS = {"capsule": ("CAP", "Capsule"), "liquid": ("ORALSOL", "Oral Solution")}
_MR_STATUS = {"draft": "draft", "signed": "active", "dispensed": "active"}


def _day(day: date) -> datetime:
    """A FHIR ``dateTime`` at day precision ("2025-01-15"): fhir.resources takes a ``date`` there
    though its annotations say ``datetime``."""
    return cast(datetime, day)


def _cc(
    system: str, code: str, display: str | None = None, text: str | None = None
) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=system, code=code, display=display)], text=text)


def _ref(url: str, display: str | None = None, identifier: Identifier | None = None) -> Reference:
    return Reference(reference=url, display=display, identifier=identifier)


def _score(value: Decimal | float, unit: str = "{score}") -> Quantity:
    return Quantity(value=Decimal(str(value)), unit=unit, system=UCUM_SYSTEM, code=unit)


def _survey() -> list[CodeableConcept]:
    return [_cc(_CATEGORY, "survey", "Survey")]


def patient_identifiers(who: PatientIdentity, systems: IdentifierSystems) -> list[Identifier]:
    """The clinic's MRN (when it has a system and a value) and lowdose's own id."""
    ids = []
    if systems.mrn and who.mrn:
        ids.append(
            Identifier(
                use="usual",
                type=_cc(_MR_TYPE, "MR", "Medical record number"),
                system=systems.mrn,
                value=who.mrn,
            )
        )
    ids.append(
        Identifier(use="secondary", system=systems.system("patient"), value=str(who.lowdose_id))
    )
    return ids


def patient(who: PatientIdentity, systems: IdentifierSystems, resource_id: str) -> Patient:
    return Patient(
        id=resource_id,
        identifier=patient_identifiers(who, systems),
        active=True,
        name=[HumanName(text=who.name)],
    )


def practitioner_identifier(who: PractitionerRecord, systems: IdentifierSystems) -> Identifier:
    return Identifier(system=systems.system("practitioner"), value=str(who.lowdose_id))


def practitioner(
    who: PractitionerRecord, systems: IdentifierSystems, resource_id: str
) -> Practitioner:
    return Practitioner(
        id=resource_id,
        identifier=[practitioner_identifier(who, systems)],
        active=True,
        name=[HumanName(text=who.name)],
    )


def condition(
    subject: Reference, recorded: date, resource_id: str, recorder: Reference | None
) -> Condition:
    """Fibromyalgia, the reason for every LDN prescription (ICD-10-CM M79.7, SNOMED CT)."""
    code = CodeableConcept(
        coding=[
            Coding(system=ICD10CM_SYSTEM, code="M79.7", display="Fibromyalgia"),
            Coding(
                system=SNOMED_SYSTEM, code=SNOMED_FIBROMYALGIA, display="Fibromyalgia (disorder)"
            ),
        ],
        text="Fibromyalgia",
    )
    return Condition(
        id=resource_id,
        clinicalStatus=_cc(_CONDITION_CLINICAL, "active", "Active"),
        verificationStatus=_cc(_CONDITION_VERIFICATION, "confirmed", "Confirmed"),
        category=[_cc(_CONDITION_CATEGORY, "problem-list-item", "Problem List Item")],
        code=code,
        subject=subject,
        recordedDate=_day(recorded),
        recorder=recorder,
    )


def _compounded(rx: PrescriptionRecord) -> Medication:
    """The compounded preparation: dose form, and for the liquid its concentration."""
    code, display = _FORMS[rx.form]
    strength = None
    if rx.form == "liquid" and rx.concentration_mg_per_ml is not None:
        strength = Ratio(
            numerator=Quantity(
                value=rx.concentration_mg_per_ml, unit="mg", system=UCUM_SYSTEM, code="mg"
            ),
            denominator=Quantity(value=Decimal(1), unit="mL", system=UCUM_SYSTEM, code="mL"),
        )
    return Medication(
        id="ldn",
        code=_cc(
            RXNORM_SYSTEM,
            RXNORM_NALTREXONE_IN,
            "naltrexone",
            text="naltrexone hydrochloride, low-dose, compounded",
        ),
        form=_cc(DOSE_FORM_SYSTEM, code, display, text=display.lower()),
        ingredient=[
            MedicationIngredient(
                itemCodeableConcept=_cc(RXNORM_SYSTEM, RXNORM_NALTREXONE_IN, "naltrexone"),
                isActive=True,
                strength=strength,
            )
        ],
    )


def prescription(
    rx: PrescriptionRecord,
    systems: IdentifierSystems,
    *,
    resource_id: str,
    subject: str,
    requester: str | None,
    reason: str | None,
) -> MedicationRequest:
    """The MedicationRequest: a dosageInstruction per step, the compounded Medication contained,
    ``dispenseRequest`` (supply in days, the pharmacy) and lowdose's identifier."""
    authored = rx.signed_at or rx.created_at
    dispense = MedicationRequestDispenseRequest(
        expectedSupplyDuration=Duration(
            value=Decimal(rx.supply_days), unit="days", system=UCUM_SYSTEM, code="d"
        ),
        numberOfRepeatsAllowed=0,
        validityPeriod=Period(start=authored) if rx.signed_at else None,
        performer=Reference(display=rx.pharmacy_name) if rx.pharmacy_name else None,
    )
    request = medication_request(
        rx.steps,
        subject,
        request_id=resource_id,
        authored_on=authored.date(),
        status=_MR_STATUS[rx.status],
        requester_ref=requester,
        note=rx.off_label_statement or None,
        medication=_compounded(rx),
        identifier=[Identifier(system=systems.system("prescription"), value=str(rx.lowdose_id))],
        dispense_request=dispense,
        reason_reference=reason,
    )
    return request


def checkin_observations(
    checkin: CheckinRecord, systems: IdentifierSystems, subject: Reference, ids: list[str]
) -> list[Observation]:
    """One Observation per daily score (pain: LOINC 72514-3) and one for the dose, each with the
    check-in's client id and scale in its identifier, the day as ``effectiveDateTime`` and the
    recording time as ``issued``. ``ids`` gives the resource ids in that order."""
    out = []
    for (name, value), resource_id in zip(checkin.scores, ids, strict=False):
        scale = daily_scale(name)
        system, code = scale.code
        out.append(
            Observation(
                id=resource_id,
                identifier=[
                    Identifier(
                        system=systems.system("checkin-item"), value=f"{checkin.client_id}/{name}"
                    )
                ],
                status="final",
                category=_survey(),
                code=CodeableConcept(
                    coding=[
                        Coding(
                            system=system, code=code, display=_LOINC_DISPLAY.get(code, scale.label)
                        )
                    ],
                    text=scale.label,
                ),
                subject=subject,
                effectiveDateTime=_day(checkin.day),
                issued=checkin.recorded_at,
                valueInteger=value,
            )
        )
    out.append(_dose_observation(checkin, systems, subject, ids[len(checkin.scores)]))
    return out


def _dose_observation(
    checkin: CheckinRecord, systems: IdentifierSystems, subject: Reference, resource_id: str
) -> Observation:
    components = []
    if checkin.dose_mg is not None:
        components.append(
            ObservationComponent(
                code=_cc(CHECKIN_SYSTEM, "dose-mg", "Dose taken (mg)"),
                valueQuantity=Quantity(
                    value=checkin.dose_mg, unit="mg", system=UCUM_SYSTEM, code="mg"
                ),
            )
        )
    if checkin.dose_time is not None:
        components.append(
            ObservationComponent(
                code=_cc(CHECKIN_SYSTEM, "dose-time", "Time the dose was taken"),
                valueTime=checkin.dose_time,
            )
        )
    if checkin.kit:
        components.append(
            ObservationComponent(
                code=_cc(CHECKIN_SYSTEM, "kit", "Blinded N-of-1 kit"), valueString=checkin.kit
            )
        )
    return Observation(
        id=resource_id,
        identifier=[
            Identifier(system=systems.system("checkin"), value=str(checkin.client_id)),
        ],
        status="final",
        category=_survey(),
        code=_cc(CHECKIN_SYSTEM, "dose", "LDN dose last night", text="LDN dose"),
        subject=subject,
        effectiveDateTime=_day(checkin.day),
        issued=checkin.recorded_at,
        valueCodeableConcept=_cc(
            CHECKIN_SYSTEM, f"dose-{checkin.dose_status}", checkin.dose_status
        ),
        component=components or None,
        note=[Annotation(text=checkin.note)] if checkin.note else None,
    )


def adverse_event(
    checkin: CheckinRecord,
    effect: SideEffectRecord,
    systems: IdentifierSystems,
    *,
    resource_id: str,
    subject: Reference,
    suspect: str | None,
) -> AdverseEvent:
    """A side effect the patient reported: the event (local code; the detail as text), the
    check-in's day, its severity, and the prescription in use that day as the suspect."""
    label = effect.name.replace("_", " ").capitalize()
    return AdverseEvent(
        id=resource_id,
        identifier=Identifier(
            system=systems.system("side-effect"), value=f"{checkin.client_id}/{effect.name}"
        ),
        actuality="actual",
        event=_cc(SIDE_EFFECT_SYSTEM, effect.name, label, text=effect.detail or label),
        subject=subject,
        date=_day(checkin.day),
        recordedDate=checkin.recorded_at,
        recorder=subject,
        severity=_cc(_AE_SEVERITY, effect.severity, effect.severity.capitalize()),
        suspectEntity=(
            [AdverseEventSuspectEntity(instance=_ref(suspect))] if suspect is not None else None
        ),
    )


def medication_dispense(
    dispensing: DispensingRecord,
    systems: IdentifierSystems,
    *,
    form: str,
    resource_id: str,
    subject: Reference,
    performer: Reference | None,
    prescription_url: str | None,
) -> MedicationDispense:
    """One batch handed over: the preparation (form, lot, beyond-use date as the batch's
    expiry) contained, the quantity, when it was compounded and handed over, who dispensed it."""
    code, display = _FORMS.get(form, ("CAP", "Capsule"))
    unit = "mL" if dispensing.unit == "mL" else f"{{{dispensing.unit}}}"
    return MedicationDispense(
        id=resource_id,
        contained=[
            Medication(
                id="batch",
                code=_cc(
                    RXNORM_SYSTEM, RXNORM_NALTREXONE_IN, "naltrexone", text=dispensing.preparation
                ),
                form=_cc(DOSE_FORM_SYSTEM, code, display),
                batch=MedicationBatch(
                    lotNumber=dispensing.lot, expirationDate=_day(dispensing.beyond_use_date)
                ),
            )
        ],
        identifier=[
            Identifier(system=systems.system("dispensing"), value=str(dispensing.lowdose_id))
        ],
        status="completed",
        medicationReference=_ref("#batch", dispensing.preparation),
        subject=subject,
        performer=[MedicationDispensePerformer(actor=performer)] if performer else None,
        authorizingPrescription=[_ref(prescription_url)] if prescription_url else None,
        quantity=Quantity(
            value=dispensing.quantity, unit=dispensing.unit, system=UCUM_SYSTEM, code=unit
        ),
        whenPrepared=_day(dispensing.compounded_on),
        whenHandedOver=dispensing.dispensed_at,
    )


def nof1_observation(
    result: Nof1Record, systems: IdentifierSystems, *, resource_id: str, subject: Reference
) -> Observation:
    """The N-of-1 result: ``valueQuantity`` is the first active arm's posterior mean effect
    against placebo (points on the outcome's 0–10 scale, active − placebo); each arm has a
    ``component`` with that mean and one with its 95 % credible interval as ``valueRange``, and
    one each for P(any benefit) and P(benefit ≥ MCID). ``referenceRange`` is not used: it means
    a normal range, not an interval estimate."""
    scale = daily_scale(result.outcome)
    components: list[ObservationComponent] = []
    for effect in result.effects:
        arm = f"{effect.arm} mg vs placebo" if effect.arm[:1].isdigit() else effect.arm
        components += [
            ObservationComponent(
                code=_cc(NOF1_SYSTEM, "effect", f"Effect, {arm}", text=effect.arm),
                valueQuantity=_score(round(effect.mean, 4)),
            ),
            ObservationComponent(
                code=_cc(
                    NOF1_SYSTEM,
                    "credible-interval-95",
                    f"95% credible interval, {arm}",
                    text=effect.arm,
                ),
                valueRange=Range(
                    low=_score(round(effect.ci_low, 4)), high=_score(round(effect.ci_high, 4))
                ),
            ),
            ObservationComponent(
                code=_cc(NOF1_SYSTEM, "p-better", f"P(any benefit), {arm}", text=effect.arm),
                valueQuantity=_score(round(effect.p_better, 4), "1"),
            ),
            ObservationComponent(
                code=_cc(
                    NOF1_SYSTEM,
                    "p-mcid",
                    f"P(benefit >= MCID {result.mcid}), {arm}",
                    text=effect.arm,
                ),
                valueQuantity=_score(round(effect.p_mcid, 4), "1"),
            ),
        ]
    first = result.effects[0] if result.effects else None
    return Observation(
        id=resource_id,
        identifier=[Identifier(system=systems.system("nof1-trial"), value=str(result.trial_id))],
        status="final",
        code=_cc(
            NOF1_SYSTEM,
            "effect-vs-placebo",
            "N-of-1 trial: effect of LDN against placebo",
            text=f"N-of-1 trial result on {scale.noun} (active − placebo)",
        ),
        subject=subject,
        effectivePeriod=Period(start=_day(result.start), end=_day(result.end)),
        issued=result.unblinded_at,
        valueQuantity=_score(round(first.mean, 4)) if first else None,
        dataAbsentReason=None
        if first
        else _cc(
            "http://terminology.hl7.org/CodeSystem/data-absent-reason",
            "not-applicable",
            "Not Applicable",
        ),
        component=components or None,
        note=[Annotation(text=result.summary)] if result.summary else None,
    )


def document_reference(
    report: ReportDocument, *, resource_id: str, subject: Reference
) -> DocumentReference:
    """The visit report as a PDF: its bytes inline (base64) and/or its URL."""
    attachment = Attachment(
        contentType="application/pdf",
        title=report.title,
        creation=report.created_at,
        data=base64.b64encode(report.pdf) if report.pdf is not None else None,
        size=len(report.pdf) if report.pdf is not None else None,
        url=report.url,
    )
    return DocumentReference(
        id=resource_id,
        status="current",
        type=CodeableConcept(text="LDN visit report"),
        subject=subject,
        date=report.created_at,
        description=report.title,
        content=[DocumentReferenceContent(attachment=attachment)],
    )


def is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None
