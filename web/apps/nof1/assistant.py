"""The design assistant: how often a trial of this design would reach a confident decision.

The simulation (:func:`lowdose.outcomes.simulate_design`,
:data:`lowdose.outcomes.assumptions.DESIGN_REPS` simulated trials analysed with the product
model) takes from half a second to several seconds, so no page waits for it: designing a trial
stores the assumptions (:func:`assumptions_for`) and the design form's
request computes the figures into Django's cache (the database cache every app server shares)
before it redirects — once per design, since designs of the same parameters share one entry —,
and the trial page shows them from there. Should the entry be gone (the cache culled or cleared),
the trial page fetches them in a second request (``nof1:assistant``), which computes and caches
them again. The demo loader computes its trial's figures in advance.

The figures depend only on the design — arms, cycles, period length, run-in, outcome, MCID —
and the assumptions — effect, day-to-day SD, autocorrelation, number of simulations, seed —, not
on the dates (the model sees day differences only), the kit codes or the real allocation (they
are simulated under the public :func:`lowdose.outcomes.reference_allocation`). The cache key is a
hash of exactly those inputs, so two trials of the same design share one computation, and the
key reveals nothing about any allocation.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.core.cache import cache

from apps.accounts.models import Patient
from apps.checkins.queries import core_checkins
from apps.nof1.models import Nof1Trial
from lowdose.diary import daily_scores
from lowdose.outcomes import (
    Nof1Plan,
    Period,
    design_assumptions,
    reference_allocation,
    simulate_design,
)

__all__ = ["assumptions_for", "cached_figures", "compute_figures"]

#: Part of every cache key: change it when the simulation's meaning changes.
VERSION = "nof1-assistant-1"


def assumptions_for(patient: Patient, outcome: str, mcid: float) -> dict[str, Any]:
    """What the simulation assumes, fixed when the trial is designed: the draft outcome and MCID
    (the lock may change them; the assistant describes the design as drafted) and the core's
    assumptions with their sources (:func:`lowdose.outcomes.design_assumptions`: one MCID of
    benefit, the patient's own day-to-day SD of the last 28 days or the assumed one, the
    assumed autocorrelation)."""
    scores = [row.score(outcome) for row in daily_scores(core_checkins(patient))]
    return design_assumptions(outcome, mcid, scores).to_dict()


def _inputs(trial: Nof1Trial) -> dict[str, Any]:
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
    canonical = json.dumps(_inputs(trial), sort_keys=True, separators=(",", ":"))
    return f"nof1:assistant:{hashlib.sha256(canonical.encode()).hexdigest()}"


def cached_figures(trial: Nof1Trial) -> dict[str, Any] | None:
    """The figures if they are at hand: stored on a trial designed before the cache, or cached."""
    if trial.operating_characteristics:
        return dict(trial.operating_characteristics)
    if not trial.design_assumptions:
        return None
    found = cache.get(_key(trial))
    return None if found is None else _with_sources(trial, found)


def _with_sources(trial: Nof1Trial, figures: dict[str, Any]) -> dict[str, Any]:
    assumed = trial.design_assumptions or {}
    return {
        **figures,
        "outcome": assumed["outcome"],
        "sd_source": assumed["sd_source"],
        "ar1_source": assumed["ar1_source"],
    }


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


def compute_figures(trial: Nof1Trial) -> dict[str, Any]:
    """Simulate (or take from the cache) and cache the figures; for the ``nof1:assistant`` request
    and the demo loader."""
    found = cached_figures(trial)
    if found is not None:
        return found
    inputs = _inputs(trial)
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
    cache.set(_key(trial), figures, timeout=None)  # a pure function of the key: never stale
    return _with_sources(trial, figures)
