"""Many meta-analyses at once (lowdose.meta.batch.fit_many): the same estimate, standard error
and τ² as one MetaAnalysis per data set, the global maximum on the data sets that trap a single
start (tests/reference/meta_tau2_local_maxima.json), and bad input refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.errors import MetaInputError
from lowdose.meta import MetaAnalysis
from lowdose.meta import _profile_kernel as kernel
from lowdose.meta.batch import BATCH_METHODS, fit_many
from lowdose.meta.estimators import get_estimator

TRAPS = json.loads(
    (Path(__file__).parents[1] / "reference" / "meta_tau2_local_maxima.json").read_text()
)


def _one_at_a_time(y: np.ndarray, v: np.ndarray, method: str) -> np.ndarray:
    fits = (
        MetaAnalysis(yi=y[i], vi=v[i], method=method, tau2_ci=False).fit() for i in range(len(y))
    )
    return np.array([[r.estimate, r.se, r.tau2] for r in fits])


def _data(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.005, 0.5, size=(n, k)) ** 1.5  # variances over about two decades
    y = (
        rng.normal(0.3, 0.4, size=(n, 1))
        + rng.normal(0, 0.3, size=(n, k)) * rng.uniform(0, 1, size=(n, 1))
        + rng.normal(0, np.sqrt(v))
    )
    return y, v


@pytest.mark.parametrize("method", BATCH_METHODS)
@pytest.mark.parametrize("k", [2, 3, 10])
def test_the_same_as_one_meta_analysis_per_data_set(method: str, k: int) -> None:
    y, v = _data(300, k, seed=k)

    got = fit_many(y, v, method)

    want = _one_at_a_time(y, v, method)
    np.testing.assert_allclose(got.estimate, want[:, 0], rtol=0, atol=1e-8)
    np.testing.assert_allclose(got.se, want[:, 1], rtol=0, atol=1e-8)
    np.testing.assert_allclose(got.tau2, want[:, 2], rtol=1e-7, atol=1e-9)
    if method in ("DL", "ML", "REML"):
        assert (got.tau2 > 0).any()
        assert (got.tau2 == 0).any()


def test_the_global_maximum_where_a_single_start_is_trapped() -> None:
    for case in TRAPS["cases"]:
        got = fit_many([case["yi"]], [case["vi"]], case["method"])

        assert got.tau2[0] == pytest.approx(case["global_tau2"], rel=1e-7, abs=1e-9), case["name"]
        assert abs(got.tau2[0] - case["single_start_tau2"]) > 1e-3, case["name"]


def test_many_traps_fitted_together_each_get_their_own_maximum() -> None:
    same_k = [c for c in TRAPS["cases"] if len(c["yi"]) == len(TRAPS["cases"][0]["yi"])]
    method = same_k[0]["method"]
    same = [c for c in same_k if c["method"] == method]

    got = fit_many([c["yi"] for c in same], [c["vi"] for c in same], method)

    assert got.tau2 == pytest.approx([c["global_tau2"] for c in same], rel=1e-7, abs=1e-9)


def test_one_study_has_no_heterogeneity() -> None:
    got = fit_many([[0.4], [-0.2]], [[0.04], [0.09]], "REML")

    assert list(got.tau2) == [0.0, 0.0]
    assert list(got.estimate) == [0.4, -0.2]
    assert got.se == pytest.approx([0.2, 0.3])


@settings(max_examples=40, deadline=None)
@given(
    shift=st.floats(-1e4, 1e4, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_a_shift_of_every_effect_moves_the_estimate_and_nothing_else(
    shift: float, seed: int
) -> None:
    y, v = _data(20, 5, seed)

    base, moved = fit_many(y, v, "REML"), fit_many(y + shift, v, "REML")

    np.testing.assert_allclose(moved.tau2, base.tau2, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(moved.estimate - shift, base.estimate, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("y", "v", "method", "field", "words"),
    [
        ([[0.1, 0.2]], [[0.01, 0.02]], "PM", "method", "not offered for many data sets"),
        ([[0.1, 0.2]], [[0.01]], "REML", "yi", "same shape"),
        ([0.1, 0.2], [0.01, 0.02], "REML", "yi", "same shape"),
        ([[0.1, float("nan")]], [[0.01, 0.02]], "DL", "yi", "finite"),
        ([[0.1, 0.2]], [[0.01, 0.0]], "ML", "vi", "above 0"),
    ],
)
def test_bad_input_is_refused_saying_what_to_fix(
    y: object, v: object, method: str, field: str, words: str
) -> None:
    with pytest.raises(MetaInputError, match=words) as refused:
        fit_many(y, v, method)  # type: ignore[arg-type]

    assert refused.value.field == field


def _trap_prone(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Data sets like those of tests/reference/meta_tau2_local_maxima.json: k = 5, variances
    log-uniform over three decades, where a single start is trapped in about 1 fit in 140."""
    rng = np.random.default_rng(seed)
    v = 10.0 ** rng.uniform(-3, 0, size=(n, 5))
    tau2 = rng.choice([0.0, 0.05, 0.3], size=(n, 1))
    return rng.normal(0, np.sqrt(v + tau2)), v


