"""Writes for N-of-1 trials: design, kits prepared, plan locked, unblinding, emergency unblinding.

Every function validates through :mod:`lowdose.outcomes`, writes in one transaction and appends to
the audit log. The allocation and the kit codes are drawn by :class:`lowdose.outcomes.Nof1Design`
from the operating system's CSPRNG, independently of each other (no seed exists); only the
pharmacist's kit list (derived from the allocation), emergency unblinding of one kit and the
unblinded result reveal arms. The design assistant's numbers, shown while blinded, are simulated
under a public reference allocation so they do not depend on the real one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import pstdev
from typing import cast

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.audit.log import record, record_as
from apps.checkins.queries import core_checkins, diary_of, patient_today
from apps.clinical.screening import require_clear_screen, screen_patient
from apps.nof1.models import Allocation, EmergencyUnblinding, Nof1Trial
from lowdose.diary import daily_scores
from lowdose.errors import InputError
from lowdose.outcomes import (
    OUTCOMES,
    AnalysisPlan,
    Diary,
    Nof1Design,
    Nof1Result,
    OutcomesWarning,
    reference_allocation,
    simulate_design,
)
from lowdose.safety import ScreenBlockedError, check_prescribable

__all__ = [
    "DesignRequest",
    "analyse",
    "create_trial",
    "design_trial",
    "emergency_unblind",
    "lock_plan",
    "mark_kits_prepared",
    "unblind",
]

#: Assumed day-to-day SD of daily pain when the patient has fewer than MIN_SD_DAYS days of diary
#: (an assumption within the 1–2 point SDs of daily NRS pain diaries; shown as such on the page).
DEFAULT_DAILY_SD = 1.5
MIN_SD_DAYS = 14
#: Assumed lag-1 autocorrelation for the design assistant (stated on the page).
DEFAULT_AR1 = 0.5
DESIGN_REPS = 400


class TrialStateError(InputError):
    """The trial is not in a state that allows this step; the message says what must come first."""


@dataclass(frozen=True)
class DesignRequest:
    arms: tuple[str, ...]
    cycles: int
    period_days: int
    start: date
    onset_days: float
    pharmacy: Pharmacy
    outcome: str
    mcid: float


def _recent_sd(patient: Patient, outcome: str) -> float | None:
    rows = daily_scores(core_checkins(patient))[-28:]
    if len(rows) < MIN_SD_DAYS:
        return None
    return float(pstdev(r.score(outcome) for r in rows)) or None


def design_trial(
    request: HttpRequest, patient: Patient, spec: DesignRequest, *, caution_reason: str = ""
) -> tuple[Nof1Trial, list[str]]:
    """Randomise a design, store the blinded schedule and the secret allocation; return warnings.

    The kits contain naltrexone, so the patient must pass the same safety screen as a
    prescription: a contraindication (an opioid, an opioid-free interval not yet complete, acute
    hepatitis…) is a hard stop, and a caution needs a reason, which goes into the audit log.

    Raises
    ------
    ScreenBlockedError, CautionReasonRequiredError
        From :func:`lowdose.safety.check_prescribable`; nothing is stored.
    """
    screening = screen_patient(patient)
    try:
        check_prescribable(screening, caution_reason=caution_reason)
    except ScreenBlockedError:
        record(
            request,
            "nof1.design",
            patient_id=patient.pk,
            outcome="denied",
            detail={"screening": screening.to_dict()},
        )
        raise
    with transaction.atomic():
        trial, notes = create_trial(patient, spec, created_by=cast(User, request.user))
        detail: dict[str, object] = {"screening_status": screening.status}
        if screening.needs_reason:
            detail["caution_reason"] = caution_reason.strip()
        record(request, "nof1.design", patient_id=patient.pk, obj=trial, detail=detail)
    return trial, notes


def create_trial(
    patient: Patient, spec: DesignRequest, *, created_by: User
) -> tuple[Nof1Trial, list[str]]:
    """The design step without the audit entry (the demo loader uses it; people use
    :func:`design_trial`)."""
    today = patient_today(patient)
    if spec.start < today - timedelta(days=365):
        raise InputError("start: choose a start date within the last year.", field="start")
    AnalysisPlan(outcome=spec.outcome, mcid=spec.mcid)  # validates outcome and MCID
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OutcomesWarning)
        # No rng: the product path draws allocation and kit codes from the CSPRNG.
        plan = Nof1Design(
            list(spec.arms),
            start=spec.start,
            cycles=spec.cycles,
            period_days=spec.period_days,
            onset_days=spec.onset_days,
        ).fit()
    notes = [str(w.message) for w in caught if issubclass(w.category, OutcomesWarning)]
    sd = _recent_sd(patient, spec.outcome)
    # A true benefit of one MCID: negative for pain and fatigue, positive for sleep and mood.
    benefit = OUTCOMES[spec.outcome].better_sign * spec.mcid
    # Shown to the clinician while blinded: simulate under the public reference allocation,
    # never the real one (the figures would otherwise differ with the order of the arms).
    characteristics = simulate_design(
        reference_allocation(plan),
        effect=benefit,
        sd=sd or DEFAULT_DAILY_SD,
        ar1=DEFAULT_AR1,
        reps=DESIGN_REPS,
        seed=0,
        mcid=spec.mcid,
        outcome=spec.outcome,
    ).to_dict()
    characteristics["sd_source"] = (
        f"SD of the last {MIN_SD_DAYS}+ days of this patient's diary"
        if sd
        else f"assumed {DEFAULT_DAILY_SD} points (fewer than {MIN_SD_DAYS} diary days)"
    )
    characteristics["ar1_source"] = f"assumed {DEFAULT_AR1}"
    derivation = plan.run_in_derivation
    with transaction.atomic():
        trial = Nof1Trial.objects.create(
            patient=patient,
            pharmacy=spec.pharmacy,
            created_by=created_by,
            arms=list(plan.arms),
            cycles=plan.cycles,
            period_days=spec.period_days,
            run_in_days=plan.run_in_days,
            start=plan.start,
            end=plan.end,
            schedule=plan.blinded_schedule(),
            run_in_derivation={
                **(derivation.to_dict() if derivation else {}),
                "explanation": derivation.explanation() if derivation else "",
                "notes": notes,
            },
            operating_characteristics=characteristics,
            outcome=spec.outcome,
            mcid=spec.mcid,
        )
        Allocation.objects.create(trial=trial, plan=plan.to_dict())
    return trial, notes


def _require(trial: Nof1Trial, *allowed: str, what: str) -> None:
    if trial.status not in allowed:
        raise TrialStateError(
            f"This trial is {trial.get_status_display().lower()}; {what}", field="status"
        )


def mark_kits_prepared(actor: Actor, trial: Nof1Trial) -> None:
    """Release the kits to the patient — only while the safety screen passes.

    Raises :class:`lowdose.safety.ScreenBlockedError` (audited denial, urgent alert) when the
    screen of what is stored now is ``contraindicated`` or ``review``: the kits hold naltrexone.
    """
    _require(trial, Nof1Trial.Status.DESIGNED, what="kits can be marked prepared only once.")
    require_clear_screen(actor, trial.patient, action="nof1.kits.prepared")
    with transaction.atomic():
        trial.status = Nof1Trial.Status.RUNNING
        trial.kits_prepared_at = timezone.now()
        trial.save(update_fields=["status", "kits_prepared_at"])
        record_as(actor, "nof1.kits.prepared", patient_id=trial.patient_id, obj=trial)


def lock_plan(
    request: HttpRequest, trial: Nof1Trial, *, outcome: str, mcid: float, trend: bool
) -> str:
    """Freeze outcome, MCID, trend and priors (SHA-256 fingerprint) before anyone sees an arm."""
    _require(
        trial,
        Nof1Trial.Status.DESIGNED,
        Nof1Trial.Status.RUNNING,
        what="its analysis plan is already locked.",
    )
    plan = AnalysisPlan(outcome=outcome, mcid=mcid, trend=trend)
    trial.outcome, trial.mcid, trial.trend = plan.outcome, plan.mcid, plan.trend
    trial.plan_fingerprint = plan.fingerprint()
    trial.locked_at = timezone.now()
    trial.locked_by = cast(User, request.user)
    trial.status = Nof1Trial.Status.LOCKED
    with transaction.atomic():  # the lock and its audit event commit together
        trial.save()
        record(request, "nof1.plan.lock", patient_id=trial.patient_id, obj=trial)
    return trial.plan_fingerprint


def analyse(trial: Nof1Trial) -> tuple[Nof1Result, Diary]:
    """Analyse with the locked plan (refuses a plan that differs from the locked fingerprint)."""
    diary = diary_of(trial.patient)
    result = trial.analysis_plan().analyse(
        diary, trial.allocation.as_plan(), locked_fingerprint=trial.plan_fingerprint
    )
    return result, diary


def unblind(request: HttpRequest, trial: Nof1Trial) -> Nof1Result:
    """Reveal the allocation and store the result; only after the analysis plan is locked."""
    _require(trial, Nof1Trial.Status.LOCKED, what="lock the analysis plan before unblinding.")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always", OutcomesWarning)
        result, _ = analyse(trial)
    with transaction.atomic():
        trial.result = result.to_dict()
        trial.status = Nof1Trial.Status.UNBLINDED
        trial.unblinded_at = timezone.now()
        trial.unblinded_by = cast(User, request.user)
        trial.save()
        record(request, "nof1.unblind", patient_id=trial.patient_id, obj=trial)
    return result


def emergency_unblind(request: HttpRequest, trial: Nof1Trial, *, kit: str, reason: str) -> str:
    """Reveal one kit's arm (e.g. before surgery or after a reaction), recording who and why."""
    reason = reason.strip()
    if len(reason) < 10:
        raise InputError(
            "reason: say why this kit must be unblinded (at least 10 characters); it is recorded.",
            field="reason",
        )
    if trial.is_unblinded:
        raise TrialStateError("This trial is already unblinded; see its result.", field="status")
    arm = trial.allocation.as_plan().arm_for_kit(kit)
    with transaction.atomic():
        event = EmergencyUnblinding.objects.create(
            trial=trial,
            kit=kit.strip().upper(),
            arm=arm,
            reason=reason,
            by=cast(User, request.user),
        )
        record(request, "nof1.unblind.emergency", patient_id=trial.patient_id, obj=event)
    return arm
