"""Properties every τ² estimator must share, and effect-size edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.meta import (
    ESTIMATORS,
    EffectSizeError,
    MetaAnalysis,
    MetaInputError,
    ZeroCellCorrection,
    ZeroCellError,
    escalc,
)
from lowdose.meta.conversions import (
    mean_sd_from_median,
    paired_md,
    paired_smd,
    se_from_ci,
    se_from_p,
    smd_from_p_paired,
)

METHODS = sorted(ESTIMATORS)
finite = st.floats(-5, 5, allow_nan=False)
variance = st.floats(0.001, 2.0, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(y=finite, v=variance)
def test_one_study_every_estimator_returns_that_study(y, v):
    for method in METHODS:
        res = MetaAnalysis(yi=[y], vi=[v], method=method, tau2_ci=False).fit()
        assert res.tau2 == 0.0
        assert res.estimate == pytest.approx(y, abs=1e-12)
        assert res.se == pytest.approx(math.sqrt(v), rel=1e-12)
        assert (res.I2, res.H2) == (0.0, 1.0)


@settings(max_examples=30, deadline=None)
@given(y=finite, vs=st.lists(variance, min_size=2, max_size=8))
def test_identical_studies_give_zero_tau2_and_fixed_effect_answer(y, vs):
    fe = MetaAnalysis(yi=[y] * len(vs), vi=vs, method="FE").fit()
    for method in METHODS:
        res = MetaAnalysis(yi=[y] * len(vs), vi=vs, method=method).fit()
        assert res.tau2 == pytest.approx(0.0, abs=1e-9), method
        assert res.estimate == pytest.approx(fe.estimate, abs=1e-9)
        assert pytest.approx(0.0, abs=1e-9) == res.Q
        assert pytest.approx(0.0, abs=1e-6) == res.I2


@settings(max_examples=25, deadline=None)
@given(
    ys=st.lists(finite, min_size=3, max_size=10),
    v=variance,
)
def test_equal_variances_dl_he_pm_eb_coincide(ys, v):
    """With equal vᵢ, DL, HE, PM and EB all reduce to max(0, s² − v) (sample variance)."""
    y = np.array(ys)
    target = max(0.0, float(np.var(y, ddof=1)) - v)
    for method in ("DL", "HE", "PM", "EB"):
        res = MetaAnalysis(yi=y, vi=[v] * y.size, method=method, tau2_ci=False).fit()
        assert res.tau2 == pytest.approx(target, abs=1e-8), method


@settings(max_examples=25, deadline=None)
@given(ys=st.lists(finite, min_size=3, max_size=8), vs=st.lists(variance, min_size=3, max_size=8))
def test_tau2_ci_brackets_pm_and_knha_df(ys, vs):
    k = min(len(ys), len(vs))
    y, v = np.array(ys[:k]), np.array(vs[:k])
    res = MetaAnalysis(yi=y, vi=v, method="PM", test="knha").fit()
    assert res.df == k - 1
    assert res.tau2_ci_low <= res.tau2 + 1e-8 <= res.tau2_ci_high + 2e-8
    assert res.pi_low <= res.ci_low <= res.estimate <= res.ci_high <= res.pi_high


def test_estimator_registry_has_every_metafor_name():
    assert set(ESTIMATORS) == {"FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"}


def test_unknown_method_and_bad_variance_name_the_problem():
    with pytest.raises(MetaInputError, match="unknown method"):
        MetaAnalysis(yi=[1, 2], vi=[1, 1], method="XX")
    with pytest.raises(MetaInputError, match="study 2: sampling variance") as exc:
        MetaAnalysis(yi=[1, 2], vi=[1, -1])
    assert exc.value.field == "vi"


def test_zero_cell_requires_a_chosen_correction():
    with pytest.raises(ZeroCellError, match="row 2, column 'ci'"):
        escalc("OR", ai=[4, 3], bi=[10, 10], ci=[5, 0], di=[10, 12])
    es = escalc(
        "OR", ai=[4, 3], bi=[10, 10], ci=[5, 0], di=[10, 12], correction=ZeroCellCorrection()
    )
    # metafor: add 1/2 to every cell of the table with a zero only
    assert es.yi[1] == pytest.approx(math.log(3.5 * 12.5 / (10.5 * 0.5)))
    assert es.yi[0] == pytest.approx(math.log(4 * 10 / (10 * 5)))


def test_counts_from_group_sizes_equal_counts_from_cells():
    a = escalc("RR", ai=[4, 6], bi=[119, 300], ci=[11, 29], di=[128, 274])
    b = escalc("RR", ai=[4, 6], n1i=[123, 306], ci=[11, 29], n2i=[139, 303])
    assert a.yi == pytest.approx(b.yi)
    assert a.vi == pytest.approx(b.vi)
    rd = escalc("RD", ai=[4], n1i=[123], ci=[11], n2i=[139])
    assert rd.yi[0] == pytest.approx(4 / 123 - 11 / 139)


def test_rom_and_negative_sd_message():
    es = escalc("ROM", m1i=[10], sd1i=[2], n1i=[20], m2i=[8], sd2i=[2], n2i=[20])
    assert es.yi[0] == pytest.approx(math.log(10 / 8))
    assert es.vi[0] == pytest.approx(4 / (20 * 100) + 4 / (20 * 64))
    with pytest.raises(EffectSizeError, match="row 1, column 'sd2i'"):
        escalc("MD", m1i=[1], sd1i=[1], n1i=[5], m2i=[0], sd2i=[-1], n2i=[5])


def test_se_from_ci_and_p_value():
    # FINAL (Bruun 2024): difference -0.34 (95% CI -0.95 to 0.27)
    d = se_from_ci(-0.34, -0.95, 0.27)
    assert d.sei == pytest.approx(1.22 / (2 * 1.959963985), rel=1e-9)
    r = se_from_ci(0.5, 0.25, 1.0, log_scale=True)
    assert r.yi == pytest.approx(math.log(0.5))
    assert r.sei == pytest.approx(math.log(4) / (2 * 1.959963985), rel=1e-9)
    p = se_from_p(0.49, 0.236)
    assert 0.49 / p.sei == pytest.approx(1.18504, abs=1e-5)  # qnorm(1 - 0.236/2)
    with pytest.raises(EffectSizeError):
        se_from_ci(1, 2, 1)


def test_wan_2014_worked_formulas():
    # n = 50, median 10, IQR 8-13: SD = 5 / (2 * Phi^-1((37.5 - .125)/50.25))
    est = mean_sd_from_median(50, 10, q1=8, q3=13)
    eta = 1.3489795 / 2  # Phi^-1 at 0.7438 ~ 0.6547; checked below against scipy instead
    assert est.mean == pytest.approx(31 / 3)
    from scipy.stats import norm

    assert est.sd == pytest.approx(5 / (2 * norm.ppf((0.75 * 50 - 0.125) / 50.25)))
    assert est.sd > 5 / (4 * eta)  # wider than the naive IQR/1.35 for finite n
    rng = mean_sd_from_median(50, 10, minimum=2, maximum=20)
    assert rng.mean == pytest.approx(10.5)
    assert rng.sd == pytest.approx(18 / (2 * norm.ppf((50 - 0.375) / 50.25)))
    both = mean_sd_from_median(50, 10, q1=8, q3=13, minimum=2, maximum=20)
    assert both.mean == pytest.approx((2 + 16 + 20 + 26 + 20) / 8)


def test_paired_designs_use_the_stated_correlation():
    md = paired_md(4.0, 2.0, 5.0, 2.0, 20, r=0.5)
    assert md.yi == -1.0
    assert md.vi == pytest.approx((4 + 4 - 4) / 20)
    assert paired_md(4.0, 2.0, 5.0, 2.0, 20, r=0.8).vi < md.vi
    smd = paired_smd(4.0, 2.0, 5.0, 2.0, 20, r=0.5)
    assert smd.yi < 0
    assert smd.vi == pytest.approx(2 * 0.5 / 20 + smd.yi**2 / 40)
    fromp = smd_from_p_paired(0.05, 20, r=0.5, direction=-1)
    assert fromp.yi == pytest.approx(-2.093024 / math.sqrt(20), abs=1e-6)
    with pytest.raises(EffectSizeError, match="within-person correlation"):
        paired_md(1, 1, 1, 1, 10, r=1.0)


def test_reml_converges_where_fisher_scoring_oscillates():
    """Found by hypothesis: plain Fisher scoring cycles between ~0.004 and ~0.18 here."""
    y, v = np.array([1.0, 0, 0, 0, 0]), np.array([0.125, 1, 1, 1, 1])
    tau2 = MetaAnalysis(yi=y, vi=v, method="REML").fit().tau2
    w = 1 / (v + tau2)
    mu = (w * y).sum() / w.sum()
    score = (w**2 * (y - mu) ** 2).sum() - (w.sum() - (w**2).sum() / w.sum())
    assert 0.05 < tau2 < 0.15
    assert score == pytest.approx(0.0, abs=1e-8)
