"""Plain-data curves and Altair/Vega-Lite chart specifications for the web and the CLI.

:func:`curves` returns rows (plain dicts) a view can serialise; :func:`occupancy_chart` and
:func:`concentration_chart` return Vega-Lite dicts (render in the browser with vega-embed, or
to PNG/SVG with :func:`lowdose.charts.render`). Both spans are computed in a few ms.

Spans: ``"24h"`` is one dosing interval at steady state (the dose taken every day for 14
days; time 0 = the last dose); ``"7d"`` is the first seven days from the first dose.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from decimal import Decimal
from typing import Any, Literal

import altair as alt
import numpy as np

from lowdose.errors import PkInputError
from lowdose.pk.assumptions import OCCUPANCY_LABEL
from lowdose.pk.mechanisms import HYPOTHESIS_LABEL, ReboundResult
from lowdose.pk.parameters import ModelParameters
from lowdose.pk.regimen import BEDTIME, MORNING, Regimen
from lowdose.pk.simulate import simulate_doses

__all__ = [
    "Span",
    "clock_chart",
    "concentration_chart",
    "curves",
    "occupancy_chart",
    "rebound_chart",
    "timecourse_chart",
]

Span = Literal["24h", "7d"]
#: Legend labels: Greek letters for the receptor keys (Vega expression, no eval needed).
_RECEPTOR_LABELS = (
    "datum.label == 'mu' ? 'μ' : datum.label == 'kappa' ? 'κ' : datum.label == 'delta' ? 'δ' "
    ": datum.label"
)
_STEADY_DAYS = 14  # why: ≥ 5 half-lives of the slowest process (22 h pool): within 1% of ss


def _regimen_rows(
    dose_mg: Decimal,
    at: time,
    span: Span,
    step_h: float,
    label: str,
    params: ModelParameters | None,
) -> list[dict[str, Any]]:
    if span == "24h":
        reg = Regimen(dose_mg, at, days=_STEADY_DAYS)
        doses = reg.dose_times_h()
        start = float(doses[-1])
        length = reg.interval_h
    elif span == "7d":
        reg = Regimen(dose_mg, at, days=7)
        doses = reg.dose_times_h()
        start = float(doses[0])
        length = 7 * 24.0
    else:
        raise PkInputError(f"span {span!r} is unknown; use '24h' or '7d'", field="span")
    t = start + np.arange(0.0, length + 1e-9, step_h)
    sim = simulate_doses([(float(d), dose_mg) for d in doses], t, params=params)
    rows = []
    for i, ti in enumerate(t):
        minutes = round(float(np.mod(ti, 24.0)) * 60) % (24 * 60)
        rows.append(
            {
                "regimen": label,
                "t_h": round(float(ti - start), 6),
                "clock": f"{minutes // 60:02d}:{minutes % 60:02d}",
                "naltrexone_ng_ml": float(sim.naltrexone_ng_ml[i]),
                "naltrexol_ng_ml": float(sim.naltrexol_ng_ml[i]),
                "mu": float(sim.occupancy["mu"][i]),
                "kappa": float(sim.occupancy["kappa"][i]),
                "delta": float(sim.occupancy["delta"][i]),
            }
        )
    return rows


def curves(
    dose_mg: Decimal,
    *,
    at: time = BEDTIME,
    compare_mg: Decimal | None = Decimal(50),
    span: Span = "24h",
    step_h: float = 0.25,
    params: ModelParameters | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{regimen, t_h, clock, naltrexone_ng_ml, naltrexol_ng_ml, mu, kappa, delta}``.

    The comparison regimen (default 50 mg) is taken at the same clock time.
    """
    if not 0.01 <= step_h <= 6:
        raise PkInputError("step_h must be 0.01-6 h", field="step_h")
    rows = _regimen_rows(dose_mg, at, span, step_h, f"{dose_mg} mg", params)
    if compare_mg is not None:
        rows += _regimen_rows(compare_mg, at, span, step_h, f"{compare_mg} mg", params)
    return rows


def _step(span: Span) -> float:
    return 0.25 if span == "24h" else 1.0


