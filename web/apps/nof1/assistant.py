"""The design assistant: how often a trial of this design would reach a confident decision.

The simulation (:func:`lowdose.outcomes.simulate_design`, :data:`DESIGN_REPS` simulated trials
analysed with the product model) takes from half a second to several seconds, so no page waits
for it: designing a trial stores the assumptions (:func:`assumptions_for`) and the design form's
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
from statistics import pstdev
from typing import Any

from django.core.cache import cache

from apps.accounts.models import Patient
from apps.checkins.queries import core_checkins
from apps.nof1.models import Nof1Trial
from lowdose.daily import DAILY_SCALES
from lowdose.diary import daily_scores
from lowdose.outcomes import Nof1Plan, Period, reference_allocation, simulate_design

__all__ = [
    "DEFAULT_AR1",
    "DEFAULT_DAILY_SD",
    "DESIGN_REPS",
    "assumptions_for",
    "cached_figures",
    "compute_figures",
]

#: Assumed day-to-day SD of daily pain when the patient has fewer than MIN_SD_DAYS days of diary
#: (an assumption within the 1–2 point SDs of daily NRS pain diaries; shown as such on the page).
DEFAULT_DAILY_SD = 1.5
MIN_SD_DAYS = 14
#: Assumed lag-1 autocorrelation for the design assistant (stated on the page).
DEFAULT_AR1 = 0.5
DESIGN_REPS = 400
#: Part of every cache key: change it when the simulation's meaning changes.
VERSION = "nof1-assistant-1"


def _recent_sd(patient: Patient, outcome: str) -> float | None:
    rows = daily_scores(core_checkins(patient))[-28:]
    if len(rows) < MIN_SD_DAYS:
        return None
    return float(pstdev(r.score(outcome) for r in rows)) or None


def assumptions_for(patient: Patient, outcome: str, mcid: float) -> dict[str, Any]:
    """What the simulation assumes, fixed when the trial is designed: the draft outcome and MCID
    (the lock may change them; the assistant describes the design as drafted), a true benefit of
    one MCID
    (negative for pain and fatigue, positive for sleep and mood), the patient's own day-to-day SD
    of the last 28 days (at least 14) or :data:`DEFAULT_DAILY_SD`, and :data:`DEFAULT_AR1`.

    The SD is rounded to 0.01 points, as the page shows it, so that the same diary gives the
    same cache key on every server."""
    sd = _recent_sd(patient, outcome)
    return {
        "effect": DAILY_SCALES.scale(outcome).better_sign * mcid,
        "sd": round(sd, 2) if sd else DEFAULT_DAILY_SD,
        "sd_source": (
            f"SD of the last {MIN_SD_DAYS}+ days of this patient's diary"
            if sd
            else f"assumed {DEFAULT_DAILY_SD} points (fewer than {MIN_SD_DAYS} diary days)"
        ),
        "ar1": DEFAULT_AR1,
        "ar1_source": f"assumed {DEFAULT_AR1}",
        "reps": DESIGN_REPS,
        "seed": 0,
        "outcome": outcome,
        "mcid": mcid,
    }


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
