"""The clinician's chart of the periods is a valid, data-complete Vega-Lite spec."""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal

from lowdose.outcomes.charts import nof1_chart_spec
from lowdose.outcomes.design import Nof1Design
from lowdose.outcomes.nof1 import Nof1Analysis
from lowdose.outcomes.simulate import simulate_diary


def _washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
    return 48.0  # stated stub: 2 days


def test_spec_has_every_day_every_period_and_the_period_means() -> None:
    plan = Nof1Design(
        ["placebo", "4.5"], start=date(2026, 1, 5), rng=random.Random(9), washout=_washout
    ).fit()
    diary = simulate_diary(plan, effect=-1.0, sd=1.0, ar1=0.3, seed=2)
    result = Nof1Analysis(diary, plan).fit()
    spec = nof1_chart_spec(result, diary)
    json.dumps(spec, allow_nan=False)  # JSON-serialisable, no NaN
    bands, analysed, points, means = spec["layer"]
    assert len(points["data"]["values"]) == 6 * 28
    assert len(bands["data"]["values"]) == 6
    assert [m["mean"] for m in means["data"]["values"]] == [p.mean for p in result.periods]
    assert {b["arm"] for b in analysed["data"]["values"]} == {"placebo", "4.5 mg"}
    assert points["encoding"]["y"]["scale"]["domain"] == [0, 10]


def test_a_container_wide_chart_fits_its_element_axes_included() -> None:
    """On a 390 px phone the page must not scroll sideways: the whole chart fits its element."""
    plan = Nof1Design(
        ["placebo", "4.5"], start=date(2026, 1, 5), rng=random.Random(9), washout=_washout
    ).fit()
    diary = simulate_diary(plan, effect=-1.0, sd=1.0, ar1=0.3, seed=2)
    result = Nof1Analysis(diary, plan).fit()
    fixed = nof1_chart_spec(result, diary)
    assert (fixed["width"], "autosize" in fixed) == (720, False)
    phone = nof1_chart_spec(result, diary, width="container")
    assert phone["width"] == "container"
    assert phone["autosize"] == {"type": "fit", "contains": "padding"}
