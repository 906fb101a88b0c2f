"""The plain-language reading: fixed rules with pinned thresholds, numbers from the model."""

from __future__ import annotations

import dataclasses
from datetime import UTC, time
from decimal import Decimal

import pytest

from lowdose.explain.regimen import (
    BLOCKADE_BANDS,
    DELTA_NEGLIGIBLE,
    SOURCES,
    STEADY_SWING_POINTS,
    RegimenExplainer,
    blockade_word,
    hours_text,
    percent_text,
    read_regimen,
)
from lowdose.pk import PkInputError, Regimen, regimen_metrics
from lowdose.pk.regimen import MORNING, RegimenMetrics


@pytest.fixture(scope="module")
def base() -> RegimenMetrics:
    return regimen_metrics(Regimen(Decimal("4.5")))


@pytest.fixture(scope="module")
def explained_45() -> object:
    return RegimenExplainer(Decimal("4.5")).fit()


def _with(m: RegimenMetrics, **values: float) -> RegimenMetrics:
    new = dict(m.values)
    for key, value in values.items():
        new[key.replace("__", ".")] = value
    return dataclasses.replace(m, values=new)


def _read(m: RegimenMetrics) -> list[str]:
    return [line.text for line in read_regimen(m, first_dose_peak=0.4, peak_clock="00:00")]


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.0, "0%"),
        (0.004, "under 1%"),
        (0.005, "under 1%"),  # round half to even: 0.5 -> 0, so it must not read "0%"
        (0.0051, "1%"),
        (0.515, "52%"),
        (0.994, "99%"),
        (0.996, "over 99%"),
        (1.0, "100%"),
    ],
)
def test_percent_text_rule_1(fraction: float, text: str) -> None:
    assert percent_text(fraction) == text


def test_percent_text_rejects_nan() -> None:
    with pytest.raises(PkInputError):
        percent_text(float("nan"))


@pytest.mark.parametrize(
    ("trough", "word"),
    [
        (0.0, "light"),
        (0.2499, "light"),
        (0.25, "partial"),
        (0.4999, "partial"),
        (0.50, "majority"),
        (0.8999, "majority"),
        (0.90, "near-complete"),
        (1.0, "near-complete"),
    ],
)
def test_blockade_word_thresholds_rule_2(trough: float, word: str) -> None:
    assert blockade_word(trough) == word


def test_thresholds_are_pinned() -> None:
    # Changing a rule changes what patients read: it must be a deliberate, documented edit.
    assert [b for b, _ in BLOCKADE_BANDS[:-1]] == [0.25, 0.50, 0.90]
    assert STEADY_SWING_POINTS == 20
    assert DELTA_NEGLIGIBLE == 0.05


@pytest.mark.parametrize(
    ("hours", "text"), [(0.0, "0 hours"), (12.25, "12.2 hours"), (24.0, "all 24 hours")]
)
def test_hours_text_rule_6(hours: float, text: str) -> None:
    assert hours_text(hours) == text


def test_swing_below_20_points_reads_steady(base: RegimenMetrics) -> None:
    m = _with(base, occupancy__mu__peak=0.70, occupancy__mu__trough=0.5051)
    assert "steady: it moves by only 19 percentage points" in _read(m)[1]


def test_swing_of_20_points_reads_rises_and_falls(base: RegimenMetrics) -> None:
    # 0.75 - 0.55 is 0.19999999999999996 in floating point: the rule uses the shown points
    m = _with(base, occupancy__mu__peak=0.75, occupancy__mu__trough=0.55)
    assert "rises and falls by 20 percentage points each day" in _read(m)[1]
    assert "majority blockade" in _read(m)[1]


def test_unblocked_window_is_described_with_its_clock(base: RegimenMetrics) -> None:
    m = _with(
        base,
        unblocked__hours=11.9,
        unblocked__longest_h=11.6,
        unblocked__longest_start_clock_h=10.45,
        unblocked__night_hours=0.0,
    )
    text = _read(m)[2]
    assert "For 11.9 hours a day fewer than 25%" in text
    assert "lasts 11.6 hours from about 10:27" in text
    assert "0 hours of it falls between 22:00 and 07:00" in text


def test_no_unblocked_window_at_45_mg(base: RegimenMetrics) -> None:
    assert _read(base)[2].startswith("There is no 'unblocked window'")


def test_delta_threshold_rule_5(base: RegimenMetrics) -> None:
    assert "hardly touched (at most 5%)" in _read(_with(base, occupancy__delta__peak=0.0499))[3]
    assert "δ receptors up to 5%" in _read(_with(base, occupancy__delta__peak=0.05))[3]


