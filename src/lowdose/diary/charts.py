"""The check-in chart: the daily scores over time, dose steps and missed doses marked."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from lowdose.daily import DAILY_SCALES, DailyScale, DailyScales, DailyScores, Diary
from lowdose.diary.summary import DoseStep

__all__ = ["checkin_chart"]


_COLOURS = {"pain": "#c0392b", "fatigue": "#8e44ad", "sleep": "#2471a3", "mood": "#229954"}
#: Colours of scales beyond the first four, in turn (Tableau 10: distinct, colour-blind aware).
_MORE_COLOURS = ("#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")
_DESCRIPTION = (
    "The dose taken (a step line, in mg) above the daily check-in scores, one panel per scale, "
    "with dose changes (dashed lines), missed doses (crosses) and the pre-LDN baseline (dotted)."
)


def _label(scale: DailyScale) -> str:
    return f"{scale.label} ({scale.direction})"


def _colour(scales: DailyScales, name: str) -> str:
    if name in _COLOURS:
        return _COLOURS[name]
    extra = [n for n in scales.names if n not in _COLOURS]
    return _MORE_COLOURS[extra.index(name) % len(_MORE_COLOURS)]


def checkin_chart(
    days: Sequence[DailyScores],
    dose_steps: Sequence[DoseStep],
    *,
    width: int | str = "container",
    panel_height: int = 80,
    baseline: Mapping[str, float] | None = None,
    day_first: bool = True,
) -> dict[str, Any]:
    """A Vega-Lite specification (dict): one small panel per scale, dose steps and missed doses.

    The scales are those of ``days`` when it is a :class:`~lowdose.daily.Diary`, else the default.

    Axis dates read "06 Dec" with ``day_first`` (as in the UK), else "Dec 06" (as in the US).

    Each panel plots a scale's daily means (0–10) and says which direction is better; dashed
    vertical lines mark dose changes (labelled on the top panel) and crosses mark missed doses.
    With ``baseline`` (scale name → mean before the first dose), a dotted line marks it.

    The rows travel as top-level ``datasets``; the layout depends only on which layers exist, so
    it is built once per layout and copied (Altair takes about half a second to build it).
    """
    scales = days.scales if isinstance(days, Diary) else DAILY_SCALES
    steps = [
        {
            "day": step.day.isoformat(),
            "dose": float(step.dose_mg),
            "label": f"{step.dose_mg.normalize():f} mg",
        }
        for step in dose_steps
    ]
    last_day = max((r.day for r in days), default=None)
    # The dose line runs on to the last day with a check-in (a step holds until the next).
    line = steps + (
        [{**steps[-1], "day": last_day.isoformat()}]
        if steps and last_day is not None and last_day > dose_steps[-1].day
        else []
    )
    datasets: dict[str, list[dict[str, Any]]] = {
        "dose_steps": steps,
        "dose_line": line,
        "missed_doses": [
            {"day": row.day.isoformat(), "what": "missed dose"} for row in days if row.dose_missed
        ],
    }
    for scale in scales:
        datasets[f"scores_{scale.name}"] = [
            {
                "day": r.day.isoformat(),
                "scale": _label(scale),
                "value": round(r.score(scale.name), 2),
            }
            for r in days
        ]
        if baseline is not None and scale.name in baseline:
            datasets[f"baseline_{scale.name}"] = [
                {"value": baseline[scale.name], "what": "baseline (before LDN)"}
            ]
    spec = copy.deepcopy(
        _layout(
            width,
            panel_height,
            has_steps=bool(datasets["dose_steps"]),
            has_missed=bool(datasets["missed_doses"]),
            scales=scales,
            with_baseline=tuple(s.name for s in scales if f"baseline_{s.name}" in datasets),
            day_first=day_first,
        )
    )
    spec["datasets"] = {name: rows for name, rows in datasets.items() if rows}
    return spec


@functools.lru_cache(maxsize=64)
def _layout(
    width: int | str,
    panel_height: int,
    *,
    has_steps: bool,
    has_missed: bool,
    scales: DailyScales,
    with_baseline: tuple[str, ...],
    day_first: bool = True,
) -> dict[str, Any]:
    axis_format, tip_format = ("%d %b", "%a %d %b %Y") if day_first else ("%b %d", "%a, %b %d, %Y")
    x = alt.X("day:T", title=None, axis=alt.Axis(format=axis_format, labelOverlap=True))
    panels = []
    if has_steps:
        # The dose as a step line with its own axis, not text labels: labels of weekly steps
        # collide on a phone ("1.5 mg2 mg 2.5 mg"); a line never does, and each step's tooltip
        # names its dose.
        panels.append(
            alt.layer(
                alt.Chart(_named("dose_line"))
                .mark_line(interpolate="step-after", color="#555", strokeWidth=1.6)
                .encode(
                    x=x,
                    y=alt.Y(
                        "dose:Q",
                        title=None,
                        scale=alt.Scale(zero=True, nice=False),
                        axis=alt.Axis(tickCount=2, labelExpr="datum.value + ' mg'"),
                    ),
                ),
                alt.Chart(_named("dose_steps"))
                .mark_point(color="#555", filled=True, size=18)
                .encode(
                    x=x,
                    y="dose:Q",
                    tooltip=[alt.Tooltip("day:T", title="dose from", format=tip_format), "label:N"],
                ),
            ).properties(
                width=width,
                height=max(24, panel_height // 2),
                title=alt.Title("Dose taken (mg)", anchor="start", fontSize=12),
            )
        )
    panels += [
        _scale_panel(
            scale,
            _colour(scales, scale.name),
            x,
            tip_format,
            size=(width, panel_height),
            with_baseline=scale.name in with_baseline,
            has_steps=has_steps,
            has_missed=has_missed,
        )
        for scale in scales
    ]
    chart = alt.vconcat(*panels, spacing=14).resolve_scale(x="shared")
    # Validation against the Vega-Lite schema happens in the tests, not on every page view.
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec["description"] = _DESCRIPTION
    return spec


def _named(name: str) -> alt.NamedData:
    return alt.NamedData(name=name)


def _scale_panel(
    scale: DailyScale,
    colour: str,
    x: alt.X,
    tip_format: str,
    *,
    size: tuple[int | str, int],
    with_baseline: bool,
    has_steps: bool,
    has_missed: bool,
) -> alt.LayerChart | alt.FacetChart:
    """One scale's panel: its daily means, with its baseline, dose changes and missed doses."""
    middle = (scale.low + scale.high) / 2
    layers: list[alt.Chart] = [
        alt.Chart(_named(f"scores_{scale.name}"))
        .mark_line(point=alt.OverlayMarkDef(size=14, color=colour), strokeWidth=1.6, color=colour)
        .encode(
            x=x,
            y=alt.Y(
                "value:Q",
                title=None,
                scale=alt.Scale(domain=[scale.low, scale.high]),
                axis=alt.Axis(
                    values=[scale.low, int(middle) if middle.is_integer() else middle, scale.high]
                ),
            ),
            tooltip=[alt.Tooltip("day:T", format=tip_format), "scale:N", "value:Q"],
        )
    ]
    if with_baseline:
        layers.append(
            alt.Chart(_named(f"baseline_{scale.name}"))
            .mark_rule(color=colour, strokeDash=[1, 3], opacity=0.8)
            .encode(y="value:Q", tooltip=["what:N", alt.Tooltip("value:Q", format=".1f")])
        )
    if has_steps:
        layers.append(
            alt.Chart(_named("dose_steps"))
            .mark_rule(color="#555", strokeDash=[4, 3])
            .encode(x="day:T", tooltip=[alt.Tooltip("day:T", title="dose change"), "label:N"])
        )
    if has_missed:
        layers.append(
            alt.Chart(_named("missed_doses"))
            .mark_point(shape="cross", color="#e67e22", size=40, filled=True)
            .encode(x="day:T", y=alt.datum(0.4), tooltip=[alt.Tooltip("day:T"), "what:N"])
        )
    width, height = size
    return alt.layer(*layers).properties(
        width=width,
        height=height,
        title=alt.Title(_label(scale), anchor="start", fontSize=12),
    )
