"""ML/REML τ² finds the global maximum of the (restricted) likelihood (issue 16, item 6).

The pinned data sets (``tests/reference/meta_tau2_local_maxima.json``, found by simulation)
trap the single-start Fisher scoring metafor uses; each is checked here against an
independent dense profile of the log-likelihood written out in the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lowdose.meta import MetaAnalysis
from lowdose.meta.estimators import MaximumLikelihood, RestrictedMaximumLikelihood, get_estimator

REFERENCE = Path(__file__).parents[1] / "reference" / "meta_tau2_local_maxima.json"
CASES: list[dict[str, Any]] = json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]


def profile(tau2: np.ndarray, y: np.ndarray, v: np.ndarray, restricted: bool) -> np.ndarray:
    """Log-likelihood of the random-effects model at each τ², written from the textbook
    formula (constants dropped), not from the estimator's code."""
    w = 1.0 / (v[None, :] + tau2[:, None])
    mu = (w @ y) / w.sum(axis=1)
    out = -0.5 * np.log(v[None, :] + tau2[:, None]).sum(axis=1)
    out -= 0.5 * (w * (y[None, :] - mu[:, None]) ** 2).sum(axis=1)
    if restricted:
        out -= 0.5 * np.log(w.sum(axis=1))
    return np.asarray(out)


def dense_argmax(y: np.ndarray, v: np.ndarray, restricted: bool) -> tuple[float, float, float]:
    """``(argmax, max, relative spacing)`` on τ² = 0 plus 20 001 log-spaced points."""
    top = 10 * float(np.ptp(y)) ** 2 + 1
    grid = np.r_[0.0, np.geomspace(1e-9, top, 20_001)]
    ll = profile(grid, y, v, restricted)
    j = int(np.argmax(ll))
    return float(grid[j]), float(ll[j]), float((top / 1e-9) ** (1 / 20_000) - 1)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_global_maximum_is_found_where_a_single_start_is_trapped(case: dict[str, Any]) -> None:
    y, v = np.array(case["yi"]), np.array(case["vi"])
    restricted = case["method"] == "REML"
    estimator = get_estimator(case["method"])
    tau2 = estimator.estimate(y, v)
    assert tau2 == pytest.approx(case["global_tau2"], rel=1e-7, abs=1e-12)
    assert MetaAnalysis(yi=y, vi=v, method=case["method"]).fit().tau2 == tau2
    # the single start (metafor's algorithm) really is trapped, well below the global maximum
    assert isinstance(estimator, MaximumLikelihood | RestrictedMaximumLikelihood)
    single = estimator.single_start(y, v)
    assert single == pytest.approx(case["single_start_tau2"], rel=1e-6, abs=1e-12)
    ll_new, ll_single = profile(np.array([tau2, single]), y, v, restricted)
    assert ll_new - ll_single > 0.2
    # an independent dense profile agrees on where the maximum is
    best, best_ll, spacing = dense_argmax(y, v, restricted)
    assert ll_new >= best_ll - 1e-9
    assert tau2 == pytest.approx(best, rel=2 * spacing, abs=1e-9)
    assert case["dense_grid_tau2"] == pytest.approx(tau2, rel=2.4e-4, abs=1e-9)


@pytest.mark.parametrize("method", ["ML", "REML"])
def test_the_profile_estimate_is_never_below_the_single_start_or_a_dense_grid(method: str) -> None:
    rng = np.random.default_rng(16)
    estimator = get_estimator(method)
    assert isinstance(estimator, MaximumLikelihood | RestrictedMaximumLikelihood)
    restricted = method == "REML"
    for _ in range(100):
        k = int(rng.integers(3, 9))
        v = np.exp(rng.uniform(np.log(1e-3), 0.0, k))
        y = rng.normal(0.0, np.sqrt(v + rng.choice([0.0, 0.05, 0.3])))
        tau2 = estimator.estimate(y, v)
        single = estimator.single_start(y, v)
        ll_new, ll_single = profile(np.array([tau2, single]), y, v, restricted)
        assert ll_new >= ll_single - 1e-10
        _, best_ll, _ = dense_argmax(y, v, restricted)
        assert ll_new >= best_ll - 1e-9
