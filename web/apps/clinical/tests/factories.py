"""Test helpers: prescriptions in a given state, made through the same core calls as the app."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from apps.clinical.actions import OFF_LABEL_STATEMENT
from apps.clinical.models import Prescription
from apps.clinical.queries import patient_today
from lowdose.regimens import get_protocol


def make_prescription(
    patient: Patient,
    clinician: User,
    *,
    pharmacy: Pharmacy | None = None,
    status: str = "signed",
    form: str = "capsule",
    protocol: str = "ldnrt-standard",
    start: date | None = None,
    days: int = 84,
) -> Prescription:
    first = start or patient_today(patient)
    steps = get_protocol(protocol).schedule(first, through=first + timedelta(days=days - 1))
    signed = status != "draft"
    return Prescription.objects.create(
        patient=patient,
        clinician=clinician,
        protocol=protocol,
        start_date=first,
        dose_time="bedtime",
        supply_days=days,
        steps=[s.to_dict() for s in steps],
        form=form,
        concentration_mg_per_ml=Decimal(1) if form == "liquid" else None,
        pharmacy=pharmacy if signed else None,
        status=status,
        consent_recorded=signed,
        off_label_statement=OFF_LABEL_STATEMENT if signed else "",
        signed_at=timezone.now() if signed else None,
    )


def _pharmacy_of(people: dict[str, Any], whose: str) -> Pharmacy:
    """The pharmacist persona's pharmacy for the own patient; another pharmacy otherwise."""
    if whose == "own":
        pharmacy: Pharmacy = people["pharmacist"].pharmacies.get()
        return pharmacy
    return Pharmacy.objects.get_or_create(name="Another pharmacy")[0]


def _clinician_of(patient: Patient) -> User:
    return patient.care_team.clinicians.first()  # type: ignore[return-value]


def signed_rx(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Matrix setup: a signed capsule prescription routed to the pharmacist's pharmacy (own) or
    to another pharmacy (other)."""
    rx = make_prescription(target, _clinician_of(target), pharmacy=_pharmacy_of(people, whose))
    return {"{rx}": str(rx.pk)}


def draft_rx(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Matrix setup: a draft, plus the id of a pharmacy to sign it to."""
    rx = make_prescription(target, _clinician_of(target), status="draft")
    return {"{rx}": str(rx.pk), "{pharmacy}": str(_pharmacy_of(people, whose).pk)}


def assignment(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Matrix setup: a PHQ-2 assigned from today, with a complete set of answers."""
    from apps.clinical.models import Assignment

    row = Assignment.objects.create(
        patient=target,
        instrument="phq2",
        start=patient_today(target),
        assigned_by=_clinician_of(target),
    )
    return {"{asg}": str(row.pk)}


def assessment_result(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Matrix setup: a stored PHQ-2 result scored by the core."""
    from apps.clinical.models import AssessmentResult
    from lowdose import instruments

    result = instruments.score("phq2", {"item1": 1, "item2": 0})
    row = AssessmentResult.objects.create(
        patient=target,
        instrument="phq2",
        version=result.version,
        total=str(result.total),
        band=result.band or "",
        interpretation=result.interpretation,
        result=result.to_dict(),
        completed_on=patient_today(target),
        completed_by=_clinician_of(target),
    )
    return {"{result}": str(row.pk)}


def medication(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Matrix setup: a current medicine on the target's list."""
    from apps.clinical.models import Medication

    row = Medication.objects.create(
        patient=target, name="pregabalin 75 mg", added_by=_clinician_of(target)
    )
    return {"{med}": str(row.pk)}


def unidentified_on_treatment(
    *, target: Patient, whose: str, people: dict[str, Any]
) -> dict[str, str]:
    """Matrix setup: a signed prescription routed to the pharmacist's pharmacy (own) or another,
    and a medicine the screen cannot identify (a review to settle)."""
    from apps.clinical.models import Medication

    placeholders = signed_rx(target=target, whose=whose, people=people)
    Medication.objects.create(patient=target, name="Zqxlor 20 mg", added_by=_clinician_of(target))
    return placeholders
