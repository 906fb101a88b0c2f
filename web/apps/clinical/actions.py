"""Writes of the clinical workflow. Each function validates through the core, writes in one
transaction and appends to the audit log; a refused request changes nothing.

Every action takes an :class:`~apps.audit.actor.Actor` and typed values, never a request: pages and
the API parse their strings first (:meth:`PrescriptionDraft.parse`, :func:`parse_assignment`,
:func:`parse_adjustment`), and the demo loader and tests call the same actions directly.

Signing is where the safety rules bite: :func:`sign_prescription` re-runs the screen on what is
stored *now* through :func:`apps.clinical.screening.require_prescribable` (which applies
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
from apps.alerts.actions import raise_alert
from apps.alerts.models import Severity
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.clinical.crisis import Crisis, crisis_resources
from apps.clinical.models import AssessmentResult, Assignment, Prescription
from apps.clinical.queries import current_dose_for, open_trial_windows, patient_today
from apps.clinical.screening import require_prescribable, rescreen
from lowdose import instruments
from lowdose.errors import InputError
from lowdose.instruments import Answers
from lowdose.pharmacy import capsule_supply, liquid_supply
from lowdose.regimens import (
    DoseTime,
    check_no_trial_overlap,
    check_start,
    check_supply_covers,
    continue_from,
    custom_protocol,
    days_before_trial,
    decimal_str,
    default_supply_days,
    get_protocol,
    hold_dose,
    move_to_morning,
    step_back,
)

__all__ = [
    "OFF_LABEL_STATEMENT",
    "PrescriptionDraft",
    "adjust_prescription",
    "assign_instrument",
    "assignable",
    "complete_assessment",
    "correct_assessment",
    "create_prescription",
    "entered_by_patient",
    "parse_adjustment",
    "parse_assignment",
    "parse_custom_steps",
    "parse_pharmacy_id",
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


def _person(actor: Actor) -> User:
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
    prescriber = _person(actor)
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
    first = draft.start
    check_start(first, patient_today(patient))
    time = draft.dose_time
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
    steps = proto.schedule(first, time=time, through=first + timedelta(days=days - 1))
    form, concentration = draft.form, draft.concentration_mg_per_ml
    if form == Prescription.Form.CAPSULE:
        concentration = None
        capsule_supply(steps)
    elif form == Prescription.Form.LIQUID:
        if concentration is None:
            raise InputError(
                "Give the liquid's concentration in mg/mL (e.g. 1).", field="concentration"
            )
        liquid_supply(steps, concentration)
    else:
        raise InputError("Choose capsules or oral liquid.", field="form")
    with transaction.atomic():
        rx = Prescription.objects.create(
            patient=patient,
            clinician=prescriber,
            protocol=proto.name,
            start_date=first,
            dose_time=time.value,
            supply_days=days,
            steps=[step.to_dict() for step in steps],
            custom_steps=[[dose, days] for dose, days in custom],
            form=form,
            concentration_mg_per_ml=concentration,
        )
        record_as(
            actor,
            "prescriptions.create",
            patient_id=patient.pk,
            obj=rx,
            detail={
                "end_before_trial": draft.end_before_trial,
                "start_from": start_from if protocol != "custom" else "custom steps",
                "current_dose": None if current is None else current.to_dict(),
            },
        )
    return rx


def parse_pharmacy_id(text: str | None) -> int | None:
    """The pharmacy chosen on a form (its id as text), or ``None`` when none was chosen."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


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
    _person(actor)
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


def assignable() -> tuple[str, ...]:
    """Instruments a clinician can assign. FIQR ships without its licensed wording, so it is
    offered only once a clinic has loaded the wording (``Instrument.wording_licensed``)."""
    return tuple(
        name
        for name in instruments.names()
        if name != "daily"
        and not name.endswith("_nrs")  # the daily check-in already asks these
        and (name != "fiqr" or instruments.get(name).wording_licensed)
    )


def parse_assignment(
    *, instrument: str, start: str, every_weeks: str = ""
) -> tuple[str, date, int | None]:
    """The assign form's text → ``(instrument, baseline date, weeks or None for once)``;
    raises :class:`~lowdose.errors.InputError` naming the field."""
    _check_assignable(instrument)
    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise InputError(
            "Baseline on: give the first date (as YYYY-MM-DD)."
            if not start.strip()
            else f"Baseline on: “{start}” is not a date; give it as YYYY-MM-DD.",
            field="start",
        ) from None
    weeks: int | None = None
    if every_weeks.strip():
        try:
            weeks = int(every_weeks)
        except ValueError:
            raise InputError(
                "Repeat every N weeks needs a whole number (or leave it blank for once).",
                field="every_weeks",
            ) from None
    return instrument, first, weeks


def _check_assignable(instrument: str) -> None:
    if instrument not in assignable():
        raise InputError(
            "Instrument: choose one from the list."
            if not instrument.strip()
            else "Instrument: that one cannot be assigned here; choose one from the list.",
            field="instrument",
        )


