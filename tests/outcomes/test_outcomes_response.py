"""Open-label response: window means, AR(1) interval, sign conventions, IMMPACT, warnings."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats

from lowdose.daily import Diary
from lowdose.outcomes import (
    AnalysisError,
    PlaceboReference,
    ResponseAnalysis,
    TooFewDaysWarning,
    UnstableDoseWarning,
    change_direction,
    immpact_category,
)
from lowdose.outcomes.ar1 import simulate_ar1
from lowdose.outcomes.placebo import from_evidence

START = date(2026, 1, 1)


def _diary(values: dict[str, np.ndarray], doses: list[str | None] | None = None) -> Diary:
    n = len(next(iter(values.values())))
    rows = []
    for i in range(n):
        row: dict[str, object] = {"date": (START + timedelta(days=i)).isoformat()}
        for name in ("pain", "fatigue", "sleep", "mood"):
            row[name] = float(values[name][i]) if name in values else 5.0
        if doses is not None and doses[i] is not None:
            row["dose_mg"] = doses[i]
        rows.append(row)
    return Diary.from_rows(rows)


def _noisy(level: np.ndarray, seed: int, sd: float = 0.8, rho: float = 0.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = simulate_ar1(rng, np.arange(level.size), 1, sd, rho)[0]
    return np.clip(level + noise, 0, 10)


def test_means_change_percent_and_category_for_pain() -> None:
    # 14 baseline days at 6, 14 off-window days, 14 recent days at 3 (exact, no noise)
    pain = np.r_[np.full(14, 6.0), np.full(14, 4.5), np.full(14, 3.0)]
    pain[[2, 20, 30]] += [0.5, 1.0, -0.5]
    result = ResponseAnalysis(
        _diary({"pain": pain}), baseline_start=START, baseline_end=START + timedelta(days=13)
    ).fit()
    assert result.baseline_mean == pytest.approx(6.0 + 0.5 / 14)
    assert result.recent_mean == pytest.approx(3.0 - 0.5 / 14)
    assert result.change == pytest.approx(-3.0 - 1.0 / 14)
    assert result.percent_change == pytest.approx(-100 * (3 + 1 / 14) / (6 + 0.5 / 14))
    assert result.category == "substantial"  # a 50.9 % reduction of pain
    assert result.recent_start == START + timedelta(days=28)
    assert result.recent_days == 14
    assert result.baseline_days == 14


def test_category_thresholds_are_immpact() -> None:
    assert immpact_category(50.0) == "substantial"
    assert immpact_category(49.99) == "moderate"
    assert immpact_category(30.0) == "moderate"
    assert immpact_category(29.99) == "minimal"
    assert immpact_category(10.0) == "minimal"
    assert immpact_category(9.9) == "none"
    assert immpact_category(-10.0) == "worse"
    assert immpact_category(None) == "not applicable"


def test_higher_is_better_outcomes_count_an_increase_as_improvement() -> None:
    mood = np.r_[_noisy(np.full(21, 4.0), 1), _noisy(np.full(21, 6.5), 2)]
    pain = np.r_[_noisy(np.full(21, 4.0), 3), _noisy(np.full(21, 6.5), 4)]
    end = START + timedelta(days=20)
    diary = _diary({"mood": mood, "pain": pain})
    up_mood = ResponseAnalysis(diary, outcome="mood", baseline_start=START, baseline_end=end)
    up_pain = ResponseAnalysis(diary, outcome="pain", baseline_start=START, baseline_end=end)
    m, p = up_mood.fit(), up_pain.fit()
    assert m.change > 2
    assert p.change > 2
    assert m.p_improved_1pt > 0.95
    assert m.category in {"substantial", "moderate"}
    assert p.p_improved_1pt < 0.01
    assert p.category == "worse"
    assert m.ci_low < m.model_change < m.ci_high


def test_autocorrelated_noise_widens_the_interval_beyond_the_naive_t_interval() -> None:
    # With ρ = 0.7 the effective sample size is ~ n(1-ρ)/(1+ρ) ≈ 0.18 n, so an honest interval
    # must be clearly wider (≥ 1.5×) than the independent-days Welch interval.
    pain = np.r_[_noisy(np.full(28, 6.0), 7, sd=1.2, rho=0.7)]
    pain = np.r_[pain, _noisy(np.full(28, 5.0), 8, sd=1.2, rho=0.7)]
    result = ResponseAnalysis(
        _diary({"pain": pain}),
        baseline_start=START,
        baseline_end=START + timedelta(days=27),
        recent_days=28,
    ).fit()
    a, b = pain[:28], pain[28:]
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (result.ci_high - result.ci_low) > 1.5 * (welch.high - welch.low)
    # the two halves' sample lag-1 autocorrelations are 0.74 and 0.86 (biased low by about
    # (1 + 4ρ)/n): a posterior mean of 0.90 is what this realisation supports
    assert 0.5 < result.ar1 < 0.95


def test_too_few_baseline_days_warns_and_flags() -> None:
    pain = np.r_[np.full(5, 6.0), np.full(14, 4.0)] + np.linspace(0, 0.3, 19)
    analysis = ResponseAnalysis(
        _diary({"pain": pain}), baseline_start=START, baseline_end=START + timedelta(days=4)
    )
    with pytest.warns(TooFewDaysWarning, match="only 5 baseline days"):
        result = analysis.fit()
    assert result.too_few_baseline_days
    assert any("provisional" in note for note in result.notes)


def test_a_single_baseline_day_is_an_error_saying_what_to_do() -> None:
    pain = np.r_[np.full(1, 6.0), np.full(14, 4.0)]
    with pytest.raises(AnalysisError, match="at least 2 are needed") as info:
        ResponseAnalysis(_diary({"pain": pain}), baseline_start=START, baseline_end=START).fit()
    assert info.value.field == "baseline_start"


def test_recent_window_starts_after_the_last_dose_change() -> None:
    pain = _noisy(np.r_[np.full(14, 6.0), np.full(30, 4.0)], 9)
    doses: list[str | None] = [None] * 14 + ["1.5"] * 10 + ["3"] * 10 + ["4.5"] * 10
    diary = _diary({"pain": pain}, doses)
    analysis = ResponseAnalysis(
        diary, baseline_start=START, baseline_end=START + timedelta(days=13)
    )
    with pytest.warns(UnstableDoseWarning, match="dose changed to 4.5 mg"):
        result = analysis.fit()
    assert result.recent_start == START + timedelta(days=34)
    assert result.recent_days == 10
    assert str(result.dose_mg) == "4.5"


def test_placebo_reference_is_carried_and_adapted_from_evidence_shapes() -> None:
    ref = from_evidence({"mean": -0.9, "ci_lb": -1.4, "ci_ub": -0.5, "source": "FINAL"}, "pain")
    assert ref == PlaceboReference("pain", -0.9, -1.4, -0.5, "FINAL")
    assert from_evidence({"note": "nothing numeric"}, "pain") is None
    pain = np.r_[np.full(14, 6.0), np.full(14, 5.0)] + np.tile([0.0, 0.2], 14)
    result = ResponseAnalysis(
        _diary({"pain": pain}),
        baseline_start=START,
        baseline_end=START + timedelta(days=13),
        placebo=ref,
    ).fit()
    assert result.to_dict()["placebo"]["change"] == -0.9
    assert "Placebo alone changed pain by -0.9" in result.summary()


def test_json_keys_of_the_cli_interface_come_first() -> None:
    pain = np.r_[np.full(14, 6.0), np.full(14, 5.0)] + np.tile([0.0, 0.2], 14)
    d = (
        ResponseAnalysis(
            _diary({"pain": pain}), baseline_start=START, baseline_end=START + timedelta(days=13)
        )
        .fit()
        .to_dict()
    )
    assert list(d)[:8] == [
        "baseline_mean",
        "recent_mean",
        "change",
        "percent_change",
        "ci_low",
        "ci_high",
        "p_improved_1pt",
        "category",
    ]


def test_adapter_reads_the_evidence_engines_placebo_response_shape() -> None:
    from types import SimpleNamespace

    shaped = SimpleNamespace(
        outcome="pain",
        mean_change=-0.77,
        mean_change_ci=(-1.0, -0.5),
        sources=("Häuser 2011", "FINAL 2024"),
        responder_30_pct=30.8,
    )
    ref = from_evidence(shaped, "pain")
    assert ref is not None
    assert (ref.change, ref.ci_low, ref.ci_high) == (-0.77, -1.0, -0.5)
    assert ref.source == "Häuser 2011; FINAL 2024"
    assert "31% of placebo patients reach a 30% reduction" in ref.sentence()


def test_placebo_reference_from_the_evidence_engine_when_installed() -> None:
    import lowdose.evidence as evidence

    if not hasattr(evidence, "placebo_response"):
        pytest.skip("lowdose.evidence.placebo_response not published yet")
    from lowdose.evidence import placebo_reference

    ref = placebo_reference("pain")
    assert ref is not None
    assert -3.0 < ref.change < 0.0  # placebo lowers FM pain (Häuser 2011: 7.7/100)


def test_patient_sentence_is_built_from_the_numbers() -> None:
    pain = np.r_[np.full(14, 6.0), np.full(14, 4.0)] + np.tile([0.0, 0.2], 14)
    ref = PlaceboReference("pain", -0.9, -1.4, -0.5, "FINAL")
    result = ResponseAnalysis(
        _diary({"pain": pain}),
        baseline_start=START,
        baseline_end=START + timedelta(days=13),
        placebo=ref,
    ).fit()
    text = result.sentence()
    assert text.startswith("Your daily pain over the last 14 days was 2.0 points (33%) lower")
    assert f"between {result.ci_low:+.1f} and {result.ci_high:+.1f} points" in text
    assert "placebo alone changed pain by -0.9 points" in text
    assert result.to_dict()["sentence"] == text


@pytest.mark.parametrize(
    ("lower_is_better", "ci", "direction"),
    [
        (True, (-2.0, -0.4), "better"),  # pain down, the whole interval below 0
        (False, (-2.0, -0.4), "worse"),  # sleep quality down
        (True, (0.3, 1.5), "worse"),
        (False, (0.3, 1.5), "better"),  # mood up
        (True, (-1.6, 0.2), "unclear"),  # includes no change: within day-to-day noise
        (False, (-0.2, 1.6), "unclear"),
    ],
)
def test_a_change_is_better_or_worse_by_the_scales_direction_only_beyond_noise(
    lower_is_better: bool, ci: tuple[float, float], direction: str
) -> None:
    assert change_direction(lower_is_better, *ci) == direction


def test_a_diary_without_day_to_day_variation_is_not_estimable_and_says_why() -> None:
    # Each window one repeated rating: every residual is 0 at every ρ, s² has nothing to be
    # estimated from, and any interval would be an artefact of the prior.
    pain = np.r_[np.full(14, 6.0), np.full(14, 4.0)]
    analysis = ResponseAnalysis(
        _diary({"pain": pain}), baseline_start=START, baseline_end=START + timedelta(days=13)
    )
    with pytest.raises(AnalysisError, match="cannot be estimated") as info:
        analysis.fit()
    message = str(info.value)
    assert "every baseline day was rated 6 and every recent day 4" in message
    assert "no day-to-day ups and downs" in message
    # one varying day is enough for the model to be estimable again
    pain[3] = 6.5
    result = ResponseAnalysis(
        _diary({"pain": pain}), baseline_start=START, baseline_end=START + timedelta(days=13)
    ).fit()
    assert result.ci_low < result.change < result.ci_high


def test_open_label_default_is_the_reference_variance_prior() -> None:
    from lowdose.errors import OutcomesError
    from lowdose.outcomes.priors import OPEN_LABEL_PRIORS, Priors

    assert (OPEN_LABEL_PRIORS.a0, OPEN_LABEL_PRIORS.b0) == (0.0, 0.0)
    assert OPEN_LABEL_PRIORS.effect_sd == Priors().effect_sd
    with pytest.raises(OutcomesError, match="nu0 must be ≥ 0"):
        Priors(nu0=-1.0)
