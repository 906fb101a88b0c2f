"""Egger's test and trim-and-fill against independent computations."""

from __future__ import annotations

import numpy as np
import pytest

from lowdose.meta import MetaAnalysis, MetaInputError, egger_test, trim_and_fill

Y = [
    -0.889,
    -1.585,
    -1.348,
    -1.442,
    -0.218,
    -0.786,
    -1.621,
    0.012,
    -0.469,
    -1.371,
    -0.339,
    0.446,
    -0.017,
]
V = [0.326, 0.195, 0.415, 0.020, 0.051, 0.007, 0.223, 0.004, 0.056, 0.073, 0.012, 0.533, 0.071]


def test_egger_equals_statsmodels_weighted_regression():
    import statsmodels.api as sm  # a dev dependency: never skipped

    res = MetaAnalysis(yi=Y, vi=V, method="FE").fit()
    eg = egger_test(res)
    sei = np.sqrt(V)
    fit = sm.WLS(np.array(Y), sm.add_constant(sei), weights=1 / np.array(V)).fit()
    # y = b1 + b0*sei with weights 1/v is Egger's regression rearranged
    assert eg.intercept == pytest.approx(fit.params[1], rel=1e-10)
    assert eg.intercept_se == pytest.approx(fit.bse[1], rel=1e-10)
    assert eg.p == pytest.approx(fit.pvalues[1], rel=1e-8)
    assert eg.limit_estimate == pytest.approx(fit.params[0], rel=1e-10)
    assert eg.df == 11


def test_trim_and_fill_finds_nothing_in_a_symmetric_funnel():
    y = [0.0, 0.2, -0.2, 0.4, -0.4, 0.1, -0.1]
    v = [0.01, 0.04, 0.04, 0.09, 0.09, 0.02, 0.02]
    res = MetaAnalysis(yi=y, vi=v, method="FE").fit()
    tf = trim_and_fill(res)
    assert tf.k0 == 0
    assert tf.adjusted.estimate == pytest.approx(res.estimate)


def test_trim_and_fill_restores_suppressed_small_negative_studies():
    """Remove the 3 most negative small studies of a symmetric funnel: L0 must find them."""
    full_y = [0.0, 0.05, -0.05, 0.3, -0.3, 0.5, -0.5, 0.7, -0.7, 0.9, -0.9]
    full_v = [0.005, 0.01, 0.01, 0.04, 0.04, 0.09, 0.09, 0.16, 0.16, 0.25, 0.25]
    keep = [i for i in range(11) if full_y[i] not in (-0.5, -0.7, -0.9)]
    res = MetaAnalysis(
        yi=[full_y[i] for i in keep], vi=[full_v[i] for i in keep], method="FE"
    ).fit()
    tf = trim_and_fill(res)
    assert tf.side == "left"
    # L0 is conservative in small funnels (Duval & Tweedie 2000): 2 or 3 of the 3 are found
    assert 2 <= tf.k0 <= 3
    # imputed studies mirror the most positive ones about the trimmed estimate
    top = sorted(res.yi)[-tf.k0 :]
    centre = (tf.filled_yi[0] + top[0]) / 2
    assert [2 * centre - t for t in top] == pytest.approx(list(tf.filled_yi))
    assert abs(tf.adjusted.estimate) < abs(res.estimate)  # pulled back towards the truth (0)
    assert tf.adjusted.k == res.k + tf.k0


def test_diagnostics_refuse_too_few_studies():
    res = MetaAnalysis(yi=[0.1, 0.2], vi=[0.1, 0.1]).fit()
    with pytest.raises(MetaInputError, match="three studies"):
        egger_test(res)


def test_summaries_are_text():
    res = MetaAnalysis(yi=Y, vi=V, method="FE").fit()
    assert egger_test(res).summary().startswith("Egger's test (k = 13)")
    assert "imputed" in trim_and_fill(res).summary()


def test_egger_rma_version_is_the_fe_regression_without_dispersion():
    """With method FE, metafor's default regtest fits the same WLS as Egger's classic test but
    fixes the residual variance at 1 and uses z: same coefficient, SE smaller by sqrt(sigma²)."""
    res = MetaAnalysis(yi=Y, vi=V, method="FE").fit()
    lm = egger_test(res, model="lm")
    rma = egger_test(res, model="rma")
    assert rma.intercept == pytest.approx(lm.intercept, rel=1e-10)
    s = np.sqrt(V)
    resid = np.array(Y) / s - (lm.intercept + lm.limit_estimate / s)
    sigma2 = float(resid @ resid) / (len(Y) - 2)
    assert rma.intercept_se == pytest.approx(lm.intercept_se / np.sqrt(sigma2), rel=1e-10)
    assert rma.df == 0
    assert "z = " in rma.summary()
    re = egger_test(MetaAnalysis(yi=Y, vi=V, method="REML").fit(), model="rma")
    assert abs(re.intercept_se) > rma.intercept_se  # tau² > 0 widens the SE
