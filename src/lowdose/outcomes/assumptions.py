"""What the N-of-1 design assistant assumes about a patient's diary, with where each number
comes from (:func:`lowdose.outcomes.simulate_design` takes them as arguments).

The assistant simulates a trial before it starts, so it needs the day-to-day noise of the
outcome and how much one day resembles the next. Both are **assumptions**, stated on the page as
such, not measurements of this patient, except where the patient's own diary gives the SD:

``sd``
    The population standard deviation of the patient's daily score over the last
    :data:`SD_WINDOW_DAYS` diary days, when there are at least :data:`MIN_SD_DAYS`; otherwise
    :data:`DEFAULT_DAILY_SD` = 1.5 points. That default is an assumption: day-to-day SDs of
    0–10 NRS pain diaries lie around 1–2 points, and 1.5 is the middle of that range. For scale,
    the between-patient SD of the 12-week change in pain in FINAL 2024 was about 1.6 points
    (derived from its confidence intervals; ``reference/evidence.md``), a different but
    neighbouring quantity.
``ar1``
    :data:`DEFAULT_AR1` = 0.5, the lag-1 autocorrelation of the daily noise. An assumption, not
    a measured value: daily symptom diaries are positively autocorrelated (today resembles
    yesterday), and 0.5 is a moderate middle value between independence (0) and a slowly
    drifting series (near 1). The trial's analysis does not use it: it estimates ρ from the
    patient's own data (:mod:`lowdose.outcomes.ar1`, integrated over ρ).
``effect``
    One MCID in the direction of benefit (lower pain and fatigue, higher sleep and mood): the
    assistant asks how often a trial would detect a benefit just large enough to matter.
``reps``, ``seed``
    :data:`DESIGN_REPS` simulated trials with seed 0: 400 gives each percentage to within about
    ±2.5 points (binomial SE at 50 %), in about half a second; the fixed seed makes the same
    design give the same figures everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import pstdev
from typing import Any

from lowdose.daily import DAILY_SCALES

__all__ = [
    "DEFAULT_AR1",
    "DEFAULT_DAILY_SD",
    "DESIGN_REPS",
    "MIN_SD_DAYS",
    "SD_WINDOW_DAYS",
    "DesignAssumptions",
    "design_assumptions",
    "recent_daily_sd",
]

#: Day-to-day SD (points) assumed when the diary is too short (see the module docstring).
DEFAULT_DAILY_SD = 1.5
#: Fewest diary days whose SD replaces the assumed one (two weeks: both weekdays and weekends).
MIN_SD_DAYS = 14
#: The most recent diary days the patient's own SD is taken from (four weeks).
SD_WINDOW_DAYS = 28
#: Lag-1 autocorrelation assumed for the simulated noise (see the module docstring).
DEFAULT_AR1 = 0.5
#: Simulated trials per design (see the module docstring).
DESIGN_REPS = 400


def recent_daily_sd(scores: Sequence[float]) -> float | None:
    """The population SD of the last :data:`SD_WINDOW_DAYS` daily scores (oldest first), or
    ``None`` when there are fewer than :data:`MIN_SD_DAYS` or they do not vary."""
    recent = list(scores)[-SD_WINDOW_DAYS:]
    if len(recent) < MIN_SD_DAYS:
        return None
    return float(pstdev(recent)) or None


@dataclass(frozen=True, slots=True)
class DesignAssumptions:
    """What one design-assistant simulation assumes, each with its source in words."""

    effect: float
    sd: float
    sd_source: str
    ar1: float
    ar1_source: str
    reps: int
    seed: int
    outcome: str
    mcid: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def design_assumptions(
    outcome: str, mcid: float, scores: Sequence[float] = ()
) -> DesignAssumptions:
    """The assumptions for a trial of ``outcome`` with this MCID, given the patient's daily
    scores of that outcome (oldest first; empty when there is no diary).

    The patient's own SD is rounded to 0.01 points, as the page shows it, so that the same diary
    gives the same assumptions (and the same cached figures) on every server.
    """
    sd = recent_daily_sd(scores)
    return DesignAssumptions(
        effect=DAILY_SCALES.scale(outcome).better_sign * mcid,
        sd=round(sd, 2) if sd else DEFAULT_DAILY_SD,
        sd_source=(
            f"SD of the last {MIN_SD_DAYS}+ days of this patient's diary"
            if sd
            else f"assumed {DEFAULT_DAILY_SD} points (fewer than {MIN_SD_DAYS} diary days)"
        ),
        ar1=DEFAULT_AR1,
        ar1_source=f"assumed {DEFAULT_AR1}",
        reps=DESIGN_REPS,
        seed=0,
        outcome=outcome,
        mcid=mcid,
    )