def _with_rows(chart: alt.Chart, rows: list[dict[str, Any]]) -> dict[str, Any]:
    # why: Altair walks inline data in to_dict() (0.5 s for 1,300 rows); insert it afterwards
    spec = dict(chart.to_dict(validate=False))
    spec["data"] = {"values": rows}
    return spec


def _title(span: Span) -> str:
    return (
        "One day at steady state (hours after the daily dose)"
        if span == "24h"
        else "First seven days (hours after the first dose)"
    )


def occupancy_chart(
    dose_mg: Decimal,
    *,
    at: time = BEDTIME,
    compare_mg: Decimal | None = Decimal(50),
    span: Span = "24h",
    receptors: tuple[str, ...] = ("mu",),
    params: ModelParameters | None = None,
) -> dict[str, Any]:
    """Vega-Lite spec: receptor occupancy (%) against time, regimen vs comparison."""
    rows = curves(
        dose_mg, at=at, compare_mg=compare_mg, span=span, step_h=_step(span), params=params
    )
    chart = (
        alt.Chart(alt.Data(values=[]))  # type: ignore[no-untyped-call]
        .transform_fold(list(receptors), as_=["receptor", "occupancy"])
        .mark_line()
        .encode(
            x=alt.X("t_h:Q", title=_title(span)),
            y=alt.Y(
                "occupancy:Q",
                title="Receptors occupied",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("regimen:N", title="Daily dose"),
            strokeDash=alt.StrokeDash(
                "receptor:N",
                title="Receptor",
                legend=alt.Legend(labelExpr=_RECEPTOR_LABELS),
            ),
            tooltip=[
                "regimen:N",
                "receptor:N",
                "clock:N",
                alt.Tooltip("occupancy:Q", format=".0%"),
            ],
        )
        .properties(
            width=520,
            height=260,
            title=alt.Title("Brain opioid-receptor occupancy", subtitle=OCCUPANCY_LABEL),
        )
    )
    return _with_rows(chart, rows)


def concentration_chart(
    dose_mg: Decimal,
    *,
    at: time = BEDTIME,
    compare_mg: Decimal | None = Decimal(50),
    span: Span = "24h",
    params: ModelParameters | None = None,
) -> dict[str, Any]:
    """Vega-Lite spec: plasma naltrexone and 6β-naltrexol (ng/mL, log scale) against time."""
    rows = curves(
        dose_mg, at=at, compare_mg=compare_mg, span=span, step_h=_step(span), params=params
    )
    for r in rows:  # a log scale cannot show 0 (before the first dose)
        for k in ("naltrexone_ng_ml", "naltrexol_ng_ml"):
            r[k] = r[k] if r[k] > 1e-6 else None
    chart = (
        alt.Chart(alt.Data(values=[]))  # type: ignore[no-untyped-call]
        .transform_fold(["naltrexone_ng_ml", "naltrexol_ng_ml"], as_=["substance", "conc"])
        .mark_line()
        .encode(
            x=alt.X("t_h:Q", title=_title(span)),
            y=alt.Y("conc:Q", title="Plasma concentration (ng/mL)", scale=alt.Scale(type="log")),
            color=alt.Color("regimen:N", title="Daily dose"),
            strokeDash=alt.StrokeDash(
                "substance:N",
                title="Substance",
                legend=alt.Legend(
                    labelExpr="datum.label == 'naltrexone_ng_ml' ? 'naltrexone' : '6β-naltrexol'"
                ),
            ),
            tooltip=["regimen:N", "substance:N", "clock:N", alt.Tooltip("conc:Q", format=".3g")],
        )
        .properties(width=520, height=260, title="Plasma naltrexone and 6β-naltrexol")
    )
    return _with_rows(chart, rows)


def timecourse_chart(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Vega-Lite spec from CLI-style timecourse rows (``regimen``, ``t_h``, ``mu``...)."""
    chart = (
        alt.Chart(alt.Data(values=[]))  # type: ignore[no-untyped-call]
        .transform_fold(["mu", "kappa", "delta"], as_=["receptor", "occupancy"])
        .mark_line()
        .encode(
            x=alt.X("t_h:Q", title="Hours after the last dose"),
            y=alt.Y(
                "occupancy:Q",
                title="Receptors occupied",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color("receptor:N", title="Receptor"),
            strokeDash=alt.StrokeDash("regimen:N", title="Regimen"),
        )
        .properties(width=520, height=260, title=alt.Title(title, subtitle=OCCUPANCY_LABEL))
    )
    return _with_rows(chart, rows)


def clock_chart(
    dose_mg: Decimal,
    *,
    times: tuple[time, ...] = (BEDTIME, MORNING),
    params: ModelParameters | None = None,
) -> dict[str, Any]:
    """Vega-Lite spec: steady-state μ occupancy against the clock, one line per dosing time.

    The model has no circadian terms, so the curves are the same shape shifted along the
    clock: the chart shows *when* in the day the peak and the trough fall (bedtime vs morning).
    Rows carry ``clock_h`` (0-24, hours since midnight).
    """
    rows: list[dict[str, Any]] = []
    for at in times:
        start = at.hour + at.minute / 60.0
        for r in curves(dose_mg, at=at, compare_mg=None, span="24h", step_h=0.25, params=params):
            r["regimen"] = f"{dose_mg} mg at {at:%H:%M}"
            r["clock_h"] = round((start + r["t_h"]) % 24.0, 6)
            rows.append(r)
    chart = (
        alt.Chart(alt.Data(values=[]))  # type: ignore[no-untyped-call]
        .mark_line()
        .encode(
            x=alt.X(
                "clock_h:Q",
                title="Time of day (hours after midnight)",
                scale=alt.Scale(domain=[0, 24]),
                axis=alt.Axis(values=list(range(0, 25, 3))),
            ),
            y=alt.Y(
                "mu:Q",
                title="μ receptors occupied",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("regimen:N", title="Dose taken"),
            tooltip=["regimen:N", "clock:N", alt.Tooltip("mu:Q", format=".0%")],
        )
        .properties(
            width=520,
            height=220,
            title=alt.Title("Bedtime or morning: the same curve, moved", subtitle=OCCUPANCY_LABEL),
        )
    )
    return _with_rows(chart, rows)


def rebound_chart(
    results: Sequence[tuple[str, ReboundResult]], *, every: int = 5
) -> dict[str, Any]:
    """Vega-Lite spec of the rebound hypothesis: net opioid tone over the last day.

    ``results`` are ``(label, ReboundResult)`` pairs (e.g. the dose with the fitted and with a
    brief blockade, and 50 mg); every ``every``-th grid point is plotted. A rule marks the
    usual level (1). The title carries :data:`~lowdose.pk.mechanisms.HYPOTHESIS_LABEL`'s
    first words: the chart shows a hypothesis, not a prediction.
    """
    if every < 1:
        raise PkInputError("every must be a positive whole number", field="every")
    rows = [
        {"regimen": label, "t_h": t, "net_tone": tone}
        for label, r in results
        for t, tone in list(zip(r.t_h, r.net_tone, strict=True))[::every]
    ]
    lines = (
        alt.Chart(alt.Data(values=[]))  # type: ignore[no-untyped-call]
        .mark_line()
        .encode(
            x=alt.X("t_h:Q", title="Hours after the daily dose (steady state)"),
            y=alt.Y("net_tone:Q", title="Net opioid tone (1 = usual level)"),
            color=alt.Color("regimen:N", title="Regimen"),
            tooltip=["regimen:N", "t_h:Q", alt.Tooltip("net_tone:Q", format=".2f")],
        )
    )
    usual = (
        alt.Chart(alt.Data(values=[{"y": 1.0}]))  # type: ignore[no-untyped-call]
        .mark_rule(strokeDash=[4, 4], color="#666")
        .encode(y="y:Q")
    )
    spec = dict(
        alt.layer(lines, usual)
        .properties(
            width=520,
            height=220,
            title=alt.Title(
                "Rebound theory: net opioid tone", subtitle=HYPOTHESIS_LABEL.split(":")[0]
            ),
        )
        .to_dict(validate=False)
    )
    spec["layer"][0]["data"] = {"values": rows}
    return spec
