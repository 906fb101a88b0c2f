"""Adding a daily item is one entry: a fifth scale runs through the whole pipeline.

A clinic adds "stiffness" (0 = no stiffness, 10 = worst stiffness imaginable; lower is better) to
the set of daily scales. Nothing else changes: the check-in asks for it, the summaries and the CSV
carry it, the response and N-of-1 analyses analyse it, and the chart draws it.
"""

from __future__ import annotations

import csv
import io
import math
import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lowdose.daily import DAILY_SCALES, DailyScale, DailyScales
from lowdose.diary import Checkin, MissingAnswerError, daily_scores, parse_checkin, summarize
from lowdose.diary.charts import checkin_chart
from lowdose.interop.diary_csv import (
    parse_diary,
    read_checkins_csv,
    write_checkins_csv,
    write_diary,
)
from lowdose.outcomes import AnalysisPlan, ResponseAnalysis
from lowdose.outcomes.charts import nof1_chart_spec
from lowdose.outcomes.design import Nof1Design, Nof1Plan
from lowdose.outcomes.nof1 import Nof1Analysis

TZ = ZoneInfo("Europe/London")
START = date(2026, 3, 2)
STIFFNESS = DailyScale(
    "stiffness",
    "Morning stiffness",
    "morning stiffness",
    "no stiffness",
    "worst stiffness imaginable",
    higher_is_better=False,
    question="Your stiffness on waking today",
    source="test item: a clinic's own daily question",
)
SCALES: DailyScales = DAILY_SCALES.with_scale(STIFFNESS)


def _raw(day: date, stiffness: object, dose_mg: str | None) -> dict[str, object]:
    return {
        "client_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"entry:{day}")),
        "recorded_at": datetime.combine(day, time(21, 0), tzinfo=TZ).isoformat(),
        "pain": 5,
        "fatigue": 5,
        "sleep": 5,
        "mood": 5,
        "stiffness": stiffness,
        **({"dose_status": "taken", "dose_mg": dose_mg} if dose_mg else {"dose_status": "none"}),
    }


def _checkins(stiffness_of: dict[date, object], dose_from: date | None) -> list[Checkin]:
    """One check-in a day, parsed as a form or the API would send it."""
    return [
        parse_checkin(
            _raw(day, value, "4.5" if dose_from and day >= dose_from else None),
            now=datetime.combine(day, time(21, 30), tzinfo=TZ),
            tz=TZ,
            scales=SCALES,
        )
        for day, value in stiffness_of.items()
    ]


def _open_label() -> list[Checkin]:
    """21 baseline days at stiffness 7 or 8, then 21 days on 4.5 mg at 3 or 4."""
    days = [START + timedelta(days=k) for k in range(42)]
    return _checkins({d: (7 if k < 21 else 3) + k % 2 for k, d in enumerate(days)}, days[21])


def test_the_default_set_is_unchanged_by_the_extra_one() -> None:
    assert DAILY_SCALES.names == ("pain", "fatigue", "sleep", "mood")
    assert SCALES.names == ("pain", "fatigue", "sleep", "mood", "stiffness")
    assert SCALES["stiffness"].code == ("urn:lowdose:daily-item", "stiffness")
    assert DAILY_SCALES["pain"].code == ("http://loinc.org", "72514-3")


def test_the_check_in_asks_for_the_extra_item() -> None:
    (checkin,) = _checkins({START: 6}, None)
    assert checkin.stiffness == 6
    assert checkin.scores == {"pain": 5, "fatigue": 5, "sleep": 5, "mood": 5, "stiffness": 6}
    with pytest.raises(MissingAnswerError) as missing:
        _checkins({START: ""}, None)
    assert missing.value.field == "stiffness"
    assert "no stiffness" in str(missing.value)


def test_summary_csv_and_chart_carry_the_extra_item() -> None:
    checkins = _open_label()
    summary = summarize(checkins, today=START + timedelta(days=41), scales=SCALES)
    assert summary.baseline is not None
    assert summary.change_from_baseline is not None
    assert summary.baseline["stiffness"] == pytest.approx(7.48, abs=0.01)
    assert summary.change_from_baseline["stiffness"] == pytest.approx(-4.0, abs=0.1)

    stream = io.StringIO()
    write_checkins_csv(checkins, stream, scales=SCALES)
    assert next(csv.reader(io.StringIO(stream.getvalue())))[3:8] == list(SCALES.names)
    back = read_checkins_csv(
        stream.getvalue(),
        now=datetime.combine(START, time(), TZ) + timedelta(days=60),
        tz=TZ,
        scales=SCALES,
    )
    assert back == sorted(checkins, key=lambda c: c.recorded_at)

    diary_csv = io.StringIO()
    write_diary(summary.days, diary_csv)
    assert diary_csv.getvalue().startswith("date,pain,fatigue,sleep,mood,stiffness,dose_mg\r\n")
    diary = parse_diary(diary_csv.getvalue(), scales=SCALES)
    assert diary.values["stiffness"] == summary.days.values["stiffness"]
    assert diary.doses == summary.days.doses

    spec = checkin_chart(summary.days, summary.dose_steps, baseline=summary.baseline)
    assert [r["value"] for r in spec["datasets"]["scores_stiffness"]][:2] == [7, 8]
    titles = [panel.get("title", {}).get("text") for panel in spec["vconcat"]]
    assert "Morning stiffness (lower is better)" in titles


def test_response_analysis_of_the_extra_item() -> None:
    diary = daily_scores(_open_label(), scales=SCALES)
    result = ResponseAnalysis(
        diary, baseline_start=START, baseline_end=START + timedelta(days=20), outcome="stiffness"
    ).fit()
    assert result.lower_is_better is True
    assert result.dose_mg == Decimal("4.5")
    assert result.change == pytest.approx(-4.0, abs=0.1)
    assert result.sentence().startswith("Your morning stiffness over the last")


def _trial_plan() -> Nof1Plan:
    return Nof1Design(
        ["placebo", "4.5"],
        start=START,
        rng=random.Random(5),
        washout=lambda dose_mg, **_: float(dose_mg) * 10.0,
    ).fit()


def test_n_of_1_analysis_of_the_extra_item() -> None:
    plan = _trial_plan()
    stiffness: dict[date, object] = {}
    for period in plan.periods:
        for k in range((period.end - period.start).days + 1):
            day = period.start + timedelta(days=k)
            stiffness[day] = (7 if period.arm == "placebo" else 4) + day.toordinal() % 2
    diary = daily_scores(_checkins(stiffness, None), scales=SCALES)
    analysis_plan = AnalysisPlan(outcome="stiffness", scales=SCALES)
    result = analysis_plan.analyse(diary, plan, locked_fingerprint=analysis_plan.fingerprint())
    (effect,) = result.effects
    assert result.outcome == "stiffness"
    assert result.lower_is_better is True
    assert effect.mean == pytest.approx(-3.0, abs=0.3)
    assert effect.p_better > 0.99
    assert math.isfinite(Nof1Analysis(diary, plan, outcome="stiffness").fit().effects[0].mean)
    spec = nof1_chart_spec(result, diary)
    assert spec["title"] == "N-of-1 trial: daily stiffness by period"
    assert len(spec["layer"][2]["data"]["values"]) == len(diary)


def test_an_unknown_outcome_names_the_scales_of_the_set() -> None:
    with pytest.raises(ValueError, match="stiffness"):
        AnalysisPlan(outcome="swelling", scales=SCALES)
