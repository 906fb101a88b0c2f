"""The locked analysis plan: any change after locking is refused."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from lowdose.errors import AnalysisError
from lowdose.outcomes.analysis_plan import AnalysisPlan
from lowdose.outcomes.design import Nof1Design
from lowdose.outcomes.priors import Priors
from lowdose.outcomes.simulate import simulate_diary


def _washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
    return 48.0  # stated stub: 2 days


def test_fingerprint_is_stable_and_sensitive_to_every_field() -> None:
    base = AnalysisPlan()
    assert base.fingerprint() == AnalysisPlan().fingerprint()
    assert len(base.fingerprint()) == 64
    variants = [
        AnalysisPlan(outcome="fatigue"),
        AnalysisPlan(mcid=2.0),
        AnalysisPlan(trend=True),
        AnalysisPlan(priors=Priors(effect_sd=3.0)),
    ]
    assert len({v.fingerprint() for v in variants} | {base.fingerprint()}) == 5
    assert AnalysisPlan.from_dict(base.to_dict()) == base


def test_analysis_with_the_locked_plan_runs_and_a_switched_plan_is_refused() -> None:
    plan = Nof1Design(
        ["placebo", "4.5"], start=date(2026, 1, 5), rng=random.Random(2), washout=_washout
    ).fit()
    diary = simulate_diary(plan, effect=-1.0, sd=1.0, ar1=0.3, seed=2)
    locked = AnalysisPlan(outcome="pain", mcid=1.0).fingerprint()
    result = AnalysisPlan(outcome="pain", mcid=1.0).analyse(diary, plan, locked_fingerprint=locked)
    assert result.mcid == 1.0
    with pytest.raises(AnalysisError, match="differs from the one locked"):
        AnalysisPlan(outcome="pain", mcid=0.5).analyse(diary, plan, locked_fingerprint=locked)


def test_bad_plans_are_named() -> None:
    with pytest.raises(AnalysisError, match="mcid must be"):
        AnalysisPlan(mcid=-1)
    with pytest.raises(AnalysisError, match="incomplete or malformed"):
        AnalysisPlan.from_dict({"outcome": "pain"})
