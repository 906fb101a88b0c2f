"""A stored trial's state, through :mod:`lowdose.outcomes.trial_states` (the one place that says
what may happen to a trial, when and by whom).

:func:`facts_of` turns the moments stored on a :class:`~apps.nof1.models.Nof1Trial` into the
core's :class:`TrialFacts` in the patient's calendar; :func:`require` is what every action calls
before it writes; :func:`allowed` is what every page asks before it shows a button.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.checkins.queries import patient_today
from apps.nof1.models import Nof1Trial
from lowdose.outcomes.trial_situation import Situation, describe
from lowdose.outcomes.trial_states import (
    Step,
    Transition,
    TrialFacts,
    TrialState,
    allowed_steps,
    check,
)

__all__ = ["allowed", "facts_of", "require", "situation", "state_of", "today_of"]


def today_of(trial: Nof1Trial) -> date:
    """The patient's calendar day now: the trial's days are the patient's days."""
    return patient_today(trial.patient)


def _local(trial: Nof1Trial, moment: datetime | None) -> date | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(trial.patient.time_zone)).date()


def facts_of(trial: Nof1Trial) -> TrialFacts:
    return TrialFacts(
        start=trial.start,
        end=trial.end,
        kits_prepared_on=_local(trial, trial.kits_prepared_at),
        plan_locked_on=_local(trial, trial.locked_at),
        stopped_on=_local(trial, trial.stopped_at),
        emergency_on=_local(trial, trial.emergency_unblinded_at),
        unblinded_on=_local(trial, trial.unblinded_at),
    )


def _role(user: User | None) -> str | None:
    return None if user is None else str(user.role)


def state_of(trial: Nof1Trial, today: date | None = None) -> TrialState:
    return facts_of(trial).state(today or today_of(trial))


def situation(trial: Nof1Trial, user: User | None, today: date | None = None) -> Situation:
    """Where the trial stands, in the sentences meant for ``user``'s role."""
    return describe(facts_of(trial), today or today_of(trial), _role(user))


def allowed(trial: Nof1Trial, user: User | None, today: date | None = None) -> frozenset[Step]:
    """The steps ``user`` may take on this trial now (their role; access is checked apart)."""
    return allowed_steps(facts_of(trial), _role(user), today or today_of(trial))


def require(actor: Actor, trial: Nof1Trial, step: Step, today: date | None = None) -> Transition:
    """The transition, or :class:`lowdose.outcomes.trial_states.TrialStateError` saying what
    happens next instead. Call it inside the action's transaction, on a freshly locked row."""
    return check(facts_of(trial), step, _role(actor.user), today or today_of(trial))
