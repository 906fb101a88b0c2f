"""The shipped evidence base: every study present, flagged, sourced; derivations correct."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from scipy import stats

from lowdose.evidence import comparators, effect_records, outcomes, reviews, sources, trials


def test_every_study_of_the_reference_is_present_and_flagged():
    t = trials()
    expected = {
        "younger2009": "controlled_nonrandomised",
        "younger2013": "rct_crossover",
        "parkitny2017": "uncontrolled",
        "metyas2018": "uncontrolled",
        "bruunplesner2020": "dose_finding",
        "bested2023": "rct_crossover",
        "final2024": "rct_parallel",
        "innova": "rct_parallel",
        "actrn12623000172606": "registered_no_results",
    }
    assert {k: v.kind for k, v in t.items()} == expected
    assert not t["bruunplesner2020"].controlled
    assert t["younger2009"].controlled
    assert not t["younger2009"].randomised
    assert t["final2024"].dose_mg == (Decimal("6"),)
    assert t["bruunplesner2020"].dose_mg == (Decimal("0.75"), Decimal("6"))


def test_every_number_points_to_a_known_source_with_a_page_read():
    known = sources()
    for trial in trials().values():
        assert trial.source in known
    records, skipped = effect_records()
    for rec in records:
        assert rec.reported, rec.label
        for rep in rec.reported:
            assert rep.source in known
            assert rep.url
            assert rep.url.startswith("http")
        assert rec.how
    for s in known.values():
        assert s.read_at, s.key
    assert skipped  # the outcomes measured but not reported are kept, not dropped


def test_ci_and_p_value_derivations():
    records = {(r.trial_id, r.outcome): r for r in effect_records()[0]}
    final = records[("final2024", "pain_nrs")]
    assert final.yi == -0.34
    assert math.sqrt(final.vi) == pytest.approx(1.22 / (2 * stats.norm.ppf(0.975)))
    innova = records[("innova", "pain_nrs")]
    assert math.sqrt(innova.vi) == pytest.approx(0.49 / stats.norm.isf(0.118))
    y13 = records[("younger2013", "pain")]
    t = stats.t.isf(0.008, 27)
    assert y13.yi == pytest.approx(-t / math.sqrt(28))  # r = 0.5: sqrt(2(1-r)) = 1
    assert y13.vi == pytest.approx(1 / 28 + y13.yi**2 / 56)
    ae = records[("final2024", "adverse_events")]
    assert ae.yi == pytest.approx(math.log((41 / 49) / (43 / 50)))


def test_correlation_assumption_changes_crossover_effects_only():
    low = {(r.trial_id, r.outcome): r for r in effect_records(0.2)[0]}
    high = {(r.trial_id, r.outcome): r for r in effect_records(0.8)[0]}
    assert abs(low[("younger2013", "pain")].yi) > abs(high[("younger2013", "pain")].yi)
    assert low[("final2024", "pain")].yi == high[("final2024", "pain")].yi


def test_outcomes_reviews_and_comparators():
    assert {"pain", "fatigue", "mood", "sleep", "fiqr", "adverse_events"} <= set(outcomes())
    drugs = {c.drug for c in comparators()}
    assert drugs == {
        "amitriptyline", "duloxetine", "milnacipran", "pregabalin", "gabapentin",
        "cyclobenzaprine",
    }  # fmt: skip
    milnacipran = next(c for c in comparators() if c.drug == "milnacipran" and c.dose == "100 mg")
    assert milnacipran.nnt is not None
    assert milnacipran.nnt.value == 9
    assert milnacipran.nnh is not None
    assert milnacipran.nnh.ci == (10, 24)
    labels = {r.label for r in reviews()}
    assert {"Vatvani 2024", "Ann Med Surg 2025", "Ologunowa 2025", "Hegde 2025"} <= labels
