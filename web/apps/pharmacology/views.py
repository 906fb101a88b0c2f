"""The patient-facing "How LDN works" page: a regimen's curves, metrics and plain reading.

Open to everyone, logged in or not (a person considering LDN should be able to read it). No
patient data goes in or comes out, so nothing is audited; the computation depends only on
(dose, time, comparison) and is memoised per process (:func:`page_numbers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.pharmacology.forms import (
    COMPARE_MG,
    DOSE_HELP,
    MAX_DOSE,
    MIN_DOSE,
    TIMES,
    form_from_query,
)
from lowdose.explain.regimen import SOURCES, Explanation, RegimenExplainer, hours_text, percent_text
from lowdose.pk import charts
from lowdose.pk.assumptions import OCCUPANCY_LABEL
from lowdose.pk.mechanisms import TLR4_LITERATURE, ReboundResult, tlr4_exposure
from lowdose.pk.regimen import RegimenMetrics

TEMPLATE = "pharmacology/how_ldn_works.html"
SOURCE_NUMBERS = {key: i for i, key in enumerate(SOURCES, start=1)}


@dataclass(frozen=True)
class PageNumbers:
    """What the page shows for one (dose, time, comparison); plain data for the template."""

    explanation: Explanation
    lines: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    hypotheses: list[dict[str, Any]]
    tlr4_ladder: list[dict[str, str]]
    specs: dict[str, dict[str, Any]]


def _fit(spec: dict[str, Any]) -> dict[str, Any]:
    # Phone first: the chart takes its container's width and puts legends underneath. The
    # long "model estimate" subtitle would be clipped on a phone; each chart's caption on the
    # page says it instead.
    legend = {"orient": "bottom", "direction": "vertical"}
    out = {**spec, "width": "container", "config": {"legend": legend}}
    title = out.get("title")
    if isinstance(title, dict) and title.get("subtitle") == OCCUPANCY_LABEL:
        out["title"] = title["text"]
    return out


def _pct(m: RegimenMetrics | None, key: str) -> str:
    return "—" if m is None else percent_text(m.values[key])


def _hours(m: RegimenMetrics | None, key: str) -> str:
    return "—" if m is None else hours_text(m.values[key], m.regimen.interval_h)


def _window(m: RegimenMetrics | None) -> str:
    if m is None:
        return "—"
    block = m.block()["unblocked"]
    if not block["hours"]:
        return "none"
    return (
        f"{hours_text(block['hours'], m.regimen.interval_h)} a day; longest "
        f"{block['longest_h']:.1f} h from {block['longest_start_clock']}"
    )


def _steady(m: RegimenMetrics | None) -> str:
    return "—" if m is None else f"{m.time_to_steady_state_h / 24:g} days"


def _conc(m: RegimenMetrics | None, key: str) -> str:
    return "—" if m is None else f"{m.values[key]:.3g} ng/mL"


def metric_rows(chosen: RegimenMetrics, ref: RegimenMetrics | None) -> list[dict[str, Any]]:
    """The regimen metrics table: label, the chosen regimen's value, the comparison's."""
    rows: list[tuple[str, Any]] = [
        ("μ receptors blocked at the peak", lambda m: _pct(m, "occupancy.mu.peak")),
        ("μ receptors blocked at the trough", lambda m: _pct(m, "occupancy.mu.trough")),
        ("Hours a day with μ above 25%", lambda m: _hours(m, "occupancy.mu.hours_above_25")),
        ("Hours a day with μ above 50%", lambda m: _hours(m, "occupancy.mu.hours_above_50")),
        ("Hours a day with μ above 90%", lambda m: _hours(m, "occupancy.mu.hours_above_90")),
        ("Unblocked window (μ below 25%)", _window),
        (
            "κ peak / trough",
            lambda m: f"{_pct(m, 'occupancy.kappa.peak')} / {_pct(m, 'occupancy.kappa.trough')}",
        ),
        (
            "δ peak / trough",
            lambda m: f"{_pct(m, 'occupancy.delta.peak')} / {_pct(m, 'occupancy.delta.trough')}",
        ),
        ("Time to steady state", _steady),
        ("Naltrexone peak in blood", lambda m: _conc(m, "naltrexone.cmax_ng_ml")),
        ("6β-naltrexol peak in blood", lambda m: _conc(m, "naltrexol.cmax_ng_ml")),
    ]
    return [
        {"label": label, "chosen": fmt(chosen), "reference": None if ref is None else fmt(ref)}
        for label, fmt in rows
    ]


def _rebound_series(e: Explanation, *, short: bool = False) -> list[tuple[str, ReboundResult]]:
    dose = f"{e.chosen.regimen.dose_mg} mg"
    model, brief = (
        ("model", "brief block")
        if short
        else (
            "the model's occupancy curve",
            "if the blockade were brief",
        )
    )
    rows: list[tuple[str, ReboundResult]] = [
        (f"{dose}, {model}", e.rebound_fitted),
        (f"{dose}, {brief}", e.rebound_brief),
    ]
    if e.rebound_reference is not None:
        ref = e.rebound_reference.regimen.dose_mg
        rows.append((f"{ref} mg, {model}", e.rebound_reference))
    return rows


def _hypotheses(e: Explanation) -> list[dict[str, Any]]:
    rows = _rebound_series(e)
    return [
        {
            "what": what,
            "tone": f"{r.mean_net_tone:.2f}×",
            "hours": hours_text(r.hours_above_baseline),
        }
        for what, r in rows
    ]


#: TLR4 potencies (IC50, µM) to set beside the dose: the decades the literature spans, from the
#: sub-nanomolar glial-culture effects to the > 200 µM of human blood cells (TLR4_LITERATURE).
TLR4_LADDER_UM = (0.001, 0.01, 0.1, 1.0, 10.0)


def _potency(ic50_um: float) -> str:
    return f"{ic50_um * 1000:g} nM" if ic50_um < 1 else f"{ic50_um:g} µM"


def tlr4_ladder(dose: Decimal) -> list[dict[str, str]]:
    """Share of TLR4 blocked at the peak and over the day for each potency (hypothesis)."""
    rows = []
    for ic50 in TLR4_LADDER_UM:
        r = tlr4_exposure(dose, ic50_um=ic50)
        rows.append(
            {
                "potency": _potency(ic50),
                "peak": _share(r.inhibition_at_peak),
                "average": _share(r.inhibition_average),
            }
        )
    return rows


def _share(fraction: float) -> str:
    # two significant figures: the point is the order of magnitude (0.36% vs 36%)
    return f"{float(f'{fraction * 100:.2g}'):g}%"


@lru_cache(maxsize=32)  # why: ~0.3 MB of chart data per entry
def page_numbers(dose: Decimal, time_key: str, compare: bool) -> PageNumbers:
    """Everything computed for the page (about 0.3 s; memoised: no patient data involved)."""
    at = TIMES[time_key]
    compare_mg = COMPARE_MG if compare and dose != COMPARE_MG else None
    e = RegimenExplainer(dose, at=at, compare_mg=compare_mg).fit()
    everything = ("mu", "kappa", "delta")
    specs = {
        "occ24": charts.occupancy_chart(
            dose, at=at, compare_mg=compare_mg, span="24h", receptors=everything
        ),
        "occ7": charts.occupancy_chart(
            dose, at=at, compare_mg=compare_mg, span="7d", receptors=everything
        ),
        "clock": charts.clock_chart(dose),
        "conc": charts.concentration_chart(dose, at=at, compare_mg=compare_mg, span="24h"),
        "rebound": charts.rebound_chart(_rebound_series(e, short=True)),
    }
    lines = [
        {
            "kind": line.kind,
            "text": line.text,
            "cites": [(SOURCE_NUMBERS[key], key) for key in line.sources],
        }
        for line in e.lines
    ]
    return PageNumbers(
        explanation=e,
        lines=lines,
        metrics=metric_rows(e.chosen, e.reference),
        hypotheses=_hypotheses(e),
        tlr4_ladder=tlr4_ladder(dose),
        specs={k: _fit(v) for k, v in specs.items()},
    )


@never_cache
@require_GET
def how_ldn_works(request: HttpRequest) -> HttpResponse:
    form = form_from_query(request.GET)
    context: dict[str, Any] = {
        "form": form,
        "min_dose": MIN_DOSE,
        "dose_help": DOSE_HELP,
        "max_dose": MAX_DOSE,
        "sources": [(SOURCE_NUMBERS[k], k, text) for k, text in SOURCES.items()],
        "tlr4_literature": TLR4_LITERATURE,
        "cite": SOURCE_NUMBERS,
    }
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    data = form.cleaned_data
    context["numbers"] = page_numbers(data["dose"], data["time"], data["compare"] == "50")
    context["dose"] = data["dose"]
    context["compare"] = data["compare"] == "50" and data["dose"] != COMPARE_MG
    return render(request, TEMPLATE, context)
