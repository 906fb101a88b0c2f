"""The check-in chart is a valid Vega-Lite specification carrying the diary's numbers."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import altair as alt
from altair.utils.schemapi import validate_jsonschema

from lowdose.charts import render
from lowdose.diary import summarize
from lowdose.diary.charts import checkin_chart
from lowdose.diary.demo import DEMO_PROFILES, generate_diary

END = date(2026, 5, 31)


def _summary():  # type: ignore[no-untyped-def]
    diary = generate_diary(DEMO_PROFILES["patient"], end=END, tz=ZoneInfo("Europe/London"))
    return summarize(diary, today=END)


def test_the_chart_validates_against_the_vega_lite_schema_altair_targets() -> None:
    summary = _summary()
    spec = checkin_chart(summary.days, summary.dose_steps, baseline=summary.baseline)
    validate_jsonschema(spec, alt.vegalite.v6.schema.core.load_schema())
    assert spec["$schema"].endswith(f"{alt.SCHEMA_VERSION}.json")


def test_the_chart_carries_every_daily_mean_dose_step_missed_day_and_baseline() -> None:
    summary = _summary()
    spec = checkin_chart(summary.days, summary.dose_steps, baseline=summary.baseline)
    data = spec["datasets"]
    assert [r["value"] for r in data["scores_pain"]] == [round(d.pain, 2) for d in summary.days]
    assert [r["label"] for r in data["dose_steps"]] == [
        "1.5 mg",
        "2 mg",
        "2.5 mg",
        "3 mg",
        "3.5 mg",
        "4 mg",
        "4.5 mg",
    ]
    assert [r["day"] for r in data["missed_doses"]] == [d.isoformat() for d in summary.missed_days]
    assert data["baseline_pain"][0]["value"] == summary.baseline["pain"]  # type: ignore[index]
    # The dose line: every step, then held to the last day with a check-in.
    assert [(r["day"], r["dose"]) for r in data["dose_line"]] == [
        *((s.day.isoformat(), float(s.dose_mg)) for s in summary.dose_steps),
        (summary.days[-1].day.isoformat(), 4.5),
    ]


def _marks(node: object) -> list[str]:
    if isinstance(node, dict):
        mark = node.get("mark")
        own = [] if mark is None else [mark if isinstance(mark, str) else mark["type"]]
        return own + [m for v in node.values() for m in _marks(v)]
    if isinstance(node, list):
        return [m for v in node for m in _marks(v)]
    return []


def test_doses_are_a_step_line_so_no_label_can_collide_on_a_phone() -> None:
    summary = _summary()
    spec = checkin_chart(summary.days, summary.dose_steps, width=300)
    assert "text" not in _marks(spec)  # the "1.5 mg2 mg 2.5 mg" collision of weekly labels
    dose = spec["vconcat"][0]
    assert dose["title"]["text"] == "Dose taken (mg)"
    assert dose["layer"][0]["mark"]["interpolate"] == "step-after"
    # and no dose panel for a diary without doses
    before = checkin_chart(summary.days[:5], [], width=300)
    assert before["vconcat"][0]["title"]["text"].startswith("Pain")


def test_a_cached_layout_never_leaks_one_patients_rows_into_anothers_chart() -> None:
    summary = _summary()
    first = checkin_chart(summary.days, summary.dose_steps, baseline=summary.baseline)
    first["datasets"]["scores_pain"].clear()
    first["vconcat"][0]["title"]["text"] = "tampered"
    second = checkin_chart(summary.days[:3], summary.dose_steps, baseline=summary.baseline)
    assert len(second["datasets"]["scores_pain"]) == 3
    assert second["vconcat"][0]["title"]["text"] != "tampered"


def test_the_same_spec_renders_to_png_for_reports() -> None:
    summary = _summary()
    png = render(checkin_chart(summary.days, summary.dose_steps, width=600), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
