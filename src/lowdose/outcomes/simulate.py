r"""The design assistant: simulated operating characteristics of an N-of-1 design.

Before the patient starts, simulate many complete diaries under the design and analyse each
with *exactly* the model of :class:`lowdose.outcomes.nof1.Nof1Analysis` (same design matrix,
priors and quadrature; vectorised over data sets, so 1,000 trials take about a second):

.. math::

    y_t = \mu_0 + E\,[\text{arm}(t) \ne \text{placebo}] + e_t,\qquad
    e_t \sim \text{AR(1)}(\rho, s^2),

for the assumed true effect :math:`E` (points, active − placebo, applied to every active arm),
day-to-day SD :math:`s` and autocorrelation :math:`\rho`. The same noise is re-used with
:math:`E = 0` (common random numbers) to give the false-positive rate.

A trial reaches a *confident decision* for an arm when either
:math:`P(\text{any benefit}) \ge c` ("it helps") or
:math:`P(\text{benefit} \ge \text{MCID}) \le 1 - c` ("no clinically important benefit"),
with confidence :math:`c = 0.95` by default. Jaeschke et al. (*J Rheumatol* 1991;18:447–451)
reached a confident final decision in 74 % of 23 amitriptyline N-of-1 trials in fibromyalgia,
a useful yardstick.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from lowdose.daily import DAILY_SCALES, DailyScales, Diary
from lowdose.errors import OutcomesError
from lowdose.outcomes.ar1 import fit_ar1_regression, simulate_ar1
from lowdose.outcomes.design import PLACEBO, Nof1Plan
from lowdose.outcomes.nof1 import arm_summaries, design_matrix, trial_data
from lowdose.outcomes.priors import Priors
from lowdose.serial import Plain

__all__ = ["ArmCharacteristics", "OperatingCharacteristics", "simulate_design", "simulate_diary"]


def _check(effect: float, sd: float, ar1: float) -> None:
    if not np.isfinite(effect):
        raise OutcomesError("effect must be a finite number of points", field="effect")
    if not (np.isfinite(sd) and sd > 0):
        raise OutcomesError(f"sd must be > 0 points, got {sd!r}", field="sd")
    if not -0.99 <= ar1 <= 0.99:
        raise OutcomesError(f"ar1 must be between -0.99 and 0.99, got {ar1!r}", field="ar1")


def _plan_days(plan: Nof1Plan) -> np.ndarray:
    return np.arange(plan.start.toordinal(), plan.end.toordinal() + 1, dtype=np.int64)


def simulate_diary(
    plan: Nof1Plan,
    *,
    effect: float,
    sd: float,
    ar1: float,
    seed: int,
    baseline: float = 5.0,
    outcome: str = "pain",
    scales: DailyScales = DAILY_SCALES,
) -> Diary:
    """A complete synthetic diary for ``plan`` (one check-in per day, values clipped to 0–10).

    ``effect`` (points) is added on every active-arm day, run-in included (a demo of what a
    patient would record). Other outcomes are filled with a constant 5 so the diary is valid.
    """
    _check(effect, sd, ar1)
    scale = scales.scale(outcome)
    days = _plan_days(plan)
    rng = np.random.default_rng(seed)
    noise = simulate_ar1(rng, days, 1, sd, ar1)[0]
    arm_of = {}
    for p in plan.periods:
        for k in range((p.end - p.start).days + 1):
            arm_of[(p.start + timedelta(days=k)).toordinal()] = p.arm
    level = np.array([baseline + (effect if arm_of[d] != PLACEBO else 0.0) for d in days])
    values = np.round(np.clip(level + noise, scale.low, scale.high), 1)
    rows: list[dict[str, object]] = []
    for d, v in zip(days, values, strict=True):
        row: dict[str, object] = {"date": date.fromordinal(int(d)).isoformat()}
        for name in scales.names:
            row[name] = float(v) if name == outcome else 5.0
        rows.append(row)
    return Diary.from_rows(rows, scales=scales)


@dataclass(frozen=True)
class ArmCharacteristics(Plain):
    """Operating characteristics for one active arm."""

    arm: str
    p_confident_decision: float
    p_confident_benefit: float
    p_confident_mcid: float
    p_confident_no_important_benefit: float
    false_positive_rate: float
    mean_estimate: float
    bias: float
    rmse: float
    coverage: float
    mean_ci_width: float


@dataclass(frozen=True)
class OperatingCharacteristics(Plain):
    """Result of :func:`simulate_design`."""

    effect: float
    sd: float
    ar1: float
    reps: int
    mcid: float
    confidence: float
    days_per_trial: int
    seconds: float
    arms: tuple[ArmCharacteristics, ...]

    def summary(self) -> str:
        lines = [
            f"{self.reps} simulated trials, true effect {self.effect:+g} points, day-to-day SD "
            f"{self.sd:g}, AR(1) {self.ar1:g}, {self.days_per_trial} analysed days each:"
        ]
        for a in self.arms:
            lines.append(
                f"{a.arm}: confident decision {a.p_confident_decision:.0%} "
                f"(benefit {a.p_confident_benefit:.0%}, ≥MCID {a.p_confident_mcid:.0%}, "
                f"no important benefit {a.p_confident_no_important_benefit:.0%}); "
                f"false positives with no effect {a.false_positive_rate:.1%}; 95% interval "
                f"coverage {a.coverage:.1%}; mean width {a.mean_ci_width:.2f}"
            )
        return "\n".join(lines)


def simulate_design(
    plan: Nof1Plan,
    *,
    effect: float,
    sd: float,
    ar1: float,
    reps: int = 1000,
    seed: int = 0,
    mcid: float = 1.0,
    outcome: str = "pain",
    confidence: float = 0.95,
    trend: bool = False,
    baseline: float = 5.0,
    priors: Priors | None = None,
    scales: DailyScales = DAILY_SCALES,
) -> OperatingCharacteristics:
    """Simulate ``reps`` complete trials under ``plan`` and analyse each (vectorised)."""
    _check(effect, sd, ar1)
    if not 1 <= reps <= 100_000:
        raise OutcomesError(f"reps must be 1–100000, got {reps}", field="reps")
    if not 0.5 < confidence < 1:
        raise OutcomesError("confidence must be between 0.5 and 1", field="confidence")
    scale = scales.scale(outcome)
    priors = priors or Priors()
    started = time.perf_counter()
    data, _ = trial_data(plan, _plan_days(plan))
    active = list(plan.active_arms)
    x, lam, columns = design_matrix(data, active, trend=trend, priors=priors)
    rng = np.random.default_rng(seed)
    noise = simulate_ar1(rng, data.days, reps, sd, ar1)
    on_active = np.array([a != PLACEBO for a in data.arm])
    # truth expressed in "points"; benefit direction decides the sign of a helpful effect
    y_effect = baseline + effect * on_active[None, :] + noise
    y_null = baseline + noise
    both = np.vstack([y_effect, y_null])
    post = fit_ar1_regression(both, x, data.days, lam, a0=priors.a0, b0=priors.b0)
    arms = []
    for a, (mean, _sd, lo, hi, p_better, p_mcid) in zip(
        active, arm_summaries(post, columns, active, scale, mcid), strict=True
    ):
        m, lo_e, hi_e = mean[:reps], lo[:reps], hi[:reps]
        benefit = p_better[:reps] >= confidence
        no_important = p_mcid[:reps] <= 1.0 - confidence
        arms.append(
            ArmCharacteristics(
                arm=a,
                p_confident_decision=float(np.mean(benefit | no_important)),
                p_confident_benefit=float(np.mean(benefit)),
                p_confident_mcid=float(np.mean(p_mcid[:reps] >= confidence)),
                p_confident_no_important_benefit=float(np.mean(no_important)),
                false_positive_rate=float(np.mean(p_better[reps:] >= confidence)),
                mean_estimate=float(m.mean()),
                bias=float(m.mean() - effect),
                rmse=float(np.sqrt(np.mean((m - effect) ** 2))),
                coverage=float(np.mean((lo_e <= effect) & (effect <= hi_e))),
                mean_ci_width=float(np.mean(hi_e - lo_e)),
            )
        )
    return OperatingCharacteristics(
        effect=float(effect),
        sd=float(sd),
        ar1=float(ar1),
        reps=reps,
        mcid=float(mcid),
        confidence=confidence,
        days_per_trial=int(data.days.size),
        seconds=time.perf_counter() - started,
        arms=tuple(arms),
    )
