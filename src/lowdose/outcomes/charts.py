"""Vega-Lite chart of an unblinded N-of-1 trial: daily values, periods by arm, period means.

The web pages render the specification with vendored vega-embed; reports and the CLI render it
with :func:`lowdose.charts.render`. Only build it after unblinding: it shows the arms.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lowdose.daily import Diary
from lowdose.outcomes.nof1 import Nof1Result

__all__ = ["nof1_chart_spec"]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


# Longer than 80 lines on purpose: one Vega-Lite literal, its layers read top to bottom as drawn.
def nof1_chart_spec(result: Nof1Result, diary: Diary, *, width: int | str = 720) -> dict[str, Any]:
    """Periods shaded by arm (run-in hatched lighter), daily values as points, period means.

    ``width`` is pixels, or ``"container"`` to fill the element, axes and legend included (a
    phone's 390 px).

    Returns a plain Vega-Lite v5 specification (a dict, JSON-serialisable, data inlined).
    """
    daily = _daily_rows(result, diary)
    periods = _period_rows(result)
    direction = "lower is better" if result.lower_is_better else "higher is better"
    y_title = f"{result.outcome} (0-10, {direction})"
    spec: dict[str, Any] = {
        "$schema": _SCHEMA,
        "title": f"N-of-1 trial: daily {result.outcome} by period",
        "width": width,
        "height": 260,
        "layer": [
            *_period_layers(periods),
            {
                "data": {"values": daily},
                "mark": {"type": "point", "filled": True, "size": 14, "color": "#333"},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "scale": {"domain": [0, 10]},
                        "title": y_title,
                    },
                },
            },
            {
                "data": {"values": [p for p in periods if p["mean"] is not None]},
                "mark": {"type": "rule", "strokeWidth": 3},
                "encoding": {
                    "x": {"field": "analysis_start", "type": "temporal"},
                    "x2": {"field": "end"},
                    "y": {"field": "mean", "type": "quantitative"},
                    "color": {"field": "arm", "type": "nominal"},
                },
            },
        ],
    }
    if width == "container":
        spec["autosize"] = {"type": "fit", "contains": "padding"}
    return spec


def _daily_rows(result: Nof1Result, diary: Diary) -> list[dict[str, Any]]:
    """The diary's ratings of the trial's outcome from its first to its last day."""
    first = min(p.start for p in result.periods)
    last = max(p.end for p in result.periods)
    return [
        {"date": d.isoformat(), "value": v}
        for d, v in zip(diary.dates, diary.values[result.outcome], strict=True)
        if first <= d <= last and v == v  # v == v drops NaN (a missing rating)
    ]


def _period_rows(result: Nof1Result) -> list[dict[str, Any]]:
    """One row per period: arm, kit, cycle, dates (``end`` exclusive) and its mean."""
    return [
        {
            "arm": p.arm,
            "kit": p.kit,
            "cycle": p.cycle,
            "start": p.start.isoformat(),
            "analysis_start": p.analysis_start.isoformat(),
            "end": _next_day(p.end),
            "mean": p.mean,
        }
        for p in result.periods
    ]


def _period_layers(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The periods shaded by arm: the run-in lighter, the analysed days with a tooltip."""
    return [
        {
            "data": {"values": periods},
            "mark": {"type": "rect", "opacity": 0.12},
            "encoding": {
                "x": {"field": "start", "type": "temporal", "title": None},
                "x2": {"field": "analysis_start"},
                "color": {"field": "arm", "type": "nominal", "title": "arm"},
            },
        },
        {
            "data": {"values": periods},
            "mark": {"type": "rect", "opacity": 0.3},
            "encoding": {
                "x": {"field": "analysis_start", "type": "temporal"},
                "x2": {"field": "end"},
                "color": {"field": "arm", "type": "nominal"},
                "tooltip": [
                    {"field": "kit"},
                    {"field": "arm"},
                    {"field": "cycle"},
                    {"field": "mean", "format": ".2f"},
                ],
            },
        },
    ]


def _next_day(day: date) -> str:
    return date.fromordinal(day.toordinal() + 1).isoformat()
