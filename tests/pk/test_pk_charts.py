"""Chart specs and plain-data curves for the web view (fast, labelled, regimen vs 50 mg)."""

from __future__ import annotations

from datetime import time as clock
from decimal import Decimal

import pytest

from lowdose.pk import PkInputError
from lowdose.pk.assumptions import OCCUPANCY_LABEL
from lowdose.pk.charts import concentration_chart, curves, occupancy_chart


def test_curves_compare_with_50mg_at_the_same_clock_time() -> None:
    rows = curves(Decimal("4.5"), at=clock(21, 0), span="24h", step_h=1.0)
    labels = {r["regimen"] for r in rows}
    assert labels == {"4.5 mg", "50 mg"}
    first = rows[0]
    assert first["t_h"] == 0.0
    assert first["clock"] == "21:00"
    assert rows[1]["clock"] == "22:00"
    ldn = [r["mu"] for r in rows if r["regimen"] == "4.5 mg"]
    full = [r["mu"] for r in rows if r["regimen"] == "50 mg"]
    assert len(ldn) == 25
    assert max(ldn) < min(full)


def test_seven_day_span_starts_at_zero_and_builds_up() -> None:
    rows = curves(Decimal("3"), compare_mg=None, span="7d", step_h=1.0)
    assert rows[0]["mu"] == 0.0
    troughs = [r["mu"] for r in rows if r["t_h"] in (24.0, 48.0, 144.0)]
    assert troughs[0] < troughs[1] < troughs[2]  # accumulation in the slow pool


def test_chart_specs_are_vega_lite_with_the_hypothesis_label() -> None:
    # Speed is measured in benchmarks/, never timed in tests.
    spec = occupancy_chart(Decimal("4.5"), span="7d", receptors=("mu", "kappa"))
    conc = concentration_chart(Decimal("4.5"))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert spec["title"]["subtitle"] == OCCUPANCY_LABEL
    assert len(spec["data"]["values"]) == 2 * (7 * 24 + 1)
    assert all(
        v["naltrexone_ng_ml"] is None or v["naltrexone_ng_ml"] > 0 for v in conc["data"]["values"]
    )


def test_unknown_span_is_rejected() -> None:
    with pytest.raises(PkInputError, match="span"):
        curves(Decimal(3), span="1y")  # type: ignore[arg-type]


def test_clock_chart_moves_the_peak_with_the_dosing_time() -> None:
    from lowdose.pk.charts import clock_chart

    spec = clock_chart(Decimal("4.5"))
    rows = spec["data"]["values"]
    by = {}
    for r in rows:
        by.setdefault(r["regimen"], []).append(r)
    assert set(by) == {"4.5 mg at 22:00", "4.5 mg at 08:00"}
    peak_bed = max(by["4.5 mg at 22:00"], key=lambda r: r["mu"])
    peak_am = max(by["4.5 mg at 08:00"], key=lambda r: r["mu"])
    # same height (no circadian terms), 10 h apart on the clock: 00:00-00:15 vs 10:00-10:15
    assert peak_bed["mu"] == pytest.approx(peak_am["mu"], rel=1e-12)
    assert peak_bed["clock_h"] == pytest.approx(0.0, abs=0.26)
    assert peak_am["clock_h"] == pytest.approx(10.0, abs=0.26)
    assert all(0.0 <= r["clock_h"] < 24.0 for r in rows)


def test_rebound_chart_is_labelled_a_hypothesis_and_plots_the_explorer_output() -> None:
    from lowdose.pk.charts import rebound_chart
    from lowdose.pk.mechanisms import rebound

    fitted = rebound(Decimal("4.5"))
    spec = rebound_chart([("4.5 mg", fitted)], every=10)
    assert spec["title"]["subtitle"] == "HYPOTHESIS, not a prediction"
    rows = spec["layer"][0]["data"]["values"]
    assert rows[1]["t_h"] == pytest.approx(fitted.t_h[10])
    assert rows[1]["net_tone"] == fitted.net_tone[10]
    assert spec["layer"][1]["data"]["values"] == [{"y": 1.0}]  # the usual level
    with pytest.raises(PkInputError):
        rebound_chart([("4.5 mg", fitted)], every=0)
