"""Hierarchical pooling of N-of-1 trials against a brute-force 2-D integration."""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from scipy import integrate

from lowdose.errors import AnalysisError
from lowdose.outcomes.design import Nof1Design
from lowdose.outcomes.nof1 import Nof1Analysis
from lowdose.outcomes.pooling import PooledNof1, TrialEffect
from lowdose.outcomes.simulate import simulate_diary

TRIALS = [
    TrialEffect("p01", -1.8, 0.45),
    TrialEffect("p02", -0.2, 0.50),
    TrialEffect("p03", -1.1, 0.40),
    TrialEffect("p04", 0.4, 0.60),
    TrialEffect("p05", -2.5, 0.55),
    TrialEffect("p06", -0.9, 1.20),
]


def _brute_force(trials: list[TrialEffect]) -> tuple[float, float, float]:
    """Posterior mean of μ, median of τ and mean of θ_6 by dense quadrature over (μ, τ)."""
    y = np.array([t.estimate for t in trials])
    s = np.array([t.se for t in trials])
    mu = np.linspace(-8, 6, 701)
    tau = np.linspace(1e-6, 40, 4001)
    prior_tau = 2 / (np.pi * (1 + tau**2))  # half-Cauchy(0, 1)
    # marginal of y given μ, τ: θ integrated analytically
    ll = np.zeros((tau.size, mu.size))
    for yi, si in zip(y, s, strict=True):
        v = si**2 + tau[:, None] ** 2
        ll += -0.5 * np.log(v) - 0.5 * (yi - mu[None, :]) ** 2 / v
    post = np.exp(ll - ll.max()) * prior_tau[:, None]
    z = integrate.trapezoid(integrate.trapezoid(post, mu, axis=1), tau)
    mu_mean = integrate.trapezoid(integrate.trapezoid(post * mu[None, :], mu, axis=1), tau) / z
    tau_marg = integrate.trapezoid(post, mu, axis=1) / z
    cdf = integrate.cumulative_trapezoid(tau_marg, tau, initial=0)
    tau_median = float(np.interp(0.5, cdf, tau))
    # E[θ_6 | μ, τ, y] = (1-B) y_6 + B μ with B = s²/(s²+τ²)
    b = s[5] ** 2 / (s[5] ** 2 + tau[:, None] ** 2)
    theta = (1 - b) * y[5] + b * mu[None, :]
    theta_mean = integrate.trapezoid(integrate.trapezoid(post * theta, mu, axis=1), tau) / z
    return float(mu_mean), tau_median, float(theta_mean)


def test_matches_brute_force_integration_over_mu_and_tau() -> None:
    result = PooledNof1(TRIALS).fit()
    mu_mean, tau_median, theta6 = _brute_force(TRIALS)
    # the dense grid's own error is ~1e-4 (step 0.02 in μ, 0.01 in τ; τ tail beyond 40 cut)
    assert result.mean == pytest.approx(mu_mean, abs=2e-3)
    assert result.tau_median == pytest.approx(tau_median, abs=5e-3)
    assert result.patients[5].shrunken_mean == pytest.approx(theta6, abs=2e-3)


def test_imprecise_trials_are_shrunk_more_towards_the_population_mean() -> None:
    result = PooledNof1(TRIALS).fit()
    pull = {
        p.patient: abs(p.shrunken_mean - p.estimate) / abs(p.estimate - result.mean)
        for p in result.patients
    }
    assert pull["p06"] > pull["p03"]  # se 1.2 vs 0.4
    assert all(p.shrunken_sd < p.se for p in result.patients)
    assert result.prediction_low < result.ci_low < result.mean < result.ci_high
    assert result.ci_high < result.prediction_high


