"""The check-in chart: four daily scores over time, dose steps and missed doses marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    panel_height: int = 80,
    baseline: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """A Vega-Lite specification (dict): one small panel per scale, dose steps and missed doses.

    Each panel plots a scale's daily means (0–10) and says which direction is better; dashed
    vertical lines mark dose changes (labelled on the top panel) and crosses mark missed doses.
    With ``baseline`` (scale name → mean before the first dose), a dotted line marks it.
    """
    steps = [
        {"day": step.day.isoformat(), "label": f"{step.dose_mg.normalize():f} mg"}
        for step in dose_steps
    ]
    missed = [
        {"day": row.day.isoformat(), "what": "missed dose"} for row in days if row.dose_missed
    ]
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b", labelOverlap=True))
    panels = []
    for index, scale in enumerate(SCALES):
        label = f"{scale.label} ({'higher' if scale.higher_is_better else 'lower'} is better)"
        rows = [
            {"day": row.day.isoformat(), "scale": label, "value": round(row.score(scale.name), 2)}
            for row in days
        ]
        layers: list[alt.Chart] = [
            alt.Chart(_data(rows))
            .mark_line(
                point=alt.OverlayMarkDef(size=14), strokeWidth=1.6, color=_COLOURS[scale.name]
            )
            .encode(
                x=x,
                y=alt.Y(
                    "value:Q",
                    title=None,
                    scale=alt.Scale(domain=[0, 10]),
                    axis=alt.Axis(values=[0, 5, 10]),
                ),
                tooltip=[alt.Tooltip("day:T", format="%a %d %b %Y"), "scale:N", "value:Q"],
            )
        ]
        if baseline is not None and scale.name in baseline:
            level = [{"value": baseline[scale.name], "what": "baseline (before LDN)"}]
            layers.append(
                alt.Chart(_data(level))
                .mark_rule(color=_COLOURS[scale.name], strokeDash=[1, 3], opacity=0.8)
                .encode(y="value:Q", tooltip=["what:N", alt.Tooltip("value:Q", format=".1f")])
            )
        if steps:
            layers.append(
                alt.Chart(_data(steps))
                .mark_rule(color="#555", strokeDash=[4, 3])
                .encode(x="day:T", tooltip=[alt.Tooltip("day:T", title="dose change"), "label:N"])
            )
            if index == 0:
                layers.append(
                    alt.Chart(_data(steps))
                    .mark_text(
                        align="left", dx=2, dy=-4, fontSize=9, color="#333", baseline="bottom"
                    )
                    .encode(x="day:T", y=alt.datum(10), text="label:N")
                )
        if missed:
            layers.append(
                alt.Chart(_data(missed))
                .mark_point(shape="cross", color="#e67e22", size=40, filled=True)
                .encode(x="day:T", y=alt.datum(0.4), tooltip=[alt.Tooltip("day:T"), "what:N"])
            )
        panels.append(
            alt.layer(*layers).properties(
                width=width,
                height=panel_height,
                title=alt.Title(label, anchor="start", fontSize=12),
            )
        )
    chart = alt.vconcat(*panels, spacing=14).resolve_scale(x="shared")
    spec: dict[str, Any] = chart.to_dict()
    spec["description"] = (
        "Daily check-in scores, one panel per scale, with dose steps (dashed lines), missed "
        "doses (crosses) and the pre-LDN baseline (dotted)."
    )
    return spec
