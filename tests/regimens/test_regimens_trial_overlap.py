"""An open-label plan that runs into a blinded N-of-1 trial is refused with the dates that fit."""

from __future__ import annotations

from datetime import date

import pytest

from lowdose.regimens import RegimenError, TrialWindow, check_no_trial_overlap, days_before_trial

TODAY = date(2026, 12, 6)
TRIAL = TrialWindow(date(2026, 12, 13), date(2027, 3, 6), "Designed: kits being prepared")


def test_a_plan_ending_the_day_before_the_run_in_does_not_overlap() -> None:
    check_no_trial_overlap(TODAY, date(2026, 12, 12), [TRIAL])
    check_no_trial_overlap(date(2027, 3, 7), date(2027, 4, 3), [TRIAL])


def test_a_plan_running_into_the_trial_is_refused_with_the_end_date_that_fits() -> None:
    with pytest.raises(RegimenError) as caught:
        check_no_trial_overlap(TODAY, date(2027, 1, 2), [TRIAL])

    assert caught.value.field == "supply_days"
    assert str(caught.value) == (
        "This plan (2026-12-06 to 2027-01-02) overlaps the blinded N-of-1 trial from 2026-12-13 "
        "to 2027-03-06 (Designed: kits being prepared). During the trial the patient takes only "
        "the trial's kits. To go ahead, end the plan on 2026-12-12, the day before the trial's "
        "run-in starts (a supply of 7 days), start it after 2027-03-06, the trial's last day, or "
        "stop the trial first (on the trial's page)."
    )
    assert days_before_trial(TODAY, TRIAL) == 7


def test_a_plan_starting_inside_the_trial_is_refused_on_its_start() -> None:
    with pytest.raises(RegimenError, match="start it after 2027-03-06") as caught:
        check_no_trial_overlap(date(2027, 1, 1), date(2027, 2, 1), [TRIAL])

    assert caught.value.field == "start"
    assert "end the plan on" not in str(caught.value)