def assign_instrument(
    actor: Actor, patient: Patient, *, instrument: str, start: date, every_weeks: int | None = None
) -> Assignment:
    """Assign an instrument: baseline on ``start``, then every ``every_weeks`` weeks (None: once).

    Four weeks is the product default (issue 5), not a clinical constant.
    """
    _check_assignable(instrument)
    if actor.user is None:
        raise InputError("Only a person can assign a questionnaire.", field="actor")
    row = Assignment(
        patient=patient,
        instrument=instrument,
        start=start,
        every_weeks=every_weeks,
        assigned_by=actor.user,
    )
    row.schedule()  # the core validates start and interval (InputError names the field)
    with transaction.atomic():
        row.save()
        record_as(actor, "assessments.assign", patient_id=patient.pk, obj=row)
    return row


def complete_assessment(
    actor: Actor,
    patient: Patient,
    instrument: str,
    answers: Answers,
    *,
    assignment: Assignment | None = None,
) -> tuple[AssessmentResult, Crisis | None]:
    """Score the answers with the core (which validates them) and store the result with the
    definition's version (and, for the ACR criteria, the criteria version).

    A risk flag (:data:`lowdose.instruments.RISK_FLAGS`, e.g. PHQ-9 item 9 above 0) raises an
    urgent alert for the care team in the same transaction, re-runs the safety screen, and
    returns the clinic's crisis resources for the person who answered to see at once.
    """
    if instrument not in assignable():
        raise InputError(
            f"{instrument!r} cannot be completed here (GET /api/v1/instruments lists them).",
            field="instrument",
        )
    if actor.user is None:
        raise InputError("Only a person can complete an assessment.", field="actor")
    if instruments.get(instrument).completed_by == "clinician" and actor.user.is_patient:
        raise InputError(
            f"{instruments.get(instrument).title} is completed by your clinician at a visit, "
            "not by you; nothing was saved. Bring your questions to the visit.",
            field="instrument",
        )
    if assignment is None:
        assignment = patient.assignments.filter(instrument=instrument).order_by("-start").first()
    result = instruments.score(instrument, answers)  # AnswerError names the item
    data = result.to_dict()
    risks = result.risk_flags
    with transaction.atomic():
        row = AssessmentResult.objects.create(
            patient=patient,
            assignment=assignment,
            instrument=instrument,
            version=result.version,
            criteria_version=str(getattr(result, "criteria_version", "") or ""),
            total=str(result.total),
            band=result.band or "",
            interpretation=result.interpretation,
            result=data,
            completed_on=patient_today(patient),
            completed_by=actor.user,
        )
        record_as(
            actor,
            "assessments.complete",
            patient_id=patient.pk,
            obj=row,
            detail={"instrument": instrument, "flags": list(result.flags)},
        )
        if risks:
            _raise_risk_alert(actor, patient, row, result)
            rescreen(actor, patient, because=f"risk flag on {instrument}")
    return row, (crisis_resources(patient.clinic) if risks else None)


def _raise_risk_alert(
    actor: Actor, patient: Patient, row: AssessmentResult, result: instruments.ScoreResult
) -> None:
    """The urgent alert for a risk answer (e.g. PHQ-9 item 9 above 0), keyed to the result."""
    data = result.to_dict()
    title = instruments.get(row.instrument).title
    raise_alert(
        actor,
        patient,
        kind="self_harm_risk",
        severity=Severity.URGENT,
        message=(
            f"{title}: total {result.total} of {result.maximum}"
            f"{f' ({result.band})' if result.band else ''}. The answer about thoughts of "
            "death or self-harm was above 0: contact the patient today to assess their "
            "safety, and record what you did when you acknowledge this alert."
        ),
        facts={
            "questionnaire": title,
            "total": data["total"],
            "risk": "; ".join(instruments.RISK_FLAGS[f] for f in result.risk_flags),
            "answered by": actor.label,
            "answered on": row.completed_on.isoformat(),
        },
        key=f"assessment:{row.pk}",
    )


def entered_by_patient(row: AssessmentResult) -> bool:
    """True when the patient answered it themselves (their answers are theirs: never corrected
    by a clinician)."""
    return row.patient.user_id is not None and row.completed_by_id == row.patient.user_id


