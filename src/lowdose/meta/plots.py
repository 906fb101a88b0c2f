"""Forest, cumulative-forest and contour-enhanced funnel plots as Vega-Lite specifications.

Each function returns a plain ``dict`` (a Vega-Lite v5 spec built with Altair) that the web
pages embed with vega-embed and that :func:`to_png` renders offline with vl-convert. Ratio
measures are drawn on the ratio scale (log axis), as metafor's ``atransf=exp``.

References
----------
Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L. Contour-enhanced meta-analysis funnel
plots help distinguish publication bias from other causes of asymmetry. *J Clin Epidemiol*
2008;61(10):991–996.
IntHout J, Ioannidis JPA, Rovers MM, Goeman JJ. Plea for routinely presenting prediction
intervals in meta-analysis. *BMJ Open* 2016;6:e010247.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
from scipy import stats

from lowdose.charts import render
from lowdose.meta.effects import RATIO_MEASURES
from lowdose.meta.model import MetaResult

__all__ = ["cumulative_forest_spec", "forest_spec", "funnel_spec", "to_png"]


def _tf(measure: str) -> Callable[[float], float]:
    if measure in RATIO_MEASURES:
        return math.exp
    return lambda x: x


def _data(values: list[dict[str, Any]]) -> Any:
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _axis(measure: str, label: str | None) -> alt.X:
    title = label or (f"{measure} (ratio scale)" if measure in RATIO_MEASURES else measure)
    scale = alt.Scale(type="log") if measure in RATIO_MEASURES else alt.Scale(zero=False)
    return alt.X("low:Q", title=title, scale=scale)


def _null(measure: str) -> float:
    return 1.0 if measure in RATIO_MEASURES else 0.0


def _rows_chart(rows: list[dict[str, Any]], measure: str, label: str | None, title: str) -> Any:
    order = [r["label"] for r in rows]
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    data = _data(rows)
    base = alt.Chart(data)
    ci = base.mark_rule().encode(x=_axis(measure, label), x2="high:Q", y=y)
    point = base.mark_point(filled=True).encode(
        x=alt.X("est:Q"),
        y=y,
        shape=alt.Shape(
            "kind:N",
            legend=None,
            scale=alt.Scale(
                domain=["study", "summary", "prediction"], range=["square", "diamond", "stroke"]
            ),
        ),
        size=alt.Size("size:Q", legend=None, scale=alt.Scale(range=[30, 400])),
        color=alt.Color(
            "kind:N",
            legend=None,
            scale=alt.Scale(
                domain=["study", "summary", "prediction"], range=["#333333", "#b2182b", "#b2182b"]
            ),
        ),
        tooltip=[
            alt.Tooltip("label:N"),
            alt.Tooltip("est:Q", format=".3f"),
            alt.Tooltip("low:Q", format=".3f"),
            alt.Tooltip("high:Q", format=".3f"),
            alt.Tooltip("weight:Q", format=".1f", title="weight %"),
        ],
    )
    null = (
        alt.Chart(_data([{"x": _null(measure)}]))
        .mark_rule(strokeDash=[4, 4], color="#888888")
        .encode(x="x:Q")
    )
    chart = alt.layer(null, ci, point).properties(
        title=title, width=420, height=max(120, 22 * len(rows))
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def forest_spec(
    res: MetaResult, *, title: str | None = None, xlabel: str | None = None
) -> dict[str, Any]:
    """Forest plot: each study's estimate and CI (square ∝ weight), the pooled diamond with
    its CI, and the prediction interval as its own row."""
    f = _tf(res.measure)
    z = float(stats.norm.ppf(0.5 + res.level / 2))
    rows: list[dict[str, Any]] = []
    for i in range(res.k):
        se = math.sqrt(res.vi[i])
        year = f" ({res.year[i]})" if res.year[i] else ""
        rows.append(
            {
                "label": f"{res.study[i]}{year}",
                "est": f(res.yi[i]),
                "low": f(res.yi[i] - z * se),
                "high": f(res.yi[i] + z * se),
                "weight": res.weights[i],
                "size": res.weights[i],
                "kind": "study",
            }
        )
    model = "Fixed effect" if res.method == "FE" else f"Random effects ({res.method})"
    rows.append(
        {
            "label": f"{model}, k={res.k}",
            "est": f(res.estimate),
            "low": f(res.ci_low),
            "high": f(res.ci_high),
            "weight": 100.0,
            "size": 100.0,
            "kind": "summary",
        }
    )
    if res.method != "FE" and res.k > 1:
        rows.append(
            {
                "label": f"Prediction interval ({res.level:.0%})",
                "est": f(res.estimate),
                "low": f(res.pi_low),
                "high": f(res.pi_high),
                "weight": 0.0,
                "size": 0.0,
                "kind": "prediction",
            }
        )
    return dict(_rows_chart(rows, res.measure, xlabel, title or "Forest plot"))


def cumulative_forest_spec(
    steps: Sequence[MetaResult], *, title: str | None = None, xlabel: str | None = None
) -> dict[str, Any]:
    """Cumulative forest plot: the pooled estimate and CI after each added study."""
    if not steps:
        return dict(_rows_chart([], "GEN", xlabel, title or "Cumulative meta-analysis"))
    f = _tf(steps[0].measure)
    rows = []
    for step in steps:
        year = f" ({step.year[-1]})" if step.year[-1] else ""
        rows.append(
            {
                "label": f"+ {step.study[-1]}{year}",
                "est": f(step.estimate),
                "low": f(step.ci_low),
                "high": f(step.ci_high),
                "weight": float(step.k),
                "size": 60.0,
                "kind": "summary",
            }
        )
    return dict(_rows_chart(rows, steps[0].measure, xlabel, title or "Cumulative meta-analysis"))


def funnel_spec(
    res: MetaResult,
    *,
    levels: Sequence[float] = (0.90, 0.95, 0.99),
    title: str | None = None,
) -> dict[str, Any]:
    """Contour-enhanced funnel plot (Peters et al. 2008).

    Shaded regions are where a study would be *non*-significant at each two-sided level
    around the null (effect ``0``, or ratio ``1``); studies are plotted as effect (log scale
    for ratios) against standard error, with the y axis reversed, and the pooled estimate as
    a vertical line.
    """
    ses = [math.sqrt(v) for v in res.vi]
    top = max(ses) * 1.1
    steps = 40
    bands = []
    for level in sorted(levels, reverse=True):
        zq = float(stats.norm.ppf(0.5 + level / 2))
        for j in range(steps + 1):
            se = top * j / steps
            bands.append({"se": se, "lo": -zq * se, "hi": zq * se, "level": f"p > {1 - level:.2f}"})
    band_chart = (
        alt.Chart(_data(bands))
        .mark_area(orient="horizontal", opacity=0.35)
        .encode(
            y=alt.Y("se:Q", scale=alt.Scale(reverse=True, domain=[0, top]), title="Standard error"),
            x=alt.X(
                "lo:Q",
                title=(f"log {res.measure}" if res.measure in RATIO_MEASURES else res.measure),
            ),
            x2="hi:Q",
            color=alt.Color(
                "level:N", title="Non-significant region", scale=alt.Scale(scheme="greys")
            ),
        )
    )
    pts = [{"y": y, "se": s, "study": st} for y, s, st in zip(res.yi, ses, res.study, strict=True)]
    points = (
        alt.Chart(_data(pts))
        .mark_point(filled=True, color="#b2182b")
        .encode(x="y:Q", y="se:Q", tooltip=["study:N", alt.Tooltip("y:Q", format=".3f")])
    )
    line = alt.Chart(_data([{"x": res.estimate}])).mark_rule(color="#b2182b").encode(x="x:Q")
    chart = alt.layer(band_chart, points, line).properties(
        title=title or "Contour-enhanced funnel plot", width=420, height=320
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def to_png(spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
    """Render a spec to PNG bytes offline (vl-convert bundles the Vega runtime).

    Needs the ``charts`` extra: see :func:`lowdose.charts.render`.
    """
    return render(spec, "png", scale=scale)
