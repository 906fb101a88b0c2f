"""Degenerate inputs are answered "not estimable" with the reason (issue 16, item 6).

Cases and the values that stay well defined: ``tests/reference/meta_not_estimable.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lowdose.meta import MetaAnalysis, egger_test
from lowdose.meta.model import KH_NO_SPREAD, KH_ONE_STUDY, TAU2_ONE_STUDY

REFERENCE = Path(__file__).parents[1] / "reference" / "meta_not_estimable.json"
CASES: dict[str, dict[str, Any]] = json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]
# with known variances (metafor's default z test) an exact line still has a model-based SE,
# so only the classic test refuses it
EGGER = [
    (name, model)
    for name in CASES
    if name.startswith("egger_")
    for model in ("lm", "rma")
    if (name, model) != ("egger_exact_line", "rma")
]


@pytest.mark.parametrize(("name", "model"), EGGER)
def test_eggers_test_on_degenerate_studies_is_not_estimable_and_says_why(
    name: str, model: str
) -> None:
    case = CASES[name]
    res = MetaAnalysis(yi=case["yi"], vi=case["vi"], method="FE").fit()
    egger = egger_test(res, model=model)  # type: ignore[arg-type]
    assert not egger.estimable
    assert egger.not_estimable is not None
    assert case["reason_contains"] in egger.not_estimable
    assert (egger.intercept, egger.intercept_se, egger.t, egger.p) == (None, None, None, None)
    assert egger.to_dict()["not_estimable"] == egger.not_estimable
    assert egger.summary() == f"Egger's test (k = 4): not estimable: {egger.not_estimable}"


def test_eggers_test_is_still_a_number_one_rounding_step_away_from_degenerate() -> None:
    case = CASES["egger_identical_effects"]
    yi = [*case["yi"][:-1], case["yi"][-1] + 0.05]
    egger = egger_test(MetaAnalysis(yi=yi, vi=case["vi"], method="FE").fit())
    assert egger.estimable
    assert egger.t is not None
    assert egger.p is not None
    assert 0 < egger.p < 1


def test_one_study_with_knapp_hartung_says_what_cannot_be_estimated() -> None:
    case = CASES["one_study_knapp_hartung"]
    res = MetaAnalysis(yi=case["yi"], vi=case["vi"], method=case["method"], test="knha").fit()
    assert res.not_estimable == (TAU2_ONE_STUDY, KH_ONE_STUDY)
    assert "Knapp–Hartung interval cannot be estimated from one study" in res.summary()
    assert res.test == case["reported_test"]
    assert res.df is None
    assert res.se == pytest.approx(case["se"], rel=1e-12)
    assert res.ci_low == pytest.approx(case["ci_low"], rel=1e-12)
    assert res.ci_high == pytest.approx(case["ci_high"], rel=1e-12)
    assert res.to_dict()["not_estimable"] == [TAU2_ONE_STUDY, KH_ONE_STUDY]
    # a fixed-effect z analysis of one study has nothing missing to report
    assert MetaAnalysis(yi=case["yi"], vi=case["vi"], method="FE").fit().not_estimable == ()


def test_knapp_hartung_on_identical_effects_keeps_the_model_variance_and_says_so() -> None:
    case = CASES["identical_effects_knapp_hartung"]
    res = MetaAnalysis(yi=case["yi"], vi=case["vi"], method=case["method"], test="knha").fit()
    assert res.not_estimable == (KH_NO_SPREAD,)
    assert res.estimate == pytest.approx(case["estimate"], rel=1e-12)
    assert res.se == pytest.approx(case["se"], rel=1e-12)
    assert res.df == case["df"]
    assert MetaAnalysis(yi=[0.3, 0.31, 0.3], vi=case["vi"], test="knha").fit().not_estimable == ()
