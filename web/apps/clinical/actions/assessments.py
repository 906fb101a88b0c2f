"""Questionnaires: assigning one, completing it, and a clinician's correction of answers they
entered. The core scores and validates the answers (:mod:`lowdose.instruments`); a risk answer
raises an urgent alert for the care team and re-runs the safety screen in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Patient
from apps.alerts.actions import raise_alert
from apps.alerts.models import Severity
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.clinical.crisis import Crisis, crisis_resources
from apps.clinical.models import AssessmentResult, Assignment
from apps.clinical.queries import patient_today
from apps.clinical.screening import rescreen
from lowdose import instruments
from lowdose.errors import InputError
from lowdose.instruments import Answers

__all__ = [
    "assign_instrument",
    "assignable",
    "complete_assessment",
    "correct_assessment",
    "entered_by_patient",
    "parse_assignment",
]


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
    completed_at: datetime | None = None,
) -> tuple[AssessmentResult, Crisis | None]:
    """Score the answers with the core (which validates them) and store the result with the
    definition's version (and, for the ACR criteria, the criteria version). ``completed_at``:
    when it was answered, if not now (an import, :mod:`apps.fhir.importing`); its day where the
    patient lives is ``completed_on``.

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
            completed_on=(
                patient_today(patient)
                if completed_at is None
                else completed_at.astimezone(ZoneInfo(patient.time_zone)).date()
            ),
            completed_at=completed_at or timezone.now(),
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
    age = (patient_today(patient) - row.completed_on).days
    # An answer given days ago (entered late, or brought in from another record) is still
    # urgent: nobody here has seen it. The message says how old it is, to ask about then and now.
    action = (
        "Contact the patient today to assess their safety, and record what you did when you "
        "acknowledge this alert."
    )
    if age > 1:
        action = (
            f"This answer is from {row.completed_on.isoformat()}, {age} days ago: check whether "
            "it was acted on then, and contact the patient today to assess their safety now; "
            "record what you did when you acknowledge this alert."
        )
    raise_alert(
        actor,
        patient,
        kind="self_harm_risk",
        severity=Severity.URGENT,
        message=(
            f"{title}: total {result.total} of {result.maximum}"
            f"{f' ({result.band})' if result.band else ''}. The answer about thoughts of "
            f"death or self-harm was above 0. {action}"
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


def _correction_reason(actor: Actor, patient: Patient, row: AssessmentResult, reason: str) -> str:
    """Who may correct ``row`` and why: the tidied reason, or an :class:`InputError` naming
    the field (a patient, another patient's result, the patient's own answers, no reason)."""
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
    return reason


_SCORE_FIELDS = ("version", "criteria_version", "total", "band", "interpretation", "result")


def _store_score(row: AssessmentResult, result: instruments.ScoreResult) -> None:
    """Copy the core's score onto the row (not saved)."""
    row.version = result.version
    row.criteria_version = str(getattr(result, "criteria_version", "") or "")
    row.total = str(result.total)
    row.band = result.band or ""
    row.interpretation = result.interpretation
    row.result = result.to_dict()


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
    reason = _correction_reason(actor, patient, row, reason)
    definition = instruments.get(row.instrument)
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
        _store_score(row, result)
        row.save(update_fields=[*_SCORE_FIELDS, "history"])
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
