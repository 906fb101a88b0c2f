"""τ² with a moderator (used by trim-and-fill's side choice), against metafor pins."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.meta import ESTIMATORS, MetaAnalysis, trim_and_fill
from lowdose.meta.regression import gls, tau2_with_moderators

REF = json.loads((Path(__file__).parents[1] / "reference" / "meta_metafor_parity.json").read_text())
PINS = REF["pymare_metafor_pins_moderator"]
DATA = REF["pymare_metafor_pins"]["data"]
TRAPS = json.loads(
    (Path(__file__).parents[1] / "reference" / "meta_tau2_local_maxima.json").read_text()
)["moderator_cases"]["cases"]
#: Pins where metafor's single start stops at a lower local maximum (checked below instead).
METAFOR_TRAPPED = {c["name"] for c in TRAPS}


@pytest.mark.parametrize(
    "case",
    [c for c in PINS["cases"] if f"{c['design']}-{c['method']}" not in METAFOR_TRAPPED],
    ids=lambda c: f"{c['design']}-{c['method']}",
)
def test_moderator_tau2_and_coefficients_match_metafor(case):
    y = np.array(DATA[case["design"]]["yi"])
    v = np.array(DATA[case["design"]]["vi"])
    x = np.column_stack([np.ones(y.size), PINS["mod1"][case["design"]]])
    tol = 1e-4 if case["method"] in ("ML", "REML") else 1e-7
    tau2 = tau2_with_moderators(y, v, x, case["method"])
    assert tau2 == pytest.approx(case["tau2"], abs=tol)
    assert gls(y, v, x, tau2) == pytest.approx(case["beta"], abs=tol)


@pytest.mark.parametrize("case", TRAPS, ids=lambda c: c["name"])
def test_moderator_tau2_is_the_global_maximum_where_metafor_stops_short(case):
    pin = next(c for c in PINS["cases"] if f"{c['design']}-{c['method']}" == case["name"])
    assert pin["tau2"] == case["single_start_tau2"]
    y, v = np.array(case["yi"]), np.array(case["vi"])
    x = np.column_stack([np.ones(y.size), case["mod1"]])

    tau2 = tau2_with_moderators(y, v, x, case["method"])

    assert tau2 == pytest.approx(case["global_tau2"], rel=1e-7)
    assert tau2 == pytest.approx(case["dense_grid_tau2"], rel=2.4e-4)
    assert abs(tau2 - pin["tau2"]) > 1e-3


@settings(max_examples=20, deadline=None)
@given(
    ys=st.lists(st.floats(-3, 3), min_size=3, max_size=8),
    vs=st.lists(st.floats(0.01, 1.0), min_size=3, max_size=8),
)
def test_intercept_only_design_reproduces_every_estimator(ys, vs):
    k = min(len(ys), len(vs))
    y, v = np.array(ys[:k]), np.array(vs[:k])
    x = np.ones((k, 1))
    for method in ESTIMATORS:
        plain = MetaAnalysis(yi=y, vi=v, method=method, tau2_ci=False).fit().tau2
        assert tau2_with_moderators(y, v, x, method) == pytest.approx(plain, abs=1e-7), method


def test_trim_and_fill_side_follows_the_model_method():
    # small studies with large effects: missing studies expected on the left
    y = [0.9, 0.7, 0.5, 0.35, 0.2, 0.1, 0.05]
    v = [0.25, 0.16, 0.09, 0.05, 0.02, 0.01, 0.005]
    for method in ("FE", "DL", "REML"):
        tf = trim_and_fill(MetaAnalysis(yi=y, vi=v, method=method).fit())
        assert tf.side == "left", method
        assert tf.k0 >= 1