def correct_assessment(
    actor: Actor,
    patient: Patient,
    row: AssessmentResult,
    answers: Answers,
    *,
    reason: str = "",
) -> tuple[AssessmentResult, Crisis | None]:
    """Correct the answers a clinician entered for the patient (a questionnaire taken down at a
    visit, or a clinician-completed form such as the physician ACR criteria).

    The new answers are scored again by the core (which validates them); the previous answers
    and score go to the result's ``history`` with who corrected them, when and why; the audit
    event holds before, after and the reason; the safety screen is re-run. A reason is
    required. The patient's own answers are refused: a clinician does not change what the
    patient said. A new risk answer raises the urgent alert as a completion does.
    """
    if actor.user is None or actor.user.is_patient:
        raise InputError(
            "Only a clinician of the patient's care team corrects an assessment.", field="actor"
        )
    if row.patient_id != patient.pk:
        raise InputError("That result is not this patient's.", field="result")
    definition = instruments.get(row.instrument)
    if entered_by_patient(row):
        raise InputError(
            f"The patient answered this {definition.title} themselves, so their answers are not "
            "corrected by a clinician; nothing was changed. If an answer looks wrong, talk it "
            "through with the patient and assign the questionnaire again.",
            field="result",
        )
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise InputError(
            "Why: say why the answers are corrected (e.g. 'tender-point count taken down "
            "wrongly'); nothing was changed. The earlier answers stay in the record.",
            field="reason",
        )
    result = instruments.score(row.instrument, answers)  # AnswerError names the item
    data = result.to_dict()
    if data.get("answers") == row.result.get("answers"):
        raise InputError(
            "These are the answers already recorded; change at least one, or leave the result "
            "as it is. Nothing was changed.",
            field="answers",
        )
    had_risk = any(f in instruments.RISK_FLAGS for f in row.result.get("flags", []))
    with transaction.atomic():
        before = row.snapshot()
        row.history = [
            *row.history,
            {
                **before,
                "replaced_at": timezone.now().isoformat(),
                "replaced_by": actor.label,
                "reason": reason,
            },
        ]
        row.version = result.version
        row.criteria_version = str(getattr(result, "criteria_version", "") or "")
        row.total = str(result.total)
        row.band = result.band or ""
        row.interpretation = result.interpretation
        row.result = data
        row.save(
            update_fields=[
                "version",
                "criteria_version",
                "total",
                "band",
                "interpretation",
                "result",
                "history",
            ]
        )
        record_as(
            actor,
            "assessments.correct",
            patient_id=patient.pk,
            obj=row,
            detail={
                "instrument": row.instrument,
                "before": before,
                "after": row.snapshot(),
                "reason": reason,
            },
        )
        new_risk = bool(result.risk_flags) and not had_risk
        if new_risk:
            _raise_risk_alert(actor, patient, row, result)
        rescreen(actor, patient, because=f"assessment corrected: {definition.title}")
    return row, (crisis_resources(patient.clinic) if new_risk else None)


#: Tolerability rules the clinician can apply (``lowdose.regimens.tolerability``).
ADJUSTMENTS = ("hold", "step_back", "morning")


def parse_adjustment(*, on: str, days: str = "") -> tuple[date, int | None]:
    """The adjust form's text → ``(the day the rule applies from, days or None)``. Days that are
    not a whole number are ``None``: the rules that need them say so
    (:func:`adjust_prescription`)."""
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InputError(f"{on!r} is not a date; use YYYY-MM-DD.", field="on") from None
    try:
        return day, int(days)
    except ValueError:
        return day, None


def adjust_prescription(
    actor: Actor, rx: Prescription, *, rule: str, on: date, days: int | None = None
) -> Prescription:
    """A new draft with a tolerability rule applied to ``rx``'s plan; ``rx`` itself is unchanged.

    ``hold``: stay ``days`` longer on the dose of ``on``; ``step_back``: take the previous dose for
    ``days`` from ``on``, then re-try; ``morning``: every dose from ``on`` in the morning (sleep
    disturbance). The supply grows by the days added and is checked again for what the pharmacy
    can make.
    """
    prescriber = _person(actor)
    day = on
    plan = rx.plan()
    if rule == "morning":
        steps = move_to_morning(plan, day)
    elif rule in ("hold", "step_back"):
        if days is None:
            raise InputError("Give the number of days as a whole number.", field="days")
        steps = (hold_dose if rule == "hold" else step_back)(plan, day, days)
    else:
        raise InputError(f"Choose one of {', '.join(ADJUSTMENTS)}.", field="rule")
    total = sum(s.days or 0 for s in steps)
    if total > MAX_SUPPLY_DAYS:
        raise InputError(
            f"The adjusted plan runs {total} days, past the {MAX_SUPPLY_DAYS}-day capsule "
            "beyond-use date; shorten the supply.",
            field="days",
        )
    if rx.form == Prescription.Form.CAPSULE:
        capsule_supply(steps)
    else:
        liquid_supply(steps, Decimal(rx.concentration_mg_per_ml or 0))
    with transaction.atomic():
        new = Prescription.objects.create(
            patient=rx.patient,
            clinician=prescriber,
            protocol=rx.protocol,
            start_date=steps[0].start,
            dose_time=steps[-1].time.value,
            supply_days=total,
            steps=[step.to_dict() for step in steps],
            custom_steps=rx.custom_steps,
            form=rx.form,
            concentration_mg_per_ml=rx.concentration_mg_per_ml,
        )
        record_as(
            actor,
            "prescriptions.adjust",
            patient_id=rx.patient_id,
            obj=new,
            detail={
                "from": rx.pk,
                "rule": rule,
                "on": day.isoformat(),
                "days": "" if days is None else str(days),
            },
        )
    return new
