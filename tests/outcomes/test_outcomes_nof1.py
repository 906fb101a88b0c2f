"""Bayesian N-of-1 analysis: sign conventions, run-in exclusion, paired test, sentences."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from lowdose.daily import Diary
from lowdose.outcomes import AnalysisError
from lowdose.outcomes.design import Nof1Design, Nof1Plan
from lowdose.outcomes.nof1 import (
    Nof1Analysis,
    Nof1Result,
    PeriodSummary,
    paired_tests,
    plain_probability,
)
from lowdose.outcomes.simulate import simulate_diary

START = date(2026, 3, 2)


def stub_washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
    """Stand-in for lowdose.pk.washout_hours: 10 h per mg (stated value, not pharmacology)."""
    return float(dose_mg) * 10.0


def _plan(arms: tuple[str, ...] = ("placebo", "4.5"), seed: int = 5) -> Nof1Plan:
    return Nof1Design(list(arms), start=START, rng=random.Random(seed), washout=stub_washout).fit()


def _diary_from(plan: Nof1Plan, level: dict[str, float], outcome: str, wiggle: float) -> Diary:
    rows = []
    for p in plan.periods:
        for k in range((p.end - p.start).days + 1):
            day = p.start + timedelta(days=k)
            value = level[p.arm] + wiggle * np.sin(day.toordinal() * 1.7)
            if day < p.analysis_start:
                value = 10.0 if outcome == "pain" else 0.0  # run-in days must be ignored
            row: dict[str, object] = {"date": day.isoformat(), "pain": 5, "fatigue": 5}
            row.update({"sleep": 5, "mood": 5})
            row[outcome] = float(value)
            rows.append(row)
    return Diary.from_rows(rows)


def test_effect_is_active_minus_placebo_and_run_in_is_excluded() -> None:
    plan = _plan()
    diary = _diary_from(plan, {"placebo": 6.0, "4.5 mg": 4.0}, "pain", 0.3)
    result = Nof1Analysis(diary, plan).fit()
    (effect,) = result.effects
    assert effect.arm == "4.5 mg"
    assert effect.mean == pytest.approx(-2.0, abs=0.1)
    assert effect.p_better > 0.999
    assert effect.p_mcid > 0.99
    assert result.days_used == 6 * (28 - plan.run_in_days)
    assert all(
        p.mean == pytest.approx(6.0 if p.arm == "placebo" else 4.0, abs=0.1) for p in result.periods
    )


def test_higher_is_better_outcome_counts_an_increase_as_benefit() -> None:
    plan = _plan()
    diary = _diary_from(plan, {"placebo": 5.0, "4.5 mg": 6.5}, "mood", 0.4)
    result = Nof1Analysis(diary, plan, outcome="mood", mcid=1.0).fit()
    (effect,) = result.effects
    assert effect.mean > 1.0
    assert effect.p_better > 0.99
    assert "raises your mood by at least 1 point" in result.sentences[0]


def test_sentences_are_generated_from_the_numbers() -> None:
    plan = _plan()
    diary = simulate_diary(plan, effect=-1.2, sd=1.5, ar1=0.5, seed=11)
    result = Nof1Analysis(diary, plan, mcid=1.0).fit()
    (effect,) = result.effects
    assert result.sentences[0] == (
        f"There is a {plain_probability(effect.p_mcid)} chance LDN 4.5 mg lowers your daily "
        "pain by at least 1 point compared with placebo."
    )
    assert result.sentences[1].startswith(f"There is a {plain_probability(effect.p_better)}")
    assert effect.ci_low < effect.mean < effect.ci_high
    d = result.to_dict()
    assert list(d)[:5] == ["outcome", "days_used", "effects", "ar1", "paired_test"]
    assert set(d["effects"][0]) == {"arm", "mean", "sd", "ci_low", "ci_high", "p_better", "p_mcid"}


def test_plain_probability_never_says_certain() -> None:
    assert plain_probability(0.871) == "87%"
    assert plain_probability(0.999) == "more than 99%"
    assert plain_probability(0.001) == "less than 1%"
    assert plain_probability(0.5) == "50%"


def test_paired_cycle_test_matches_a_hand_computation() -> None:
    def period(cycle: int, arm: str, mean: float) -> PeriodSummary:
        return PeriodSummary(cycle, arm, "K", START, START, START, 10, mean)

    periods = [
        period(1, "placebo", 6.0),
        period(1, "4.5 mg", 5.0),
        period(2, "4.5 mg", 4.5),
        period(2, "placebo", 6.5),
        period(3, "placebo", 5.5),
        period(3, "4.5 mg", 5.5),
    ]
    (test,) = paired_tests(periods, ["4.5 mg"])
    d = np.array([-1.0, -2.0, 0.0])
    t = d.mean() / (d.std(ddof=1) / np.sqrt(3))
    assert test.differences == (-1.0, -2.0, 0.0)
    assert test.t == pytest.approx(t)
    assert test.df == 2
    assert test.p_value == pytest.approx(2 * stats.t.sf(abs(t), 2))
    half = stats.t.ppf(0.975, 2) * d.std(ddof=1) / np.sqrt(3)
    assert test.ci_low == pytest.approx(-1.0 - half)
    assert test.ci_high == pytest.approx(-1.0 + half)


def test_three_arm_trial_reports_each_dose_against_placebo() -> None:
    plan = _plan(("placebo", "1.5", "4.5"))
    diary = _diary_from(plan, {"placebo": 6.0, "1.5 mg": 5.5, "4.5 mg": 4.0}, "pain", 0.3)
    result = Nof1Analysis(diary, plan, trend=True).fit()
    by_arm = {e.arm: e for e in result.effects}
    assert by_arm["1.5 mg"].mean == pytest.approx(-0.5, abs=0.15)
    assert by_arm["4.5 mg"].mean == pytest.approx(-2.0, abs=0.15)
    assert len(result.paired_tests) == 2


def test_no_placebo_days_yet_is_an_error() -> None:
    plan = _plan()
    first_active = next(p for p in plan.periods if p.arm != "placebo")
    rows = [
        {
            "date": (first_active.start + timedelta(days=k)).isoformat(),
            "pain": 5,
            "fatigue": 5,
            "sleep": 5,
            "mood": 5,
        }
        for k in range(28)
    ]
    with pytest.raises(AnalysisError, match="no analysed pain ratings on placebo"):
        Nof1Analysis(Diary.from_rows(rows), plan).fit()


def test_bad_mcid_is_named() -> None:
    plan = _plan()
    diary = simulate_diary(plan, effect=0.0, sd=1.0, ar1=0.3, seed=1)
    with pytest.raises(AnalysisError, match="mcid must be") as info:
        Nof1Analysis(diary, plan, mcid=0)
    assert info.value.field == "mcid"


def test_posterior_matches_pymc_nuts_on_the_pinned_trial() -> None:
    import json
    from pathlib import Path

    ref = json.loads(
        (Path(__file__).parents[1] / "reference" / "outcomes_pymc_posterior.json").read_text()
    )
    plan = Nof1Plan.from_dict(ref["design"])
    rows = [
        {"date": d, "pain": v, "fatigue": 5, "sleep": 5, "mood": 5}
        for d, v in zip(ref["diary"]["dates"], ref["diary"]["pain"], strict=True)
    ]
    (effect,) = Nof1Analysis(Diary.from_rows(rows), plan).fit().effects
    value, mcse = ref["value"], ref["mcse"]
    assert effect.mean == pytest.approx(value["mean"], abs=3.5 * mcse["mean"])
    assert effect.sd == pytest.approx(value["sd"], abs=3.5 * mcse["sd"])
    assert effect.ci_low == pytest.approx(value["q025"], abs=3.5 * mcse["q025"])
    assert effect.ci_high == pytest.approx(value["q975"], abs=3.5 * mcse["q975"])
    assert effect.p_better == pytest.approx(value["p_better"], abs=0.01)
    assert effect.p_mcid == pytest.approx(value["p_mcid"], abs=0.01)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"sd": 0.0}, "sd"),
        ({"ar1": 1.0}, "ar1"),
        ({"effect": float("nan")}, "effect"),
        ({"reps": 0}, "reps"),
    ],
)
def test_design_assistant_rejects_impossible_assumptions(kw: dict[str, float], field: str) -> None:
    from lowdose.errors import OutcomesError
    from lowdose.outcomes.simulate import simulate_design

    options: dict[str, float] = {"effect": -1.0, "sd": 1.0, "ar1": 0.3, "reps": 10}
    options.update(kw)
    with pytest.raises(OutcomesError) as info:
        simulate_design(_plan(), **options)  # type: ignore[arg-type]
    assert info.value.field == field


def test_a_stored_result_reads_back_exactly() -> None:
    """The web app stores ``to_dict()`` at unblinding and shows ``from_dict`` of it afterwards."""
    import json

    plan = _plan(("placebo", "1.5", "4.5"))
    diary = _diary_from(plan, {"placebo": 6.0, "1.5 mg": 5.0, "4.5 mg": 4.0}, "pain", 0.8)
    result = Nof1Analysis(diary, plan).fit()
    stored = json.loads(json.dumps(result.to_dict()))
    assert Nof1Result.from_dict(stored) == result
    with pytest.raises(AnalysisError, match="incomplete or malformed") as bad:
        Nof1Result.from_dict({k: v for k, v in stored.items() if k != "effects"})
    assert bad.value.field == "result"
