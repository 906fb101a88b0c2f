"""The design assistant: how often a trial of this design would reach a confident decision.

The simulation (:func:`lowdose.outcomes.simulate_design`,
:data:`lowdose.outcomes.assumptions.DESIGN_REPS` simulated trials analysed with the product
model) takes from half a second to several seconds, so no request runs it: designing a trial
stores the assumptions (:func:`assumptions_for`) and, in the same transaction, a
:class:`~apps.nof1.models.DesignSimulation` row keyed by a hash of the simulation's inputs
(:func:`request_figures`); once that commits, a background job (:func:`simulate_figures`, on
the Django-Q2 worker) computes the figures into the row. The trial page shows "Calculating…"
and asks again every few seconds until they are there (:func:`assistant_state`). A design
already simulated — another trial of the same design — reuses the row: nothing runs again.

The figures depend only on the design — arms, cycles, period length, run-in, outcome, MCID —
and the assumptions — effect, day-to-day SD, autocorrelation, number of simulations, seed —, not
on the dates (the model sees day differences only), the kit codes or the real allocation (they
are simulated under the public :func:`lowdose.outcomes.reference_allocation`). The key is a
hash of exactly those inputs, so two trials of the same design share one computation, and the
key reveals nothing about any allocation.

Jobs are delivered at least once (docs/decisions/0008-task-queue.md): a second run of the same
key finds the figures stored and returns; two runs at once both compute, and the second write
stores the same figures (the simulation is seeded; its run time is kept apart, in
``DesignSimulation.seconds``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from apps.accounts.models import Patient
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.queries import core_checkins
from apps.nof1.models import DesignSimulation, Nof1Trial
from lowdose.diary import daily_scores
from lowdose.errors import TrialStateError
from lowdose.outcomes import (
    Nof1Plan,
    Period,
    design_assumptions,
    reference_allocation,
    simulate_design,
)

__all__ = [
    "STALE_AFTER",
    "AssistantState",
    "assistant_state",
    "assumptions_for",
    "compute_figures",
    "inputs_of",
    "request_figures",
    "retry_figures",
    "simulate_figures",
]

logger = logging.getLogger(__name__)

#: Part of every key: change it when the simulation's meaning changes.
VERSION = "nof1-assistant-1"

#: A calculation still without figures this long after it was asked for is treated as lost
#: (its worker stopped, or none is running): the page offers to try again. Longer than the
#: queue's lease (``Q_CLUSTER["retry"]``, 600 s), after which the queue itself hands a lost job
#: out again.
STALE_AFTER = timedelta(minutes=15)

#: The job, by dotted path (Django-Q2 stores the name, not the function).
JOB = "apps.nof1.assistant.simulate_figures"


def assumptions_for(patient: Patient, outcome: str, mcid: float) -> dict[str, Any]:
    """What the simulation assumes, fixed when the trial is designed: the draft outcome and MCID
    (the lock may change them; the assistant describes the design as drafted) and the core's
    assumptions with their sources (:func:`lowdose.outcomes.design_assumptions`: one MCID of
    benefit, the patient's own day-to-day SD of the last 28 days or the assumed one, the
    assumed autocorrelation)."""
    scores = [row.score(outcome) for row in daily_scores(core_checkins(patient))]
    return design_assumptions(outcome, mcid, scores).to_dict()


def inputs_of(trial: Nof1Trial) -> dict[str, Any]:
    """Everything the figures depend on, and nothing else (no dates, kit codes or arms drawn)."""
    assumed = trial.design_assumptions or {}
    return {
        "version": VERSION,
        "arms": list(trial.arms),
        "cycles": trial.cycles,
        "period_days": trial.period_days,
        "run_in_days": trial.run_in_days,
        **{k: assumed[k] for k in ("outcome", "mcid", "effect", "sd", "ar1", "reps", "seed")},
    }


def _key(trial: Nof1Trial) -> str:
    canonical = json.dumps(inputs_of(trial), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AssistantState:
    """What the trial page shows: the figures, or that they are being calculated, or that the
    calculation failed (``failed``) or seems lost (``stale``) and can be tried again."""

    figures: dict[str, Any] | None = None
    calculating: bool = False
    failed: bool = False
    stale: bool = False

    @property
    def can_retry(self) -> bool:
        return self.failed or self.stale


def _with_sources(trial: Nof1Trial, figures: dict[str, Any]) -> dict[str, Any]:
    assumed = trial.design_assumptions or {}
    return {
        **figures,
        "outcome": assumed["outcome"],
        "sd_source": assumed["sd_source"],
        "ar1_source": assumed["ar1_source"],
    }


def assistant_state(trial: Nof1Trial, *, now: datetime | None = None) -> AssistantState | None:
    """The figures if they are stored, else how their calculation stands; ``None`` for a trial
    with nothing to show (no assumptions stored). Never simulates; a design with no row yet (a
    trial designed before the figures were stored in rows) has its job sent now
    (:func:`request_figures`), so the page asks again until the figures are there."""
    if trial.operating_characteristics:  # trials designed before the assistant was cached
        return AssistantState(figures=dict(trial.operating_characteristics))
    if not trial.design_assumptions:
        return None
    key = _key(trial)
    row = DesignSimulation.objects.filter(key=key).first()
    if row is None:
        request_figures(trial)  # the job may have run at once (tests' synchronous mode)
        row = DesignSimulation.objects.get(key=key)
    if row.figures is not None:
        return AssistantState(figures=_with_sources(trial, row.figures))
    if row.failed_at is not None:
        return AssistantState(failed=True)
    stale = row.requested_at < (now or timezone.now()) - STALE_AFTER
    return AssistantState(calculating=True, stale=stale)


def _enqueue(key: str, trial_id: int) -> None:
    name = f"nof1-design-{key[:12]}"
    transaction.on_commit(lambda: async_task(JOB, key, trial_id, task_name=name))


def request_figures(trial: Nof1Trial) -> bool:
    """Make sure the figures of ``trial``'s design are stored or on their way: create its row and
    send the job once the caller's transaction commits. Returns whether a job was sent (False:
    the design's figures are stored or already being calculated, or the trial has no
    assumptions). Called by :func:`apps.nof1.actions.design_trial` in its transaction."""
    if not trial.design_assumptions or trial.operating_characteristics:
        return False
    key = _key(trial)
    with transaction.atomic():
        _, created = DesignSimulation.objects.get_or_create(
            key=key, defaults={"inputs": inputs_of(trial)}
        )
    if created:
        _enqueue(key, trial.pk)
    return created


def retry_figures(actor: Actor, trial: Nof1Trial, *, now: datetime | None = None) -> None:
    """Send the calculation again after it failed or seems lost (:attr:`AssistantState.can_retry`);
    audited (``nof1.assistant.retry``). Refused, changing nothing, while it runs or once the
    figures are stored."""
    state = assistant_state(trial, now=now)
    if state is None or not state.can_retry:
        raise TrialStateError(
            "The design assistant's figures are stored or still being calculated: nothing to "
            "try again.",
            field="assistant",
        )
    key = _key(trial)
    with transaction.atomic():
        DesignSimulation.objects.update_or_create(
            key=key,
            defaults={
                "inputs": inputs_of(trial),
                "requested_at": now or timezone.now(),
                "failed_at": None,
                "error": "",
            },
        )
        record_as(actor, "nof1.assistant.retry", patient_id=trial.patient_id, obj=trial)
        _enqueue(key, trial.pk)


def _public_plan(trial: Nof1Trial) -> Nof1Plan:
    """The blinded schedule with placeholder arms: ``reference_allocation`` replaces every arm,
    so nothing here reads (or could depend on) the real allocation."""
    arms = tuple(trial.arms)
    periods = tuple(
        Period(
            cycle=int(p["cycle"]),
            arm=arms[i % len(arms)],
            kit=str(p["kit"]),
            start=date.fromisoformat(p["start"]),
            end=date.fromisoformat(p["end"]),
            analysis_start=date.fromisoformat(p["analysis_start"]),
        )
        for i, p in enumerate(trial.schedule)
    )
    return Nof1Plan(arms=arms, cycles=trial.cycles, run_in_days=trial.run_in_days, periods=periods)


def _simulate(trial: Nof1Trial) -> tuple[dict[str, Any], float]:
    inputs = inputs_of(trial)
    started = time.perf_counter()
    figures = simulate_design(
        reference_allocation(_public_plan(trial)),
        effect=inputs["effect"],
        sd=inputs["sd"],
        ar1=inputs["ar1"],
        reps=inputs["reps"],
        seed=inputs["seed"],
        mcid=inputs["mcid"],
        outcome=inputs["outcome"],
    ).to_dict()
    figures.pop("seconds", None)  # wall-clock time: not part of the (reproducible) result
    return figures, time.perf_counter() - started


def simulate_figures(key: str, trial_id: int) -> str:
    """The job: simulate the design of trial ``trial_id`` and store the figures under ``key``.

    Idempotent: stored figures are left as they are; a failure is recorded on the row (the
    page then offers to try again) and logged for the administrator, not raised — the
    simulation is seeded, so the queue's automatic retry would fail the same way. Returns what
    happened, for the admin's list of jobs: ``stored``, ``already stored`` or ``failed``.
    """
    row = DesignSimulation.objects.filter(key=key).first()
    if row is not None and row.figures is not None:
        return "already stored"
    trial = Nof1Trial.objects.get(pk=trial_id)
    if _key(trial) != key:
        raise ValueError(f"trial {trial_id} is not of the design {key}")
    try:
        figures, seconds = _simulate(trial)
    except Exception as exc:  # any failure: recorded for the page, logged for the administrator
        logger.exception("Design simulation %s failed", key)
        DesignSimulation.objects.update_or_create(
            key=key,
            defaults={"inputs": inputs_of(trial), "failed_at": timezone.now(), "error": repr(exc)},
        )
        return "failed"
    DesignSimulation.objects.update_or_create(
        key=key,
        defaults={
            "inputs": inputs_of(trial),
            "figures": figures,
            "seconds": seconds,
            "finished_at": timezone.now(),
            "failed_at": None,
            "error": "",
        },
    )
    return "stored"


def compute_figures(trial: Nof1Trial) -> dict[str, Any]:
    """The figures, simulated now if they are not stored: for the demo loader (a command, not a
    request) and tests. Runs the job's own code."""
    state = assistant_state(trial)
    if state is not None and state.figures is not None:
        return state.figures
    simulate_figures(_key(trial), trial.pk)
    found = assistant_state(trial)
    if found is None or found.figures is None:
        raise RuntimeError(f"the design simulation of trial {trial.pk} failed")
    return found.figures
