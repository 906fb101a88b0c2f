"""The check-in chart: four daily scores over time, dose steps and missed doses marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

from lowdose.diary.checkin import SCALES
from lowdose.diary.summary import DailyScores, DoseStep

__all__ = ["checkin_chart"]


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


_COLOURS = {"pain": "#c0392b", "fatigue": "#8e44ad", "sleep": "#2471a3", "mood": "#229954"}


def checkin_chart(
    days: Sequence[DailyScores],
    dose_steps: Sequence[DoseStep],
    *,
    width: int | str = "container",
    height: int = 260,
) -> dict[str, Any]:
    """A Vega-Lite specification (dict) of the daily scores with dose steps and missed doses.

    Scores are daily means on 0–10 scales; the legend says which direction is better for each.
    """
    labels = {
        s.name: f"{s.label} ({'higher' if s.higher_is_better else 'lower'} is better)"
        for s in SCALES
    }
    scores = [
        {"day": row.day.isoformat(), "scale": labels[s.name], "value": round(row.score(s.name), 2)}
        for row in days
        for s in SCALES
    ]
    steps = [
        {"day": step.day.isoformat(), "label": f"{step.dose_mg.normalize():f} mg"}
        for step in dose_steps
    ]
    missed = [
        {"day": row.day.isoformat(), "what": "missed dose"} for row in days if row.dose_missed
    ]
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b"))
    lines = (
        alt.Chart(_data(scores))
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=1.8)
        .encode(
            x=x,
            y=alt.Y("value:Q", title="Score (0–10)", scale=alt.Scale(domain=[0, 10.8])),
            color=alt.Color(
                "scale:N",
                title=None,
                scale=alt.Scale(
                    domain=[labels[s.name] for s in SCALES],
                    range=[_COLOURS[s.name] for s in SCALES],
                ),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b %Y"), "scale:N", "value:Q"],
        )
    )
    layers: list[alt.Chart] = [lines]
    if steps:
        step_data = _data(steps)
        layers.append(
            alt.Chart(step_data)
            .mark_rule(color="#555", strokeDash=[4, 3])
            .encode(x="day:T", tooltip=[alt.Tooltip("day:T", title="dose change"), "label:N"])
        )
        layers.append(
            alt.Chart(step_data)
            .mark_text(align="left", dx=3, dy=-2, fontSize=10, color="#333")
            .encode(x="day:T", y=alt.datum(10.6), text="label:N")
        )
    if missed:
        layers.append(
            alt.Chart(_data(missed))
            .mark_point(shape="cross", color="#e67e22", size=60, filled=True)
            .encode(x="day:T", y=alt.datum(0.2), tooltip=[alt.Tooltip("day:T"), "what:N"])
        )
    chart = alt.layer(*layers).properties(width=width, height=height)
    spec: dict[str, Any] = chart.to_dict()
    spec["description"] = (
        "Daily check-in scores with dose steps (dashed lines) and missed doses (×)."
    )
    return spec
