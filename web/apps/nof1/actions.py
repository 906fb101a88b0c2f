"""Writes for N-of-1 trials: design, kits prepared, plan locked, stop, unblinding, emergency
unblinding.

Every step is checked against :mod:`lowdose.outcomes.trial_states` (through
:func:`apps.nof1.states.require`) on the freshly locked row, inside the transaction that writes
it and its audit event; a refusal is a :class:`~lowdose.outcomes.trial_states.TrialStateError`
that says what happens next instead, and changes nothing. The allocation and the kit codes are
drawn by :class:`lowdose.outcomes.Nof1Design` from the operating system's CSPRNG, independently
of each other (no seed exists); only the pharmacist's kit list (derived from the allocation),
emergency unblinding of one kit and the unblinded result reveal arms.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.queries import core_checkins, patient_today
from apps.checkins.summaries import refresh_treatment
from apps.clinical.screening import require_clear_screen, require_prescribable
from apps.nof1.assistant import assumptions_for, request_figures
from apps.nof1.models import Allocation, EmergencyUnblinding, Nof1Trial
from apps.nof1.queries import trial_under_way
from apps.nof1.states import facts_of, require, state_of
from lowdose.daily import Diary
from lowdose.diary import daily_scores
from lowdose.errors import InputError, TrialStateError
from lowdose.outcomes import (
    AnalysisPlan,
    Nof1Design,
    OutcomesError,
    OutcomesWarning,
)
from lowdose.outcomes.trial_states import Step, TrialFacts, TrialState, check_reason, long_date

__all__ = [
    "DesignRequest",
    "blinded_diary",
    "design_trial",
    "emergency_unblind",
    "lock_plan",
    "mark_kits_prepared",
    "stop_trial",
    "unblind",
]


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


def design_trial(
    actor: Actor, patient: Patient, spec: DesignRequest, *, caution_reason: str = ""
) -> tuple[Nof1Trial, list[str]]:
    """Randomise a design, store the blinded schedule and the secret allocation; return warnings.

    The kits contain naltrexone, so the patient must pass the same safety screen as a
    prescription: a contraindication (an opioid, an opioid-free interval not yet complete, acute
    hepatitis…) is a hard stop, and a caution needs a reason, which goes into the audit log.
    A patient has one trial under way at a time (designed, kits prepared, locked or running).

    Raises
    ------
    ScreenBlockedError, CautionReasonRequiredError
        From :func:`apps.clinical.screening.require_prescribable` (the same gate as signing a
        prescription); nothing is stored, and a hard stop is audited as denied.
    TrialStateError
        Another trial of the patient is under way; nothing is stored.
    """
    current = trial_under_way(patient)
    if current is not None:
        raise TrialStateError(
            f"Trial {current.pk} of {patient.display_name} is still under way "
            f"({state_of(current).label.lower()}). Stop it, or wait until it finishes, before "
            "designing another.",
            field="status",
        )
    user = _person(actor)
    screening, reason = require_prescribable(
        actor, patient, action="nof1.design", caution_reason=caution_reason
    )
    with transaction.atomic():
        trial, notes = _store_design(patient, spec, created_by=user)
        detail: dict[str, object] = {"screening_status": screening.status}
        if screening.needs_reason:
            detail["caution_reason"] = reason
        record_as(actor, "nof1.design", patient_id=patient.pk, obj=trial, detail=detail)
        # The design assistant's figures: a row for the design, and its job sent once this
        # commits (nothing is sent if the design is rolled back, or already simulated).
        request_figures(trial)
    return trial, notes


def _store_design(
    patient: Patient, spec: DesignRequest, *, created_by: User
) -> tuple[Nof1Trial, list[str]]:
    """Randomise and store the design (the trial and its secret allocation). Only
    :func:`design_trial` calls it, inside its transaction, after the screen and with the audit
    event: everything that designs a trial, the demo loader included, goes through that.

    Nothing slow happens here: the design assistant's assumptions are stored; its simulation
    runs on the worker, sent by :func:`design_trial` once the design commits
    (:mod:`apps.nof1.assistant`)."""
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
            design_assumptions=assumptions_for(patient, spec.outcome, spec.mcid),
            outcome=spec.outcome,
            mcid=spec.mcid,
        )
        Allocation.objects.create(trial=trial, plan=plan.to_dict())
        refresh_treatment([patient.pk])  # the panel's summary: in a trial
    return trial, notes


def _person(actor: Actor) -> User:
    if actor.user is None:
        raise InputError("Only a person signed in as the patient's clinician can do this.")
    return actor.user


def _lock_row(trial: Nof1Trial) -> None:
    """Lock the trial's row for this transaction and re-read it: a step taken by someone else
    a moment ago counts before this one is checked."""
    Nof1Trial.objects.select_for_update().filter(pk=trial.pk).values_list("pk", flat=True).get()
    trial.refresh_from_db()


def _begin(actor: Actor, trial: Nof1Trial, step: Step) -> TrialState:
    """Start a step inside its transaction: lock and re-read the row, check the step against the
    state table (:func:`apps.nof1.states.require`), and return the state it moves from."""
    _lock_row(trial)
    require(actor, trial, step)
    return state_of(trial)


def _moves(trial: Nof1Trial, before: TrialState) -> dict[str, str]:
    return {"from": before.value, "to": state_of(trial).value}


def mark_kits_prepared(actor: Actor, trial: Nof1Trial) -> None:
    """The pharmacy records the kits prepared (and handed over): ``designed`` → ``kits_prepared``
    (or straight on to ``locked``/``running`` for a trial whose plan was locked before its kits).

    Only while the safety screen passes: raises :class:`lowdose.safety.ScreenBlockedError`
    (audited denial, urgent alert) when the screen of what is stored now is ``contraindicated``
    or ``review`` — the kits hold naltrexone.
    """
    require(actor, trial, Step.PREPARE_KITS)  # a refused step is not a screened release
    require_clear_screen(actor, trial.patient, action="nof1.kits.prepared")
    with transaction.atomic():
        before = _begin(actor, trial, Step.PREPARE_KITS)
        trial.kits_prepared_at = timezone.now()
        trial.save(update_fields=["kits_prepared_at"])
        record_as(
            actor,
            "nof1.kits.prepared",
            patient_id=trial.patient_id,
            obj=trial,
            detail=_moves(trial, before),
        )


def lock_plan(actor: Actor, trial: Nof1Trial, plan: AnalysisPlan) -> str:
    """Freeze outcome, MCID, trend and priors (SHA-256 fingerprint) before anyone sees an arm:
    ``kits_prepared`` → ``locked`` (``running`` if the start date has come)."""
    with transaction.atomic():  # the lock and its audit event commit together
        before = _begin(actor, trial, Step.LOCK_PLAN)
        trial.outcome, trial.mcid, trial.trend = plan.outcome, plan.mcid, plan.trend
        trial.plan_fingerprint = plan.fingerprint()
        trial.locked_at = timezone.now()
        trial.locked_by = actor.user
        trial.save()
        record_as(
            actor,
            "nof1.plan.lock",
            patient_id=trial.patient_id,
            obj=trial,
            detail=_moves(trial, before),
        )
    return trial.plan_fingerprint


def stop_trial(actor: Actor, trial: Nof1Trial, *, reason: str) -> None:
    """End a trial early with a recorded reason (the patient withdrew, a side effect, a new
    medicine…): the patient stops the kits; if the plan was locked and the trial had begun, the
    days before the stop can still be unblinded and analysed."""
    with transaction.atomic():
        before = _begin(actor, trial, Step.STOP)
        text = check_reason(reason, why="the trial stops, e.g. 'patient withdrew: moving abroad'")
        trial.stopped_at = timezone.now()
        trial.stopped_by = actor.user
        trial.stop_reason = text
        trial.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
        record_as(
            actor,
            "nof1.stop",
            patient_id=trial.patient_id,
            obj=trial,
            detail={**_moves(trial, before), "reason": text},
        )


def emergency_unblind(actor: Actor, trial: Nof1Trial, *, kit: str, reason: str) -> str:
    """Reveal one kit's arm (e.g. before surgery or after a reaction), recording who and why.

    The blind is then broken: the trial ends (``emergency_unblinded``), the patient stops the
    kits, and an analysis uses only the days before, saying so.
    """
    with transaction.atomic():
        before = _begin(actor, trial, Step.EMERGENCY_UNBLIND)
        user = _person(actor)
        text = check_reason(reason, why="this kit must be unblinded")
        arm = trial.allocation.as_plan().arm_for_kit(kit)
        now = timezone.now()
        event = EmergencyUnblinding.objects.create(
            trial=trial, kit=kit.strip().upper(), arm=arm, reason=text, by=user, at=now
        )
        if trial.emergency_unblinded_at is None:
            trial.emergency_unblinded_at = now
            trial.save(update_fields=["emergency_unblinded_at"])
        record_as(
            actor,
            "nof1.unblind.emergency",
            patient_id=trial.patient_id,
            obj=event,
            detail=_moves(trial, before),
        )
    return arm


def blinded_diary(trial: Nof1Trial, facts: TrialFacts) -> Diary:
    """The patient's diary up to the trial's last blinded day (the end, or the day before an
    early end)."""
    last = facts.last_blinded_day
    return daily_scores(core_checkins(trial.patient)).between(last=last)


def _caveats(trial: Nof1Trial, facts: TrialFacts) -> list[str]:
    out = []
    early = facts.ended_early_on
    if early is not None:
        if facts.emergency_on is not None and facts.emergency_on == early:
            first = trial.emergencies.order_by("at").first()
            how = (
                f"kit {first.kit} was unblinded in an emergency" if first else "a kit was unblinded"
            )
        else:
            how = f"the trial was stopped ({trial.stop_reason})"
        used = (facts.last_blinded_day - facts.start).days + 1
        out.append(
            f"Unblinded early: on {long_date(early)} {how}. This result uses only the "
            f"{max(used, 0)} of {facts.days} planned days before that, recorded while blinded."
        )
    elif facts.emergency_on is not None:
        out.append(
            f"A kit was unblinded in an emergency on {long_date(facts.emergency_on)}, after the "
            "last period ended: every analysed day was recorded while blinded."
        )
    return out


def _no_result(why: str, caveats: list[str], facts: TrialFacts) -> dict[str, Any]:
    return {
        "error": (
            f"No result could be computed: {why}. The allocation below shows what each kit "
            "held; to answer the question, a new trial needs daily check-ins in every period."
        ),
        "caveats": caveats,
        "blinded_until": facts.last_blinded_day.isoformat(),
    }


def _result(trial: Nof1Trial, facts: TrialFacts) -> dict[str, Any]:
    """The analysis with the locked plan of the blinded days, as stored with the trial; when the
    diary cannot support it, the reason in plain words instead (unblinding still happens: the
    trial is over, and the allocation is what the patient and clinician need to know)."""
    caveats = _caveats(trial, facts)
    rows = daily_scores(core_checkins(trial.patient)).between(facts.start, facts.last_blinded_day)
    if not rows:
        return _no_result("the patient recorded no check-ins during the trial", caveats, facts)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OutcomesWarning)
        try:
            result = trial.analysis_plan().analyse(
                rows,
                trial.allocation.as_plan(),
                locked_fingerprint=trial.plan_fingerprint,
            )
        except OutcomesError as exc:
            return _no_result(str(exc), caveats, facts)
    caveats += [str(w.message) for w in caught if issubclass(w.category, OutcomesWarning)]
    return {
        **result.to_dict(),
        "caveats": caveats,
        "blinded_until": facts.last_blinded_day.isoformat(),
    }


def unblind(actor: Actor, trial: Nof1Trial) -> dict[str, Any]:
    """Reveal the allocation and store the result: a finished trial, or one that ended early
    after its plan was locked and it had begun."""
    with transaction.atomic():
        before = _begin(actor, trial, Step.UNBLIND)
        trial.result = _result(trial, facts_of(trial))
        trial.unblinded_at = timezone.now()
        trial.unblinded_by = actor.user
        trial.save(update_fields=["result", "unblinded_at", "unblinded_by"])
        refresh_treatment([trial.patient_id])  # the panel's summary: the trial has ended
        record_as(
            actor,
            "nof1.unblind",
            patient_id=trial.patient_id,
            obj=trial,
            detail=_moves(trial, before),
        )
    return trial.result
