"""The dose a patient is on today, from what was dispensed and what the diary says.

A new plan for a patient already on LDN should start from the dose they take, not restart the
titration at its first step. Two records say what that dose is:

* the **dispensed plans**: the step of a dispensed plan that contains today (the latest plan
  wins), or the last step of a plan that ended within the diary window;
* the **diary**: the latest dose the patient recorded as taken within the window
  (:data:`DIARY_WINDOW_DAYS`), and since when they have taken it without a different dose in
  between (missed days do not break the run).

When both speak and disagree, the **lower** dose is taken and the reason says so: continuing
above what the patient actually takes, or above what the pharmacy dispensed, is the error that
hurts (more side effects), so the decision fails towards the lower dose and the clinician is
told to choose otherwise if they know why the records differ.

:func:`continue_from` then turns a protocol into the plan that starts from that dose: the dose for
the length of the protocol step it falls in, then the protocol's higher steps; at or above the
target it is a maintenance plan (the dose, open-ended).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lowdose.errors import RegimenError
from lowdose.regimens.protocol import Protocol, ProtocolStep
from lowdose.regimens.steps import TitrationStep, decimal_str

__all__ = ["DIARY_WINDOW_DAYS", "CurrentDose", "continue_from", "current_dose"]

#: How far back a diary dose or an ended plan still counts as "current" (a product rule: two
#: weeks, the step length of the LDN Research Trust titration; after a longer break the clinician
#: is told nothing is current and the titration starts from its first step).
DIARY_WINDOW_DAYS = 14


@dataclass(frozen=True, slots=True)
class CurrentDose:
    """The dose to continue from, with what each record says and why this one was chosen."""

    dose_mg: Decimal
    since: date | None
    prescribed_mg: Decimal | None
    diary_mg: Decimal | None
    diary_days: int
    reason: str

    def to_dict(self) -> dict[str, str | int | None]:
        return {
            "dose_mg": decimal_str(self.dose_mg),
            "since": None if self.since is None else self.since.isoformat(),
            "prescribed_mg": (
                None if self.prescribed_mg is None else decimal_str(self.prescribed_mg)
            ),
            "diary_mg": None if self.diary_mg is None else decimal_str(self.diary_mg),
            "diary_days": self.diary_days,
            "reason": self.reason,
        }


def _prescribed(
    plans: Sequence[Sequence[TitrationStep]], today: date, window: int
) -> tuple[Decimal, date] | None:
    """(dose, step start) of the dispensed plan that covers today, else of the latest plan that
    ended within the window."""
    covering: tuple[Decimal, date] | None = None
    ended: tuple[date, Decimal, date] | None = None
    for plan in sorted((tuple(p) for p in plans if p), key=lambda p: p[0].start):
        for step in plan:
            if step.contains(today):
                covering = (step.dose_mg, step.start)
        last = plan[-1]
        recent = last.end is not None and today - timedelta(days=window) <= last.end < today
        if recent and last.end is not None and (ended is None or last.end >= ended[0]):
            ended = (last.end, last.dose_mg, last.start)
    if covering is not None:
        return covering
    return None if ended is None else (ended[1], ended[2])


def _diary(
    taken: Sequence[tuple[date, Decimal]], today: date, window: int
) -> tuple[Decimal, date, int] | None:
    """(latest dose, first day of its run, days on it within the window)."""
    days = sorted((day, dose) for day, dose in taken if day <= today)
    if not days or days[-1][0] < today - timedelta(days=window):
        return None
    latest = days[-1][1]
    since = days[-1][0]
    for day, dose in reversed(days):
        if dose != latest:
            break
        since = day
    recent = sum(
        1 for day, dose in days if dose == latest and day >= today - timedelta(days=window - 1)
    )
    return latest, since, recent


def current_dose(
    plans: Sequence[Sequence[TitrationStep]],
    diary: Sequence[tuple[date, Decimal]],
    today: date,
    *,
    window_days: int = DIARY_WINDOW_DAYS,
) -> CurrentDose | None:
    """The dose to continue from, or ``None`` when nothing is current (start from the beginning).

    Parameters
    ----------
    plans : sequence of schedules
        The dated plans that were **dispensed** (what the patient has), any order.
    diary : sequence of (day, dose_mg)
        Doses the patient recorded as taken (missed days and blinded trial kits left out).
    today : date
        The patient's calendar day.
    """
    prescribed = _prescribed(plans, today, window_days)
    recorded = _diary(diary, today, window_days)
    if recorded is None:
        if prescribed is None:
            return None
        dose, start = prescribed
        return CurrentDose(
            dose_mg=dose,
            since=start,
            prescribed_mg=dose,
            diary_mg=None,
            diary_days=0,
            reason=(
                f"The dispensed plan gives {decimal_str(dose)} mg from {start.isoformat()}; the "
                f"diary records no dose in the last {window_days} days."
            ),
        )
    diary_mg, since, count = recorded
    said = (
        f"the diary records {decimal_str(diary_mg)} mg on {count} of the last {window_days} "
        f"days, since {since.isoformat()}"
    )
    if prescribed is None:
        return CurrentDose(diary_mg, since, None, diary_mg, count, f"{said[0].upper()}{said[1:]}.")
    plan_mg, plan_start = prescribed
    if plan_mg == diary_mg:
        return CurrentDose(
            diary_mg,
            min(since, plan_start),
            plan_mg,
            diary_mg,
            count,
            f"{said[0].upper()}{said[1:]}, as the dispensed plan gives.",
        )
    lower = min(plan_mg, diary_mg)
    return CurrentDose(
        lower,
        since if lower == diary_mg else plan_start,
        plan_mg,
        diary_mg,
        count,
        (
            f"The dispensed plan gives {decimal_str(plan_mg)} mg today but {said}: the new plan "
            f"starts from the lower dose, {decimal_str(lower)} mg. Ask the patient which they "
            "take, and choose otherwise if you know why the records differ."
        ),
    )


def continue_from(protocol: Protocol, dose_mg: Decimal) -> Protocol:
    """``protocol`` started from ``dose_mg`` instead of its first step.

    The dose is kept for the length of the protocol step it falls in (a full step, so an
    increase is never sooner than the protocol allows), then the protocol's higher steps follow.
    At or above the target dose the plan is maintenance: ``dose_mg``, open-ended. A dose above
    the protocol's ceiling is refused (:class:`RegimenError`, ``field="start_from"``).
    """
    if dose_mg > protocol.max_daily_dose_mg:
        raise RegimenError(
            f"The current dose, {decimal_str(dose_mg)} mg, is above the "
            f"{decimal_str(protocol.max_daily_dose_mg)} mg ceiling of a plan; check the dose with "
            "the patient and start the titration from its beginning.",
            field="start_from",
        )
    if dose_mg >= protocol.target_dose_mg:
        steps: tuple[ProtocolStep, ...] = (ProtocolStep(dose_mg, None),)
        title = f"Continue at {decimal_str(dose_mg)} mg"
    else:
        holding = next((s for s in protocol.steps if s.dose_mg >= dose_mg), protocol.steps[-1])
        steps = (
            ProtocolStep(dose_mg, holding.days),
            *(s for s in protocol.steps if s.dose_mg > dose_mg),
        )
        title = f"{protocol.title}, from {decimal_str(dose_mg)} mg"
    return Protocol(
        name=protocol.name,
        title=title,
        summary=f"{protocol.summary} Started from the current dose, {decimal_str(dose_mg)} mg.",
        steps=steps,
        time=protocol.time,
        sources=protocol.sources,
        caveats=protocol.caveats,
        reconstructed=protocol.reconstructed,
        max_daily_dose_mg=protocol.max_daily_dose_mg,
    )
