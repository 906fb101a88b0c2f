"""Writing and signing a prescription.

:func:`create_prescription` turns a parsed :class:`PrescriptionDraft` into a dated plan the
pharmacy can make (capsules or an oral liquid: :func:`apps.clinical.preparation.preparation_for`);
:func:`sign_prescription` is where the safety rules bite: it re-runs the screen on what is stored
*now* through :func:`apps.clinical.screening.require_prescribable` (which applies
:func:`lowdose.safety.check_prescribable`), so a contraindication is a hard stop whatever the
page showed, and a caution is signed only with a typed reason, which goes into the audit event's
``detail``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.summaries import refresh_treatment
from apps.clinical.models import Prescription
from apps.clinical.preparation import preparation_for
from apps.clinical.queries import current_dose_for, open_trial_windows, patient_today
from apps.clinical.screening import require_prescribable
from config.api_input import row_id
from lowdose.errors import InputError
from lowdose.regimens import (
    CurrentDose,
    DoseTime,
    Protocol,
    check_no_trial_overlap,
    check_start,
    check_supply_covers,
    continue_from,
    custom_protocol,
    days_before_trial,
    decimal_str,
    default_supply_days,
    get_protocol,
)

__all__ = [
    "MAX_SUPPLY_DAYS",
    "OFF_LABEL_STATEMENT",
    "PrescriptionDraft",
    "create_prescription",
    "parse_custom_steps",
    "parse_pharmacy_id",
    "prescriber",
    "sign_prescription",
]

#: Shown on the signing form and stored with the prescription. LDN is off-label in fibromyalgia
#: and made only by compounding pharmacies (pharmacology reference §6; LDN Research Trust).
OFF_LABEL_STATEMENT = (
    "Naltrexone is licensed at 50 mg for opioid and alcohol dependence. Low-dose naltrexone for "
    "fibromyalgia is off-label and compounded; the large recent trials (FINAL 2024, INNOVA) found "
    "no clinically relevant difference from placebo on average. I have explained this to the "
    "patient."
)
MAX_SUPPLY_DAYS = 180  # the capsule beyond-use date (USP <795>): one supply never outlives it


def prescriber(actor: Actor) -> User:
    """The signed-in person the action is recorded for (a prescription has a prescriber)."""
    if actor.user is None:
        raise InputError("Only a person can write or change a prescription.", field="actor")
    return actor.user


def parse_custom_steps(text: str) -> list[tuple[str, int | None]]:
    """``"1.5:14, 3:14, 4.5:open"`` → ``[("1.5", 14), ("3", 14), ("4.5", None)]`` (doses kept as
    exact decimal strings; the core checks the doses, the ceiling and that only the last step is
    open-ended)."""
    steps: list[tuple[str, int | None]] = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        dose, _, days = part.strip().partition(":")
        try:
            Decimal(dose)
            count = None if days.strip().lower() == "open" else int(days)
        except (ArithmeticError, ValueError):
            raise InputError(
                f"{part.strip()!r} is not MG:DAYS; write steps like 1.5:14, 3:14, 4.5:open.",
                field="custom_steps",
            ) from None
        steps.append((dose.strip(), count))
    if not steps:
        raise InputError(
            "A custom plan needs steps, e.g. 1.5:14, 3:14, 4.5:open.", field="custom_steps"
        )
    return steps


@dataclass(frozen=True, slots=True)
class PrescriptionDraft:
    """What the new-prescription form asks, parsed: the action checks the plan itself.

    ``supply_days=None`` is the default supply (the titration plus four weeks at the target);
    ``concentration_mg_per_ml`` is for an oral liquid only; ``custom_steps`` are the steps of a
    ``"custom"`` plan as exact decimal strings and days (``None``: open-ended).
    """

    protocol: str
    start: date
    dose_time: DoseTime
    form: str
    concentration_mg_per_ml: Decimal | None = None
    supply_days: int | None = None
    custom_steps: tuple[tuple[str, int | None], ...] = ()
    start_from: str = "beginning"
    end_before_trial: bool = False

    @classmethod
    def parse(
        cls,
        *,
        protocol: str,
        start: str,
        dose_time: str,
        form: str,
        concentration_mg_per_ml: str = "1",
        supply_days: str = "",
        custom_steps: str = "",
        start_from: str = "beginning",
        end_before_trial: bool = False,
    ) -> PrescriptionDraft:
        """From form text; raises :class:`~lowdose.errors.InputError` naming the field."""
        custom = tuple(parse_custom_steps(custom_steps)) if protocol == "custom" else ()
        try:
            first = date.fromisoformat(start)
        except ValueError:
            raise InputError(
                f"First dose: “{start}” is not a date; choose the day in the calendar.",
                field="start",
            ) from None
        try:
            time = DoseTime(dose_time)
        except ValueError:
            raise InputError(
                f"Time: “{dose_time}” is not one of {', '.join(t.value for t in DoseTime)}.",
                field="dose_time",
            ) from None
        try:
            days = None if supply_days.strip() == "" else int(supply_days)
        except ValueError:
            raise InputError(
                "The supply length must be a whole number of days (or blank for the titration "
                "plus four weeks at the target).",
                field="supply_days",
            ) from None
        concentration: Decimal | None = None
        if form == Prescription.Form.LIQUID:
            try:
                concentration = Decimal(concentration_mg_per_ml)
            except ArithmeticError:
                raise InputError(
                    f"{concentration_mg_per_ml!r} is not a concentration in mg/mL (e.g. 1).",
                    field="concentration",
                ) from None
        return cls(
            protocol=protocol,
            start=first,
            dose_time=time,
            form=form,
            concentration_mg_per_ml=concentration,
            supply_days=days,
            custom_steps=custom,
            start_from=start_from,
            end_before_trial=end_before_trial,
        )


def _protocol_for(
    patient: Patient, draft: PrescriptionDraft
) -> tuple[Protocol, list[tuple[str, int | None]], CurrentDose | None]:
    """The protocol the draft asks for, the steps to store as its custom steps, and the current
    dose it continues from (``None`` when it starts from the beginning or is custom)."""
    protocol, start_from = draft.protocol, draft.start_from
    custom = list(draft.custom_steps)
    if protocol == "custom" and not custom:
        raise InputError(
            "A custom plan needs steps, e.g. 1.5:14, 3:14, 4.5:open.", field="custom_steps"
        )
    proto = (
        custom_protocol([(Decimal(d), n) for d, n in custom])
        if protocol == "custom"
        else get_protocol(protocol)  # UnknownProtocolError(field="protocol")
    )
    if start_from not in ("current", "beginning"):
        raise InputError(
            "Choose whether the plan starts from the current dose or from the beginning.",
            field="start_from",
        )
    current = current_dose_for(patient) if start_from == "current" else None
    if protocol != "custom" and start_from == "current":
        if current is None:
            raise InputError(
                "Nothing was dispensed and the diary records no dose in the last two weeks, so "
                "there is no current dose to continue; start from the beginning of the titration.",
                field="start_from",
            )
        proto = continue_from(proto, current.dose_mg)
        custom = [(decimal_str(step.dose_mg), step.days) for step in proto.steps]
    return proto, custom, current


def _supply_days(patient: Patient, draft: PrescriptionDraft, proto: Protocol) -> int:
    """The days the supply covers: checked against the beyond-use ceiling, shortened to end
    before a trial when the draft asks, and refused when it overlaps a trial or ends below the
    target dose."""
    first = draft.start
    days = (
        default_supply_days(proto, ceiling=MAX_SUPPLY_DAYS)
        if draft.supply_days is None
        else draft.supply_days
    )
    if not 1 <= days <= MAX_SUPPLY_DAYS:
        raise InputError(
            f"The supply must be 1–{MAX_SUPPLY_DAYS} days (the capsule beyond-use date); "
            "write a new prescription for the next period.",
            field="supply_days",
        )
    trials = open_trial_windows(patient)
    if draft.end_before_trial:
        last = first + timedelta(days=days - 1)
        fits = [days_before_trial(first, t) for t in trials if t.overlaps(first, last)]
        days = min(fits, default=days) or days  # 0: starts inside a trial, refused below
    check_no_trial_overlap(first, first + timedelta(days=days - 1), trials)
    check_supply_covers(proto, first, days)
    return days


def create_prescription(actor: Actor, patient: Patient, draft: PrescriptionDraft) -> Prescription:
    """A draft prescription with the dated plan, checked for what the pharmacy can make.

    The plan runs ``supply_days`` from ``start``; ``None`` means the titration to its target plus
    four weeks at it (:func:`lowdose.regimens.default_supply_days`). A supply that ends below the
    target dose is refused with the days it needs, and so is a first dose in the past or more
    than 90 days ahead (:func:`lowdose.regimens.check_start`). The core refuses a capsule dose
    that is not whole capsules, or a liquid dose that does not land on a syringe mark.

    ``start_from="current"`` starts a shipped protocol from the dose the patient is on now
    (:func:`apps.clinical.queries.current_dose_for`: dispensed plans and diary), computed here,
    not taken from the page; ``"beginning"`` restarts the titration at its first step. A custom
    plan is the prescriber's own steps either way.

    A plan that overlaps a blinded N-of-1 trial that has not ended is refused with the dates
    that fit (:func:`lowdose.regimens.check_no_trial_overlap`); ``end_before_trial`` shortens
    the supply to end the day before the first such trial's run-in starts.
    """
    person = prescriber(actor)
    proto, custom, current = _protocol_for(patient, draft)
    first = draft.start
    check_start(first, patient_today(patient))
    days = _supply_days(patient, draft, proto)
    steps = proto.schedule(first, time=draft.dose_time, through=first + timedelta(days=days - 1))
    preparation = preparation_for(draft.form, draft.concentration_mg_per_ml)
    preparation.supply(steps)  # the core refuses what the pharmacy cannot make
    with transaction.atomic():
        rx = Prescription.objects.create(
            patient=patient,
            clinician=person,
            protocol=proto.name,
            start_date=first,
            dose_time=draft.dose_time.value,
            supply_days=days,
            steps=[step.to_dict() for step in steps],
            custom_steps=[[dose, days] for dose, days in custom],
            form=preparation.form.value,
            concentration_mg_per_ml=preparation.concentration_mg_per_ml,
        )
        record_as(
            actor,
            "prescriptions.create",
            patient_id=patient.pk,
            obj=rx,
            detail={
                "end_before_trial": draft.end_before_trial,
                "start_from": draft.start_from if draft.protocol != "custom" else "custom steps",
                "current_dose": None if current is None else current.to_dict(),
            },
        )
    return rx


def parse_pharmacy_id(text: str | None) -> int | None:
    """The pharmacy chosen on a form (its id as text), or ``None`` when none was chosen."""
    return row_id(text)


def sign_prescription(
    actor: Actor,
    prescription: Prescription,
    *,
    pharmacy_id: int | None,
    consent: bool,
    caution_reason: str = "",
) -> Prescription:
    """Sign a draft and route it to a pharmacy — unless the screen forbids it.

    Raises
    ------
    ScreenBlockedError
        The screen of what is stored now finds a contraindication or an entry it cannot
        identify (hard stops). The refusal is audited (outcome "denied") and nothing changes.
    InputError
        Not a draft, no consent, no pharmacy, or a caution without a reason
        (:class:`lowdose.safety.CautionReasonRequiredError`, ``field="caution_reason"``).
    """
    patient = prescription.patient
    if prescription.status != Prescription.Status.DRAFT:
        raise InputError("This prescription is already signed.", field="status")
    prescriber(actor)
    result, reason = require_prescribable(
        actor, patient, action="prescriptions.sign", caution_reason=caution_reason, obj=prescription
    )
    plan = prescription.plan()
    check_no_trial_overlap(  # a trial may have been designed since the draft was written
        plan[0].start, plan[-1].end or plan[0].start, open_trial_windows(patient)
    )
    if not consent:
        raise InputError(
            "Record the patient's consent to off-label use before signing.", field="consent"
        )
    pharmacy = Pharmacy.objects.filter(pk=pharmacy_id or 0).first()
    if pharmacy is None:
        raise InputError("Choose the pharmacy that will compound it.", field="pharmacy")
    with transaction.atomic():
        prescription.status = Prescription.Status.SIGNED
        prescription.pharmacy = pharmacy
        prescription.consent_recorded = True
        prescription.off_label_statement = OFF_LABEL_STATEMENT
        prescription.caution_reason = reason
        prescription.caution_codes = [f.code for f in result.findings if f.severity == "caution"]
        prescription.screening = result.to_dict()
        prescription.signed_at = timezone.now()
        prescription.save()
        refresh_treatment([patient.pk])  # the panel's summary: now on LDN
        record_as(
            actor,
            "prescriptions.sign",
            patient_id=patient.pk,
            obj=prescription,
            detail={
                "status": result.status,
                "caution_codes": prescription.caution_codes,
                "caution_reason": reason,
                "pharmacy": pharmacy.name,
                "consent_recorded": True,
            },
        )
    return prescription
