"""Plot specifications carry the right numbers; PNG rendering works offline."""

from __future__ import annotations

import math

import pytest

from lowdose.meta import MetaAnalysis, cumulative
from lowdose.meta.plots import cumulative_forest_spec, forest_spec, funnel_spec, to_png

RES = MetaAnalysis(
    yi=[-0.9, -1.6, -0.2, 0.01],
    vi=[0.33, 0.19, 0.05, 0.004],
    method="DL",
    measure="RR",
    study=["A", "B", "C", "D"],
    year=[1950, 1960, 1970, 1980],
).fit()


def _rows(spec):
    return spec["layer"][1]["data"]["values"]


def test_forest_has_studies_summary_and_prediction_interval_on_ratio_scale():
    rows = _rows(forest_spec(RES))
    assert [r["kind"] for r in rows] == ["study"] * 4 + ["summary", "prediction"]
    assert rows[0]["est"] == pytest.approx(math.exp(-0.9))
    assert rows[4]["low"] == pytest.approx(math.exp(RES.ci_low))
    assert rows[5]["low"] == pytest.approx(math.exp(RES.pi_low))
    assert rows[5]["high"] == pytest.approx(math.exp(RES.pi_high))
    assert sum(r["weight"] for r in rows[:4]) == pytest.approx(100.0)


def test_cumulative_forest_rows_follow_the_years():
    rows = _rows(cumulative_forest_spec(cumulative(RES)))
    assert [r["label"] for r in rows] == ["+ A (1950)", "+ B (1960)", "+ C (1970)", "+ D (1980)"]
    assert rows[0]["est"] == pytest.approx(math.exp(-0.9))
    assert rows[-1]["est"] == pytest.approx(math.exp(RES.estimate))


def test_funnel_contours_are_significance_boundaries():
    spec = funnel_spec(RES, levels=(0.95,))
    bands = spec["layer"][0]["data"]["values"]
    last = bands[-1]
    assert last["hi"] == pytest.approx(1.959963985 * last["se"], rel=1e-9)
    assert last["lo"] == pytest.approx(-last["hi"])


def test_png_renders():
    png = to_png(forest_spec(RES), scale=1.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