def test_identical_trials_give_little_heterogeneity() -> None:
    same = [TrialEffect(f"p{i}", -1.0, 0.3) for i in range(8)]
    result = PooledNof1(same).fit()
    assert result.mean == pytest.approx(-1.0, abs=1e-9)
    assert result.tau_median < 0.2
    assert result.p_better > 0.99
    # with τ ≈ 0 the pooled SD approaches the fixed-effect SE 0.3/√8
    assert result.sd == pytest.approx(0.3 / np.sqrt(8), rel=0.35)


def test_evidence_source_is_a_mean_difference_with_se() -> None:
    source = PooledNof1(TRIALS).fit().as_evidence_source()
    assert source["measure"] == "MD"
    assert source["n_patients"] == 6
    assert source["ci_low"] < source["estimate"] < source["ci_high"]
    assert source["se"] > 0


def test_trial_effect_from_a_real_analysis() -> None:
    def washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
        return 48.0  # stated stub: 2 days

    plan = Nof1Design(
        ["placebo", "4.5"], start=date(2026, 1, 5), rng=random.Random(3), washout=washout
    ).fit()
    result = Nof1Analysis(simulate_diary(plan, effect=-1.0, sd=1.2, ar1=0.4, seed=4), plan).fit()
    effect = TrialEffect.from_result("p1", result)
    assert effect.estimate == result.effects[0].mean
    assert effect.se == result.effects[0].sd
    with pytest.raises(AnalysisError, match="not in this trial"):
        TrialEffect.from_result("p1", result, arm="1.5 mg")


@pytest.mark.parametrize(
    ("trials", "match"),
    [
        ([TrialEffect("a", -1, 0.3)], "at least 2"),
        ([TrialEffect("a", -1, 0.3), TrialEffect("a", -1, 0.3)], "one trial"),
        ([TrialEffect("a", -1, 0.3), TrialEffect("b", -1, 0.0)], "se > 0"),
        ([TrialEffect("a", -1, 0.3), TrialEffect("b", -1, 0.3, outcome="mood")], "same outcome"),
    ],
)
def test_bad_inputs_are_named(trials: list[TrialEffect], match: str) -> None:
    with pytest.raises(AnalysisError, match=match):
        PooledNof1(trials)


def test_shrunken_intervals_cover_true_effects_in_simulation() -> None:
    # 100 clinics of 10 patients: true θ ~ N(-0.8, 0.6²), se ~ U(0.3, 0.8). The 95 % intervals
    # of the shrunken effects should cover the true θ ~95 % of the time (1000 intervals:
    # binomial SD 0.7 %; tolerance 3.5 SD ≈ 2.4 %).
    rng = np.random.default_rng(12)
    hits = []
    for _ in range(100):
        theta = rng.normal(-0.8, 0.6, 10)
        se = rng.uniform(0.3, 0.8, 10)
        y = rng.normal(theta, se)
        result = PooledNof1([TrialEffect(f"p{i}", y[i], se[i]) for i in range(10)]).fit()
        hits += [p.ci_low <= t <= p.ci_high for p, t in zip(result.patients, theta, strict=True)]
    assert abs(np.mean(hits) - 0.95) <= 3.5 * np.sqrt(0.95 * 0.05 / len(hits))


def test_pooled_series_joins_the_evidence_summary_as_its_own_source() -> None:
    from lowdose.evidence import summarize

    result = PooledNof1(TRIALS).fit()
    record = result.as_effect_record()
    assert record.origin == "n_of_1"
    assert record.outcome == "pain_nrs"
    assert record.yi == result.mean
    assert record.vi == pytest.approx(result.sd**2)
    summary = summarize("pain_nrs", extra=[record])
    assert "lowdose-nof1-series" in json.dumps(summary.to_dict(), default=str)
    mood = PooledNof1(
        [TrialEffect("a", 1.0, 0.3, outcome="mood"), TrialEffect("b", 0.5, 0.3, outcome="mood")],
        lower_is_better=False,
    ).fit()
    with pytest.raises(AnalysisError, match="only pain"):
        mood.as_effect_record()
