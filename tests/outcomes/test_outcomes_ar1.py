"""The conjugate AR(1) regression core against statsmodels GLS and against itself."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from lowdose.outcomes.ar1 import fit_ar1_regression, simulate_ar1


def _data(seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    days = np.delete(np.arange(120), [7, 8, 9, 40, 41, 77])  # gaps of 4 and 3 days
    x = np.column_stack([np.ones(days.size), ((days // 20) % 2).astype(float)])
    y = 5.0 - 1.2 * x[:, 1] + simulate_ar1(rng, days, 1, 1.4, 0.55)[0]
    return days, x, y


def test_fixed_rho_flat_prior_reproduces_gls_with_exact_ar1_covariance() -> None:
    # With ρ known, a flat prior on β and p(s²) ∝ 1/s² (a0 = b0 = 0), the posterior mean is
    # the GLS estimate and the Student-t scale is the GLS standard error, for gapped days too.
    days, x, y = _data()
    rho = 0.55
    post = fit_ar1_regression(
        y, x, days, np.zeros(2), a0=0.0, b0=0.0, rho_grid=(np.array([rho]), np.array([1.0]))
    )
    sigma = rho ** np.abs(days[:, None] - days[None, :])
    gls = sm.GLS(y, x, sigma=sigma).fit()
    np.testing.assert_allclose(post.loc[0, 0], gls.params, rtol=1e-10)
    np.testing.assert_allclose(post.scale[0, 0], gls.bse, rtol=1e-10)
    assert post.dof == pytest.approx(days.size - 2)


def test_rho_weights_match_a_dense_marginal_likelihood() -> None:
    # log p(y|ρ) = -½log|Σ| - ½log|XᵀΣ⁻¹X| - a_n log(b0 + SSR/2) + const (flat β prior)
    days, x, y = _data(5)
    grid = np.array([-0.3, 0.2, 0.5, 0.8])
    post = fit_ar1_regression(y, x, days, np.zeros(2), a0=1.0, b0=2.0, rho_grid=(grid, np.ones(4)))
    logml = []
    for rho in grid:
        sigma = rho ** np.abs(days[:, None] - days[None, :])
        si = np.linalg.inv(sigma)
        xtx = x.T @ si @ x
        beta = np.linalg.solve(xtx, x.T @ si @ y)
        ssr = (y - x @ beta) @ si @ (y - x @ beta)
        an = 1.0 + (days.size - 2) / 2
        logml.append(
            -0.5 * np.linalg.slogdet(sigma)[1]
            - 0.5 * np.linalg.slogdet(xtx)[1]
            - an * np.log(2.0 + ssr / 2)
        )
    w = np.exp(np.array(logml) - max(logml))
    np.testing.assert_allclose(post.weight[0], w / w.sum(), rtol=1e-8)


def test_96_nodes_agree_with_400_nodes() -> None:
    days, x, y = _data(11)
    lam = np.array([0.0, 0.25])
    a = fit_ar1_regression(y, x, days, lam, a0=1.0, b0=2.25)
    b = fit_ar1_regression(y, x, days, lam, a0=1.0, b0=2.25, nodes=400)
    assert a.mean(1)[0] == pytest.approx(b.mean(1)[0], abs=1e-9)
    assert a.sd(1)[0] == pytest.approx(b.sd(1)[0], abs=1e-9)
    assert a.quantile(1, 0.975)[0] == pytest.approx(b.quantile(1, 0.975)[0], abs=1e-8)
    assert a.rho_mean()[0] == pytest.approx(b.rho_mean()[0], abs=1e-9)


def test_quantiles_invert_the_cdf_and_batches_equal_single_fits() -> None:
    rng = np.random.default_rng(0)
    days = np.arange(60)
    x = np.column_stack([np.ones(60), (days >= 30).astype(float)])
    ys = 4.0 + simulate_ar1(rng, days, 5, 1.0, 0.3)
    batch = fit_ar1_regression(ys, x, days, np.array([0.0, 0.25]), a0=1.0, b0=2.25)
    for q in (0.025, 0.5, 0.975):
        np.testing.assert_allclose(batch.cdf(1, batch.quantile(1, q)), q, atol=1e-10)
    single = fit_ar1_regression(ys[3], x, days, np.array([0.0, 0.25]), a0=1.0, b0=2.25)
    assert single.mean(1)[0] == pytest.approx(batch.mean(1)[3], rel=1e-12)
    assert single.quantile(1, 0.025)[0] == pytest.approx(batch.quantile(1, 0.025)[3], rel=1e-9)


def test_simulated_ar1_has_the_requested_sd_and_lag1_correlation() -> None:
    rng = np.random.default_rng(42)
    e = simulate_ar1(rng, np.arange(400), 400, 1.5, 0.6)
    assert e.std() == pytest.approx(1.5, rel=0.02)  # 160,000 draws: SE of the SD ≈ 0.3 %
    lag1 = np.mean(
        [np.corrcoef(row[:-1], row[1:])[0, 1] for row in e]
    )  # bias of the lag-1 estimate is ≈ -(1+3ρ)/n ≈ -0.007 for n = 400
    assert lag1 == pytest.approx(0.6, abs=0.015)
