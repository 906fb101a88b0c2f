"""Dated titration steps: the plan a patient actually follows, one dose per calendar interval.

A schedule is a ``tuple[TitrationStep, ...]``: contiguous, non-overlapping, in date order, every
step but the last with an inclusive ``end`` date; the last may be open-ended (``end is None``,
"thereafter"). Doses are :class:`~decimal.Decimal` milligrams; nothing here uses floats.

The total amount of drug a finite schedule needs is the exact sum of its daily doses,

.. math::

    D_{\\text{total}} = \\sum_{k} d_k \\, n_k, \\qquad n_k = (\\text{end}_k - \\text{start}_k) + 1,

where :math:`d_k` is step *k*'s daily dose in mg and :math:`n_k` its length in days.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lowdose.errors import RegimenError
from lowdose.serial import normalised

__all__ = [
    "DoseTime",
    "TitrationStep",
    "daily_doses",
    "decimal_str",
    "extend_through",
    "schedule_days",
    "schedule_to_dicts",
    "total_dose_mg",
    "validate_schedule",
]


class DoseTime(enum.StrEnum):
    """When in the day the dose is taken.

    ``BEDTIME`` is the traditional default (Bihari, as quoted by The Compounder; INNOVA gave the
    dose "before going to sleep", NCT04739995). ``MORNING`` is the usual move when LDN disturbs
    sleep (naltrexone.com; ClearSpring Rx: low-quality sources, see ``docs/titration.md``).
    """

    BEDTIME = "bedtime"
    MORNING = "morning"


def decimal_str(value: Decimal) -> str:
    """Render a Decimal exactly, without exponent or trailing zeros (``Decimal("2.0")`` → ``"2"``).

    JSON carries doses as strings so that no program reads them back as binary floats.
    """
    if not value.is_finite():
        raise RegimenError(f"{value} is not a finite number; give a plain decimal such as 1.5.")
    return normalised(value)


@dataclass(frozen=True, slots=True)
class TitrationStep:
    """One dated step of a titration plan.

    Parameters
    ----------
    start : date
        First day of the step (inclusive).
    end : date or None
        Last day of the step (inclusive); ``None`` means "thereafter" (only the last step).
    dose_mg : Decimal
        Daily dose in milligrams of naltrexone hydrochloride (see ``docs/compounding.md``).
    time : DoseTime
        When in the day the dose is taken.
    note : str
        Why the step differs from the protocol (an applied tolerability rule), else ``""``.
    """

    start: date
    end: date | None
    dose_mg: Decimal
    time: DoseTime = DoseTime.BEDTIME
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.dose_mg, Decimal) or not self.dose_mg.is_finite():
            raise RegimenError(
                f"dose_mg must be a finite Decimal in mg, got {self.dose_mg!r}; "
                "pass Decimal('1.5'), never a float."
            )
        if self.dose_mg <= 0:
            raise RegimenError(
                f"dose_mg must be positive, got {self.dose_mg} mg; a pause is a gap in the plan, "
                "not a zero dose."
            )
        if self.end is not None and self.end < self.start:
            raise RegimenError(
                f"step ends ({self.end}) before it starts ({self.start}); give an end on or "
                "after the start."
            )

    @property
    def days(self) -> int | None:
        """Length in days (inclusive of both ends), or ``None`` when open-ended."""
        if self.end is None:
            return None
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside this step."""
        return self.start <= day and (self.end is None or day <= self.end)

    def to_dict(self) -> dict[str, str | int | None]:
        """JSON-ready mapping; the dose is an exact decimal string."""
        return {
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "dose_mg": decimal_str(self.dose_mg),
            "time": self.time.value,
            "days": self.days,
            "note": self.note,
        }


def validate_schedule(steps: Sequence[TitrationStep]) -> tuple[TitrationStep, ...]:
    """Check that steps are contiguous and only the last is open-ended; return them as a tuple."""
    result = tuple(steps)
    if not result:
        raise RegimenError("a schedule needs at least one step; add a step with a dose.")
    for number, (current, following) in enumerate(itertools.pairwise(result), 1):
        if current.end is None:
            raise RegimenError(
                f"step {number} is open-ended but is not the last step; give it an end date."
            )
        if following.start != current.end + timedelta(days=1):
            raise RegimenError(
                f"step {number + 1} starts {following.start} but step {number} ends "
                f"{current.end}; steps must follow each other day by day without gaps."
            )
    return result


def extend_through(steps: Sequence[TitrationStep], through: date) -> tuple[TitrationStep, ...]:
    """Cut or extend a schedule so that it ends exactly on ``through`` (inclusive).

    Steps starting after ``through`` are dropped, the step containing it is cut there, and an
    open-ended (or too short) final step is continued at its dose until ``through``.
    """
    plan = validate_schedule(steps)
    if through < plan[0].start:
        raise RegimenError(
            f"the horizon {through} is before the plan starts ({plan[0].start}); "
            "give a date on or after the start."
        )
    kept: list[TitrationStep] = []
    for step in plan:
        if step.start > through:
            break
        end = through if step.end is None or step.end > through else step.end
        kept.append(
            TitrationStep(
                start=step.start, end=end, dose_mg=step.dose_mg, time=step.time, note=step.note
            )
        )
    last = kept[-1]
    if last.end is not None and last.end < through:
        kept[-1] = TitrationStep(
            start=last.start, end=through, dose_mg=last.dose_mg, time=last.time, note=last.note
        )
    return tuple(kept)


def _finite_end(step: TitrationStep) -> date:
    if step.end is None:
        raise RegimenError(
            "the last step is open-ended, so the total is unbounded; cut the plan with "
            "extend_through(steps, through=<date>) first."
        )
    return step.end


def _require_finite(steps: Sequence[TitrationStep]) -> tuple[TitrationStep, ...]:
    plan = validate_schedule(steps)
    if plan[-1].end is None:
        raise RegimenError(
            "the last step is open-ended, so the total is unbounded; cut the plan with "
            "extend_through(steps, through=<date>) first."
        )
    return plan


def daily_doses(steps: Sequence[TitrationStep]) -> Iterator[tuple[date, Decimal]]:
    """Yield ``(day, dose_mg)`` for every day of a finite schedule."""
    for step in _require_finite(steps):
        day, end = step.start, _finite_end(step)
        while day <= end:
            yield day, step.dose_mg
            day += timedelta(days=1)


def schedule_days(steps: Sequence[TitrationStep]) -> int:
    """Number of days a finite schedule covers."""
    plan = _require_finite(steps)
    return (_finite_end(plan[-1]) - plan[0].start).days + 1


def total_dose_mg(steps: Sequence[TitrationStep]) -> Decimal:
    r"""Exact total of a finite schedule, :math:`\sum_k d_k n_k` in mg."""
    total = Decimal(0)
    for step in _require_finite(steps):
        total += step.dose_mg * ((_finite_end(step) - step.start).days + 1)
    return total


def schedule_to_dicts(steps: Sequence[TitrationStep]) -> list[dict[str, str | int | None]]:
    """JSON-ready list of steps."""
    return [step.to_dict() for step in steps]
