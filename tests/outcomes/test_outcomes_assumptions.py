"""The design assistant's assumptions: the patient's own SD when the diary is long enough, else
the stated default, each with its source in words."""

from __future__ import annotations

import pytest

from lowdose.outcomes import design_assumptions
from lowdose.outcomes.assumptions import (
    DEFAULT_AR1,
    DEFAULT_DAILY_SD,
    MIN_SD_DAYS,
    SD_WINDOW_DAYS,
    recent_daily_sd,
)


def test_a_short_diary_takes_the_assumed_sd_and_says_so() -> None:
    found = design_assumptions("pain", 1.0, [4.0] * (MIN_SD_DAYS - 1))
    assert found.sd == DEFAULT_DAILY_SD == 1.5
    assert found.sd_source == "assumed 1.5 points (fewer than 14 diary days)"
    assert found.ar1 == DEFAULT_AR1 == 0.5
    assert found.ar1_source == "assumed 0.5"


def test_the_patients_own_sd_is_of_the_last_four_weeks_rounded_to_hundredths() -> None:
    # 10 old days far away, then 28 days alternating 3 and 5: population SD exactly 1.
    scores = [9.0] * 10 + [3.0, 5.0] * (SD_WINDOW_DAYS // 2)
    assert recent_daily_sd(scores) == pytest.approx(1.0)
    found = design_assumptions("pain", 1.0, [3.0, 4.0, 6.0] * 9)
    assert found.sd == round(recent_daily_sd([3.0, 4.0, 6.0] * 9) or 0, 2) == 1.25
    assert found.sd_source == "SD of the last 14+ days of this patient's diary"


def test_a_diary_that_never_varies_falls_back_to_the_assumed_sd() -> None:
    assert recent_daily_sd([4.0] * 30) is None
    assert design_assumptions("pain", 1.0, [4.0] * 30).sd == DEFAULT_DAILY_SD


@pytest.mark.parametrize(("outcome", "sign"), [("pain", -1), ("fatigue", -1), ("sleep", 1)])
def test_the_effect_is_one_mcid_of_benefit(outcome: str, sign: int) -> None:
    assert design_assumptions(outcome, 1.5).effect == sign * 1.5
