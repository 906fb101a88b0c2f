"""Parity with metafor: values pinned in tests/reference/meta_metafor_parity.json.

No R runs here; every expected number was published by metafor's own test-suite or by
PyMARE's pinned metafor output (file and R call recorded in the JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lowdose.meta import MetaAnalysis, escalc
from lowdose.meta.diagnostics import cumulative, influence, leave_one_out
from lowdose.meta.model import typical_variance

REF = json.loads((Path(__file__).parents[1] / "reference" / "meta_metafor_parity.json").read_text())
TOL = {name: spec["abs"] for name, spec in REF["tolerance_policy"].items()}
BCG = REF["dat_bcg"]


ITERATIVE = {"ML", "REML", "EB", "PM"}


def assert_het(res, key, expected, tol):
    """Compare I² or H²; for iterative τ² estimators compare on the τ² scale.

    metafor stops iterating when τ² changes by < 1e-5, and I² = 100τ²/(τ²+ṽ) magnifies a τ²
    difference by 100ṽ/(τ²+ṽ)² (×190 in Viechtbauer 2005 example 2). So for ML/REML/EB/PM the
    published I²/H² are turned back into the τ² they imply (τ² = ṽ·I²/(100−I²) = ṽ(H²−1))
    and that must agree with ours to ``tol``.
    """
    if res.method not in ITERATIVE:
        assert getattr(res, key) == pytest.approx(expected, abs=tol), key
        return
    s2 = typical_variance(np.asarray(res.vi))
    implied = s2 * expected / (100 - expected) if key == "I2" else s2 * (expected - 1)
    assert res.tau2 == pytest.approx(max(implied, 0.0), abs=tol), key


def bcg(measure: str):
    return escalc(
        measure,
        ai=BCG["tpos"],
        bi=BCG["tneg"],
        ci=BCG["cpos"],
        di=BCG["cneg"],
        study=BCG["author"],
        year=BCG["year"],
    )


@pytest.mark.parametrize(
    "case", REF["bcg_cases"], ids=lambda c: f"{c['measure']}-{c['method']}-{c['tolerance']}"
)
def test_dat_bcg_matches_metafor(case):
    res = MetaAnalysis(bcg(case["measure"]), method=case["method"]).fit()
    got = res.to_dict()
    for key, expected in case["expected"].items():
        assert got[key] == pytest.approx(expected, abs=TOL[case["tolerance"]]), key


def test_leave_one_out_matches_metafor():
    spec = REF["bcg_leave1out_study1"]
    first = leave_one_out(MetaAnalysis(bcg("RR")).fit())[0].to_dict()
    for key, expected in spec["expected"].items():
        assert first[key] == pytest.approx(expected, abs=TOL[spec["tolerance"]]), key


def test_influence_matches_metafor():
    spec = REF["bcg_influence_study1"]
    row = influence(MetaAnalysis(bcg("RR")).fit())[0].to_dict()
    for key, expected in spec["expected"].items():
        assert row[key] == pytest.approx(expected, abs=TOL[spec["tolerance"]]), key


def test_cumulative_by_year_matches_metafor():
    spec = REF["bcg_cumulative_by_year"]
    steps = cumulative(MetaAnalysis(bcg("RR")).fit(), order="year")
    got = [s.estimate for s in steps]
    assert got == pytest.approx(spec["expected"], abs=TOL[spec["tolerance"]])
    assert [s.k for s in steps] == list(range(1, 14))


@pytest.mark.parametrize("example", [0, 1])
@pytest.mark.parametrize("method", ["HS", "HE", "DL", "ML", "REML", "EB", "SJ", "PM"])
def test_viechtbauer2005_every_estimator(example, method):
    spec = REF["viechtbauer2005"]
    ex = spec["examples"][example]
    expected = ex["expected"]["EB" if method == "PM" else method]
    res = MetaAnalysis(yi=ex["yi"], vi=ex["vi"], method=method).fit()
    tol = TOL[spec["tolerance"]]
    assert res.tau2 == pytest.approx(expected[0], abs=tol)
    assert_het(res, "I2", expected[1], tol)
    assert_het(res, "H2", expected[2], tol)


PINS = REF["pymare_metafor_pins"]


@pytest.mark.parametrize(
    "case", PINS["cases"], ids=lambda c: f"{c['design']}-{c['method']}-{c['test']}"
)
def test_pymare_pinned_metafor_output(case):
    data = PINS["data"][case["design"]]
    res = MetaAnalysis(yi=data["yi"], vi=data["vi"], method=case["method"], test=case["test"]).fit()
    got = res.to_dict()
    iterative = case["method"] in ("ML", "REML")
    tol = TOL["full_precision_iterative" if iterative else "full_precision_closed_form"]
    for key, expected in case["expected"].items():
        if key in ("I2", "H2"):
            assert_het(res, key, expected, tol)
            continue
        bound = 1e-6 if key.startswith("tau2_ci") else tol
        assert got[key] == pytest.approx(expected, abs=bound, rel=1e-9), key


@pytest.mark.parametrize("case", REF["escalc"]["cases"], ids=lambda c: f"n{c['n1i']}-{c['n2i']}")
def test_escalc_md_smd_match_metafor(case):
    cols = {k: [case[k]] for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")}
    for measure in ("MD", "SMD"):
        es = escalc(measure, **cols)
        assert es.yi[0] == pytest.approx(case[measure][0], abs=1e-12)
        assert es.vi[0] == pytest.approx(case[measure][1], abs=1e-12)


def test_pm_agrees_with_statsmodels_independent_implementation():
    """PM has no metafor pin for these data: cross-check with statsmodels' own PM solver."""
    import statsmodels.stats.meta_analysis as sm  # a dev dependency: never skipped

    ex = REF["viechtbauer2005"]["examples"][0]
    y, v = np.array(ex["yi"]), np.array(ex["vi"])
    theirs = sm.combine_effects(y, v, method_re="pm")
    ours = MetaAnalysis(yi=y, vi=v, method="PM").fit()
    # statsmodels iterates PM to its own default tolerance (atol 1e-10 on the equation)
    assert ours.tau2 == pytest.approx(theirs.tau2, abs=1e-6)
    assert ours.estimate == pytest.approx(theirs.mean_effect_re, abs=1e-6)
    dl = MetaAnalysis(yi=y, vi=v, method="DL").fit()
    theirs_dl = sm.combine_effects(y, v, method_re="dl")
    assert dl.tau2 == pytest.approx(theirs_dl.tau2, abs=1e-12)
