"""Simulation-based calibration of the N-of-1 posterior (seeded; a few seconds in total).

Data are generated with a known effect and AR(1) noise and analysed with exactly the product
model (vectorised path of :func:`lowdose.outcomes.simulate.simulate_design`, which is tested to
equal :class:`Nof1Analysis` below).

Tolerances
----------
* Coverage of the 95 % interval over ``R`` independent trials is Binomial(R, 0.95)/R under
  perfect calibration: SD ``sqrt(0.95·0.05/R)``. We accept ±3.5 SD (two-sided false-alarm
  probability ≈ 5e-4 per check), i.e. ±0.024 for R = 600.
* Bias: the mean estimate must lie within 3.5 Monte-Carlo SEs of the truth plus the shrinkage
  the N(0, (2s)²) effect prior is *designed* to cause, ``|E|·v/(v + 4s²)`` with ``v`` the
  sampling variance of the estimate; that is ≤ 0.06·|E| for these designs (v ≤ 1 at s = 2).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from lowdose.daily import Diary
from lowdose.daily import daily_scale as outcome_scale
from lowdose.outcomes.ar1 import fit_ar1_regression, simulate_ar1
from lowdose.outcomes.design import Nof1Design, Nof1Plan
from lowdose.outcomes.nof1 import Nof1Analysis, arm_summaries, design_matrix, trial_data
from lowdose.outcomes.priors import Priors
from lowdose.outcomes.simulate import simulate_design

START = date(2026, 3, 2)
REPS = 600


def stub_washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
    """Stand-in for lowdose.pk.washout_hours: 10 h per mg (stated value, not pharmacology)."""
    return float(dose_mg) * 10.0


def _plan(arms: list[str], cycles: int = 3, period_days: int = 28) -> Nof1Plan:
    return Nof1Design(
        arms,
        start=START,
        rng=random.Random(17),
        cycles=cycles,
        period_days=period_days,
        washout=stub_washout,
    ).fit()


def _coverage_tolerance(reps: int) -> float:
    return 3.5 * float(np.sqrt(0.95 * 0.05 / reps))


@pytest.mark.parametrize(
    ("arms", "effect", "sd", "rho", "trend", "outcome"),
    [
        (["placebo", "4.5"], -1.0, 1.5, 0.5, False, "pain"),
        (["placebo", "4.5"], 0.0, 1.0, 0.0, False, "pain"),
        (["placebo", "4.5"], -2.0, 2.0, 0.8, True, "pain"),  # high ρ: the hard case
        (["placebo", "4.5"], -1.0, 1.5, 0.95, False, "pain"),
        (["placebo", "1.5", "4.5"], 1.0, 1.2, -0.3, False, "mood"),
    ],
)
def test_intervals_cover_the_truth_and_estimates_are_unbiased(
    arms: list[str], effect: float, sd: float, rho: float, trend: bool, outcome: str
) -> None:
    oc = simulate_design(
        _plan(arms),
        effect=effect,
        sd=sd,
        ar1=rho,
        reps=REPS,
        seed=99,
        trend=trend,
        outcome=outcome,
    )
    tol = _coverage_tolerance(REPS)
    for arm in oc.arms:
        assert abs(arm.coverage - 0.95) <= tol, (arm.arm, arm.coverage)
        mc_se = arm.rmse / np.sqrt(REPS)
        assert abs(arm.bias) <= 3.5 * mc_se + 0.06 * abs(effect), (arm.arm, arm.bias)


def test_false_positive_rate_is_near_nominal_under_no_effect() -> None:
    # With no effect, P(any benefit) ≥ 0.95 should happen ~5 % of the time (one-sided test).
    oc = simulate_design(_plan(["placebo", "4.5"]), effect=0.0, sd=1.5, ar1=0.5, reps=REPS, seed=5)
    (arm,) = oc.arms
    assert abs(arm.false_positive_rate - 0.05) <= 3.5 * np.sqrt(0.05 * 0.95 / REPS)


def test_coverage_holds_with_missing_diary_days() -> None:
    # A fixed 25 % of days missing at random (gaps of several days): exact gap handling matters.
    plan = _plan(["placebo", "4.5"])
    all_days = np.arange(plan.start.toordinal(), plan.end.toordinal() + 1)
    data, _ = trial_data(plan, all_days)
    rng = np.random.default_rng(2024)
    keep = rng.random(data.days.size) > 0.25
    days = data.days[keep]
    data, _ = trial_data(plan, days)
    priors = Priors()
    x, lam, cols = design_matrix(data, ["4.5 mg"], trend=False, priors=priors)
    noise = simulate_ar1(rng, days, REPS, 1.5, 0.6)
    on = np.array([a != "placebo" for a in data.arm])
    y = 5.0 - 1.0 * on + noise
    post = fit_ar1_regression(y, x, days, lam, a0=priors.a0, b0=priors.b0)
    ((mean, _sd, lo, hi, _pb, _pm),) = arm_summaries(
        post, cols, ["4.5 mg"], outcome_scale("pain"), 1.0
    )
    coverage = float(np.mean((lo <= -1.0) & (hi >= -1.0)))
    assert abs(coverage - 0.95) <= _coverage_tolerance(REPS)
    assert abs(mean.mean() + 1.0) <= 3.5 * mean.std() / np.sqrt(REPS) + 0.05


def test_vectorised_path_equals_the_single_trial_analysis() -> None:
    plan = _plan(["placebo", "4.5"])
    all_days = np.arange(plan.start.toordinal(), plan.end.toordinal() + 1)
    rng = np.random.default_rng(8)
    values = np.round(np.clip(5.0 + simulate_ar1(rng, all_days, 1, 1.3, 0.4)[0], 0, 10), 1)
    rows = [
        {
            "date": date.fromordinal(int(d)).isoformat(),
            "pain": float(v),
            "fatigue": 5,
            "sleep": 5,
            "mood": 5,
        }
        for d, v in zip(all_days, values, strict=True)
    ]
    single = Nof1Analysis(Diary.from_rows(rows), plan).fit().effects[0]
    data, keep = trial_data(plan, all_days)
    priors = Priors()
    x, lam, cols = design_matrix(data, ["4.5 mg"], trend=False, priors=priors)
    post = fit_ar1_regression(
        np.vstack([values[keep], values[keep]]), x, data.days, lam, a0=priors.a0, b0=priors.b0
    )
    ((mean, sd, lo, _hi, _pb, pm),) = arm_summaries(
        post, cols, ["4.5 mg"], outcome_scale("pain"), 1.0
    )
    assert single.mean == pytest.approx(mean[1], rel=1e-12)
    assert single.sd == pytest.approx(sd[1], rel=1e-12)
    assert single.ci_low == pytest.approx(lo[1], rel=1e-9)
    assert single.p_mcid == pytest.approx(pm[1], rel=1e-12)
