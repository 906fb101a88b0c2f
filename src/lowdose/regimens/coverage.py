"""Does a supply cover the plan it prints, and is its start date plausible?

A supply of :math:`S` days from ``start`` covers the titration when it reaches the protocol's
target (last) dose. With step lengths :math:`n_1, \\dots, n_{K-1}` before the target step, the
target starts on day

.. math::

    T = 1 + \\sum_{k<K} n_k ,

so a supply covers the plan when :math:`S \\ge T`. An 84-day supply of ``ldnrt-standard``
(1.5 mg, +0.5 mg every 14 days to 4.5 mg) ends on 4 mg on day 84; the target starts on day 85.

Product rules (not clinical constants; they say so where they are used):

* :data:`MAINTENANCE_DAYS` — the default supply is the titration to its target plus four weeks
  at the target, so the patient is not left at a step below it while the next supply is written.
* :data:`START_HORIZON_DAYS` — a first dose more than 90 days ahead is refused: a plan written
  that far ahead rests on a screen and a medication list that will be out of date (a typing
  slip such as 2035 for 2025 is the usual cause).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lowdose.errors import RegimenError
from lowdose.regimens.protocol import Protocol
from lowdose.regimens.steps import decimal_str

__all__ = [
    "MAINTENANCE_DAYS",
    "START_HORIZON_DAYS",
    "SupplyCoverage",
    "check_start",
    "check_supply_covers",
    "default_supply_days",
    "supply_coverage",
]

#: Default days at the target dose after the titration (a product default: four weeks).
MAINTENANCE_DAYS = 28
#: Latest first dose accepted, in days from today (a product rule, see the module docstring).
START_HORIZON_DAYS = 90


@dataclass(frozen=True, slots=True)
class SupplyCoverage:
    """Where a supply of ``supply_days`` from ``start`` ends, against the plan's target.

    ``target_day`` is the 1-based day number on which the target dose starts (day 1 = start).
    """

    start: date
    supply_days: int
    last_dose_mg: Decimal
    target_dose_mg: Decimal
    target_day: int

    @property
    def last_day(self) -> date:
        return self.start + timedelta(days=self.supply_days - 1)

    @property
    def target_on(self) -> date:
        return self.start + timedelta(days=self.target_day - 1)

    @property
    def covers(self) -> bool:
        """Whether the supply reaches the target dose."""
        return self.supply_days >= self.target_day

    def message(self) -> str:
        """What is missing and what to do (empty when the supply covers the plan)."""
        if self.covers:
            return ""
        return (
            f"This supply ends on {self.last_day.isoformat()} (day {self.supply_days}) at "
            f"{decimal_str(self.last_dose_mg)} mg; the plan reaches its "
            f"{decimal_str(self.target_dose_mg)} mg target on {self.target_on.isoformat()} "
            f"(day {self.target_day}). Choose a supply of at least {self.target_day} days, or a "
            "plan that reaches its target sooner."
        )


def supply_coverage(protocol: Protocol, start: date, supply_days: int) -> SupplyCoverage:
    """Compare a supply with the protocol's titration (``supply_days`` ≥ 1)."""
    if isinstance(supply_days, bool) or supply_days < 1:
        raise RegimenError(
            f"the supply must be at least 1 day, got {supply_days!r}.", field="supply_days"
        )
    last = start + timedelta(days=supply_days - 1)
    steps = protocol.schedule(start, through=last)
    return SupplyCoverage(
        start=start,
        supply_days=supply_days,
        last_dose_mg=steps[-1].dose_mg,
        target_dose_mg=protocol.target_dose_mg,
        target_day=protocol.titration_days + 1,
    )


def check_supply_covers(protocol: Protocol, start: date, supply_days: int) -> SupplyCoverage:
    """The coverage, or :class:`RegimenError` (``field="supply_days"``) saying what is missing."""
    coverage = supply_coverage(protocol, start, supply_days)
    if not coverage.covers:
        raise RegimenError(coverage.message(), field="supply_days")
    return coverage


def default_supply_days(protocol: Protocol, *, ceiling: int | None = None) -> int:
    """The titration to its target plus :data:`MAINTENANCE_DAYS` at the target, at most
    ``ceiling`` days (the capsule beyond-use date, when given)."""
    days = protocol.titration_days + MAINTENANCE_DAYS
    return days if ceiling is None else min(days, ceiling)


def check_start(start: date, today: date, *, horizon_days: int = START_HORIZON_DAYS) -> date:
    """``start`` if it is today or within ``horizon_days`` days ahead, else :class:`RegimenError`
    (``field="start"``) saying which dates are accepted."""
    if start < today:
        raise RegimenError(
            f"The first dose ({start.isoformat()}) is in the past; start today "
            f"({today.isoformat()}) or later.",
            field="start",
        )
    latest = today + timedelta(days=horizon_days)
    if start > latest:
        raise RegimenError(
            f"The first dose ({start.isoformat()}) is more than {horizon_days} days ahead; "
            f"choose a date up to {latest.isoformat()}, and write the prescription nearer the "
            "time if it starts later.",
            field="start",
        )
    return start
