"""An open-label plan must not run into a blinded N-of-1 trial.

During a trial the patient takes the trial's kits (LDN or placebo, blinded) and nothing else: an
open-label supply on the same days would double the dose on active periods and break the blind on
placebo periods. A trial that has not ended (designed, kits prepared, plan locked, running) holds
the days from its first period, whose run-in starts on the trial's start date, to its last
blinded day. A plan on days :math:`[a, b]` overlaps a trial on :math:`[s, e]` when
:math:`a \\le e` and :math:`s \\le b`.

:func:`check_no_trial_overlap` refuses such a plan and says what to do: end the plan the day
before the trial starts (the supply that fits is given), start it after the trial's last day, or
stop the trial first. The trial's dates are all it names: nothing about the allocation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from lowdose.errors import RegimenError

__all__ = ["TrialWindow", "check_no_trial_overlap", "days_before_trial"]


@dataclass(frozen=True, slots=True)
class TrialWindow:
    """The days a trial that has not ended holds, and its state in words (``"Plan locked: not
    started yet"``)."""

    start: date
    end: date
    state: str

    def overlaps(self, first: date, last: date) -> bool:
        return first <= self.end and self.start <= last


def days_before_trial(first: date, trial: TrialWindow) -> int:
    """Days a plan starting on ``first`` can run before the trial's run-in starts (0: none)."""
    return max(0, (trial.start - first).days)


def check_no_trial_overlap(first: date, last: date, trials: Sequence[TrialWindow]) -> None:
    """Refuse a plan on ``first``–``last`` (inclusive) that overlaps a trial in ``trials``
    (:class:`RegimenError`, ``field="supply_days"`` when ending earlier would fit, else
    ``field="start"``), with the dates that would fit."""
    for trial in sorted(trials, key=lambda t: t.start):
        if not trial.overlaps(first, last):
            continue
        fits = days_before_trial(first, trial)
        ways = []
        if fits:
            ways.append(
                f"end the plan on {(trial.start - timedelta(days=1)).isoformat()}, the day "
                f"before the trial's run-in starts (a supply of {fits} days)"
            )
        ways.append(f"start it after {trial.end.isoformat()}, the trial's last day")
        ways.append("stop the trial first (on the trial's page)")
        raise RegimenError(
            f"This plan ({first.isoformat()} to {last.isoformat()}) overlaps the blinded N-of-1 "
            f"trial from {trial.start.isoformat()} to {trial.end.isoformat()} "
            f"({trial.state.rstrip('.')}). During the trial the patient takes only the trial's "
            f"kits. To go ahead, {', '.join(ways[:-1])}, or {ways[-1]}.",
            field="supply_days" if fits else "start",
        )