def test_45_mg_reading_cites_the_models_numbers(explained_45: object) -> None:
    e = explained_45
    m = regimen_metrics(Regimen(Decimal("4.5"))).values
    first = e.lines[0].text  # type: ignore[attr-defined]
    # 64% / 52% (docs/pharmacology.md §3); a reading written by hand with the PET 5 mg
    # single-dose figures (43-58%) would be wrong here.
    assert f"about {round(m['occupancy.mu.peak'] * 100)}% " in first
    assert "about 64% of your brain's μ-opioid receptors are blocked at the peak" in first
    assert "and 52% at the trough" in first
    assert "after about 4 days of daily doses" in first
    assert "the very first dose blocks at most 45%" in first
    assert "(around 00:03)" in first  # bedtime 22:00 + occupancy tmax (2.05 h)


def test_comparison_with_50_mg_states_the_difference(explained_45: object) -> None:
    texts = [line.text for line in explained_45.lines]  # type: ignore[attr-defined]
    compare = next(t for t in texts if t.startswith("For comparison"))
    assert "blocks about 95% at the peak and 92% at the trough" in compare
    assert "At the trough, 4.5 mg blocks 40 percentage points fewer than 50 mg." in compare


def test_hypotheses_are_labelled_and_every_line_is_cited(explained_45: object) -> None:
    lines = explained_45.lines  # type: ignore[attr-defined]
    hyp = [line for line in lines if line.kind == "hypothesis"]
    assert len(hyp) == 2
    assert all(line.text.startswith("Hypothesis, not a prediction") for line in hyp)
    assert "net opioid tone of 0.89x on average (below your usual level)" in hyp[0].text
    assert "average 1.10x (above your usual level)" in hyp[0].text
    assert "peaks near 3.6 nM" in hyp[1].text
    assert "0.36%" in hyp[1].text
    assert all(line.sources and set(line.sources) <= set(SOURCES) for line in lines)
    assumptions = [line.text for line in lines if line.kind == "assumption"]
    assert any("below 50 mg" in t for t in assumptions)
    assert any("no PET data exist for repeated low doses" in t for t in assumptions)


def test_morning_dose_reads_the_other_clock() -> None:
    e = RegimenExplainer(Decimal(1), at=MORNING).fit()
    assert e.peak_clock == "10:03"
    assert e.other_peak_clock == "00:03"
    assert "taken in the morning (08:00)" in e.lines[0].text
    assert "light blockade" in e.lines[1].text
    assert e.chosen.values["unblocked.hours"] > 0
    assert e.to_dict()["reading"][0]["kind"] == "model"


def test_no_comparison_line_without_a_comparison() -> None:
    e = RegimenExplainer(Decimal(3), compare_mg=None).fit()
    assert e.reference is None
    assert e.rebound_reference is None
    assert not any(line.text.startswith("For comparison") for line in e.lines)


@pytest.mark.parametrize("dose", [Decimal(-1), Decimal(201)])
def test_explainer_rejects_a_dose_outside_the_model(dose: Decimal) -> None:
    with pytest.raises(PkInputError) as info:
        RegimenExplainer(dose)
    assert info.value.field == "dose_mg"


def test_explainer_rejects_an_aware_clock_time() -> None:
    with pytest.raises(PkInputError):
        RegimenExplainer(Decimal(1), at=time(22, 0, tzinfo=UTC))


def test_sources_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        SOURCES["pet"] = "anything"  # type: ignore[index]


def test_people_differ_line_agrees_with_a_100000_person_run(explained_45: object) -> None:
    from lowdose.explain.regimen import POPULATION_SEED, POPULATION_SIZE
    from lowdose.pk.population import PopulationSimulation

    e = explained_45
    line = next(x.text for x in e.lines if x.text.startswith("People differ"))  # type: ignore[attr-defined]
    assert "9 in 10 have a trough between 25% and 78%" in line
    big = PopulationSimulation(Regimen(Decimal("4.5")), 100_000, 7, band_subjects=1).fit()
    small = e.population.percentiles["occupancy.mu.trough"]  # type: ignore[attr-defined]
    # why 0.01: the page shows whole percent; the sample's 5th/95th percentiles must not
    # move the shown number by more than one point against a 20x larger, differently seeded run
    for q in ("p5", "p95"):
        assert small[q] == pytest.approx(big.percentiles["occupancy.mu.trough"][q], abs=0.01)
    assert (POPULATION_SIZE, POPULATION_SEED) == (5000, 20260101)