@pytest.mark.parametrize("method", ["ML", "REML"])
def test_the_blocks_left_unprofiled_never_hold_the_answer(method: str) -> None:
    """fit_many profiles only the blocks of the grid its bounds cannot rule out; on data sets
    with several maxima it still picks the maximum the whole grid (MetaAnalysis) picks."""
    y, v = _trap_prone(1500, seed=20261207)

    got = fit_many(y, v, method)

    want = _one_at_a_time(y, v, method)
    np.testing.assert_allclose(got.tau2, want[:, 2], rtol=1e-7, atol=1e-9)
    assert (got.tau2 > 0).sum() > 300
    assert (got.tau2 == 0).sum() > 300


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    restricted=st.booleans(),
    start=st.floats(-4.0, 1.0),
    ratio=st.floats(1.01, 30.0),
)
def test_the_block_bounds_hold_inside_each_block(
    seed: int, restricted: bool, start: float, ratio: float
) -> None:
    """What lets a block go unprofiled: on [a, b] the log-likelihood is at most f(a) + g(b)
    and the score lies between the bounds score_bounds gives (checked at 64 points of blocks
    from 1e-4 to 10 times each data set's maximum)."""
    y, v = _trap_prone(16, seed)
    y = y - y.mean(axis=1, keepdims=True)
    peak = np.maximum(fit_many(y, v, "REML" if restricted else "ML").tau2, v.min(axis=1))
    for yr, vr, top in zip(y, v, peak, strict=True):
        a, b = top * 10.0**start, top * 10.0**start * ratio
        f_a, _ = kernel.parts(a, yr, vr, restricted)
        _, g_b = kernel.parts(b, yr, vr, restricted)
        lower, upper, _ = kernel.score_bounds(a, b, yr, vr, restricted)
        for t in np.linspace(a, b, 64):
            ll = kernel.loglik(t, yr, vr, restricted)
            score = kernel.score(t, yr, vr, restricted)
            assert ll <= f_a + g_b + 1e-9 * (1 + abs(ll))
            assert lower - 1e-9 * (1 + abs(score)) <= score <= upper + 1e-9 * (1 + abs(score))


def test_the_compiled_likelihood_is_the_one_estimator_uses() -> None:
    """The kernel's log-likelihood and score are those of RestrictedMaximumLikelihood and
    MaximumLikelihood (whose values metafor's are checked against)."""
    y, v = _trap_prone(5, seed=3)
    for method, restricted in (("ML", False), ("REML", True)):
        estimator = get_estimator(method)
        for yr, vr in zip(y, v, strict=True):
            for t in (0.0, 1e-4, 0.03, 0.7):
                want = estimator._profile(np.array([t]), yr, vr)  # type: ignore[attr-defined]
                got = kernel.loglik(t, yr, vr, restricted), kernel.score(t, yr, vr, restricted)
                assert got == pytest.approx((want[0][0], want[1][0]), rel=1e-12, abs=1e-12)
