"""Mechanism explorer: hypotheses are labelled, and the turnover maths is exact."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from lowdose.pk import PkInputError
from lowdose.pk.mechanisms import (
    HYPOTHESIS_LABEL,
    NALTREXONE_MW,
    rebound,
    tlr4_exposure,
    turnover,
)
from lowdose.pk.regimen import Regimen, regimen_metrics


def test_turnover_recursion_matches_solve_ivp() -> None:
    step = 0.1
    t = np.arange(0.0, 72.0 + step / 2, step)
    occ = 0.5 + 0.4 * np.sin(t / 3.0) ** 2
    occ_lin = np.interp  # the recursion is exact for piecewise-linear occupancy
    k, s_max = math.log(2) / 20.0, 2.0
    exact = turnover(occ, k, s_max, step)
    sol = solve_ivp(
        lambda tt, y: k * (1 + s_max * occ_lin(tt, t, occ)) - k * y,
        (0.0, t[-1]),
        [1.0],
        t_eval=t,
        rtol=1e-11,
        atol=1e-13,
        max_step=step / 4,
    )
    np.testing.assert_allclose(exact, sol.y[0], rtol=1e-7)


def test_no_drug_means_baseline_tone_and_constant_blockade_matches_the_formula() -> None:
    zero = turnover(np.zeros(100), 0.1, 3.0, 0.5)
    np.testing.assert_allclose(zero, 1.0, rtol=1e-14)
    o = 0.6
    flat = turnover(np.full(4000, o), math.log(2) / 5.0, 2.0, 0.5)
    # steady state of dP/dt = k(1+S o) - kP is P = 1 + S o
    assert flat[-1] == pytest.approx(1 + 2.0 * o, rel=1e-9)


def test_rebound_contrasts_brief_and_sustained_blockade_and_is_labelled() -> None:
    fitted = rebound(Decimal("4.5"))
    brief = rebound(Decimal("4.5"), occupancy_source="brief")
    full = rebound(Decimal(50))
    assert brief.mean_net_tone > 1.0 > fitted.mean_net_tone > full.mean_net_tone
    for r in (fitted, brief, full):
        assert r.to_dict()["label"] == HYPOTHESIS_LABEL
        assert HYPOTHESIS_LABEL in r.summary()
    # the fitted occupancy in the explorer is the regimen's own occupancy
    m = regimen_metrics(Regimen(Decimal("4.5"), days=28)).values
    assert max(fitted.occupancy_mu) == pytest.approx(m["occupancy.mu.peak"], abs=2e-3)


def test_tlr4_uses_molar_plasma_naltrexone_and_labels_the_placeholder() -> None:
    res = tlr4_exposure(Decimal("4.5"))
    m = regimen_metrics(Regimen(Decimal("4.5"))).values
    assert res.cmax_nm == pytest.approx(m["naltrexone.cmax_ng_ml"] * 1000 / NALTREXONE_MW, rel=1e-3)
    d = res.to_dict()
    assert d["label"] == HYPOTHESIS_LABEL
    assert d["ic50_source"].startswith("placeholder")
    assert res.inhibition_at_peak == pytest.approx(res.cmax_nm / (res.cmax_nm + 1000.0))
    set_ = tlr4_exposure(Decimal("4.5"), ic50_um=0.001).to_dict()
    assert set_["ic50_source"] == "user-set"
    assert set_["inhibition_at_peak"] > 0.7
    assert len(d["literature"]) >= 3


def test_mechanism_options_are_validated() -> None:
    with pytest.raises(PkInputError, match="s_max"):
        rebound(Decimal(3), s_max=-1)
    with pytest.raises(PkInputError, match="ic50"):
        tlr4_exposure(Decimal(3), ic50_um=0.0)
