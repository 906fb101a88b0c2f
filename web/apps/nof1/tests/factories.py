"""Build N-of-1 trials for tests through the real actions, in any state."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.checkins.queries import patient_today
from apps.nof1.actions import (
    DesignRequest,
    _store_design,
    design_trial,
    emergency_unblind,
    lock_plan,
    mark_kits_prepared,
    stop_trial,
    unblind,
)
from apps.nof1.models import Allocation, Nof1Trial
from lowdose.outcomes.trial_states import TrialState

#: make_trial's default design lasts 2 cycles × 2 arms × 10 days.
TRIAL_DAYS = 40
#: How many days ago a trial in each state started (negative: starts in the future).
STARTED_DAYS_AGO = {
    TrialState.DESIGNED: -7,
    TrialState.KITS_PREPARED: -7,
    TrialState.LOCKED: -7,
    TrialState.RUNNING: 22,
    TrialState.FINISHED: TRIAL_DAYS + 5,
    TrialState.STOPPED: 22,
    TrialState.EMERGENCY_UNBLINDED: 22,
    TrialState.UNBLINDED: TRIAL_DAYS + 5,
}


def trial_spec(
    patient: Patient,
    pharmacy: Pharmacy,
    *,
    days_ago: int = 22,
    arms: tuple[str, ...] = ("placebo", "4.5"),
    cycles: int = 2,
    period_days: int = 10,
) -> DesignRequest:
    return DesignRequest(
        arms=arms,
        cycles=cycles,
        period_days=period_days,
        start=patient_today(patient) - timedelta(days=days_ago),
        onset_days=0,
        pharmacy=pharmacy,
        outcome="pain",
        mcid=1.0,
    )


def create_trial(
    patient: Patient, spec: DesignRequest, *, created_by: User
) -> tuple[Nof1Trial, list[str]]:
    """Tests only: store a design without the screen, the one-trial-at-a-time rule and the
    audit event, for tests that compare many randomised designs of one patient. Product code
    (pages, API, demo loader) designs through :func:`apps.nof1.actions.design_trial`."""
    return _store_design(patient, spec, created_by=created_by)


def make_trial(
    patient: Patient,
    clinician: User,
    pharmacy: Pharmacy,
    *,
    days_ago: int = 22,
    arms: tuple[str, ...] = ("placebo", "4.5"),
    cycles: int = 2,
    period_days: int = 10,
) -> Nof1Trial:
    """A trial that starts(ed) ``days_ago`` days ago (periods of 10 days, run-in of about 5),
    just designed: the pharmacy has not prepared its kits (see :func:`advance`)."""
    spec = trial_spec(
        patient, pharmacy, days_ago=days_ago, arms=arms, cycles=cycles, period_days=period_days
    )
    trial, _ = design_trial(Actor.of(clinician), patient, spec)
    return trial


def advance(trial: Nof1Trial, to: TrialState, *, clinician: User, pharmacist: User) -> Nof1Trial:
    """Take a designed trial to ``to`` through the actions (the dates decide between locked,
    running and finished: design it with :data:`STARTED_DAYS_AGO`)."""
    doctor, pharmacy = Actor.of(clinician), Actor.of(pharmacist)
    if to is TrialState.DESIGNED:
        return trial
    mark_kits_prepared(pharmacy, trial)
    if to is TrialState.KITS_PREPARED:
        return trial
    lock_plan(doctor, trial, trial.analysis_plan())
    if to is TrialState.STOPPED:
        stop_trial(doctor, trial, reason="patient withdrew: moving abroad")
    elif to is TrialState.EMERGENCY_UNBLINDED:
        kit = trial.schedule[0]["kit"]
        emergency_unblind(doctor, trial, kit=kit, reason="emergency surgery: anaesthetist asks")
    elif to is TrialState.UNBLINDED:
        unblind(doctor, trial)
    trial.refresh_from_db()
    return trial


def trial_in(state: TrialState, patient: Patient, clinician: User, pharmacist: User) -> Nof1Trial:
    """A trial of the test personas in ``state`` today."""
    trial = make_trial(
        patient, clinician, pharmacist.pharmacies.get(), days_ago=STARTED_DAYS_AGO[state]
    )
    return advance(trial, state, clinician=clinician, pharmacist=pharmacist)


def _pharmacy_for(target: Patient, whose: str, people: dict[str, Any]) -> tuple[Pharmacy, User]:
    pharmacist: User = people["pharmacist"]
    if whose == "own":
        return pharmacist.pharmacies.get(), people["clinician"]
    pharmacy, _ = Pharmacy.objects.get_or_create(name="Another compounding pharmacy")
    return pharmacy, target.care_team.clinicians.get()


def design_setup(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Access-matrix setup for designing a trial: a pharmacy and a start date (no trial yet: a
    patient has one trial under way at a time)."""
    pharmacy, _ = _pharmacy_for(target, whose, people)
    return {
        "{pharmacy}": str(pharmacy.pk),
        "{start}": (patient_today(target) + timedelta(days=7)).isoformat(),
    }


def trial_setup(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Access-matrix setup: a trial of the target patient. The own patient's kits are made by the
    pharmacist persona's pharmacy; another patient's by a different pharmacy."""
    pharmacy, clinician = _pharmacy_for(target, whose, people)
    trial = make_trial(target, clinician, pharmacy)
    return {
        "{trial}": str(trial.pk),
        "{pharmacy}": str(pharmacy.pk),
        "{start}": (patient_today(target) + timedelta(days=7)).isoformat(),
    }


def shift_into_past(trial_id: int, days: int) -> None:
    """Move the trial ``days`` into the past: as if that many days had gone by (the schedule, the
    allocation and the moments of the steps all move together). The browser tests use it to let
    time pass between the steps people take."""

    def moved(iso: str) -> str:
        return (date.fromisoformat(iso) - timedelta(days=days)).isoformat()

    trial = Nof1Trial.objects.get(pk=trial_id)
    keys = ("start", "end", "analysis_start")
    trial.schedule = [{**p, **{k: moved(p[k]) for k in keys}} for p in trial.schedule]
    trial.start -= timedelta(days=days)
    trial.end -= timedelta(days=days)
    for moment in ("kits_prepared_at", "locked_at"):
        if getattr(trial, moment) is not None:
            setattr(trial, moment, getattr(trial, moment) - timedelta(days=days))
    trial.save()
    allocation = Allocation.objects.get(trial=trial)
    plan = dict(allocation.plan)
    plan["periods"] = [{**p, **{k: moved(p[k]) for k in keys}} for p in plan["periods"]]
    Allocation.objects.filter(pk=allocation.pk).update(plan=plan)
