"""From a dated titration plan to what the pharmacy makes: batches that respect the BUD.

A liquid's beyond-use date is shorter than most plans (14 days unpreserved, 35 preserved), so the
plan is cut into consecutive windows of at most :math:`B` days (the BUD), each compounded on its
first day and dispensed with the exact volume those days need:

.. math::

    W_j = [\\,t_0 + jB,\\; t_0 + (j+1)B - 1\\,], \\qquad
    V_j = \\sum_{t \\in W_j} d_t / c .

Capsules (180-day BUD) are made one worksheet per strength with the count the plan needs.
Every worksheet is the ordinary :class:`~lowdose.pharmacy.worksheet.Worksheet`, so the same
refusals apply (a dose between syringe marks, a strength above the maximum).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from lowdose.errors import CompoundingError, RegimenError
from lowdose.pharmacy.bud import BudCategory, Storage, beyond_use
from lowdose.pharmacy.capsules import CapsuleCompounding
from lowdose.pharmacy.formulation import IngredientSource, Syringe
from lowdose.pharmacy.liquid import LiquidCompounding
from lowdose.pharmacy.supply import (
    capsule_strength_for,
    capsule_supply,
    liquid_supply,
    titration_directions,
)
from lowdose.pharmacy.units import as_decimal
from lowdose.pharmacy.weighing import MIN_WEIGHABLE
from lowdose.pharmacy.worksheet import Worksheet
from lowdose.regimens.steps import TitrationStep, validate_schedule

__all__ = ["capsule_worksheets", "liquid_batches", "split_plan"]


def _cut(plan: tuple[TitrationStep, ...], first: date, last: date) -> tuple[TitrationStep, ...]:
    kept = []
    for step in plan:
        end = step.end
        if end is not None and end < first:
            continue
        if step.start > last:
            break
        kept.append(
            TitrationStep(
                start=max(step.start, first),
                end=last if end is None or end > last else end,
                dose_mg=step.dose_mg,
                time=step.time,
                note=step.note,
            )
        )
    return tuple(kept)


def split_plan(steps: Sequence[TitrationStep], days: int) -> tuple[tuple[TitrationStep, ...], ...]:
    """Cut a finite plan into consecutive windows of at most ``days`` days."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise CompoundingError(f"window length must be ≥ 1 day, got {days!r}.", field="days")
    plan = validate_schedule(steps)
    last_day = plan[-1].end
    if last_day is None:
        raise CompoundingError(
            "the plan's last step is open-ended; cut it with "
            "lowdose.regimens.extend_through(steps, through=<date>) first.",
            field="steps",
        )
    windows = []
    first = plan[0].start
    while first <= last_day:
        last = min(first + timedelta(days=days - 1), last_day)
        windows.append(_cut(plan, first, last))
        first = last + timedelta(days=1)
    return tuple(windows)


def liquid_batches(
    steps: Sequence[TitrationStep],
    concentration_mg_per_ml: Decimal | str,
    source: IngredientSource | str,
    *,
    preserved: bool = False,
    storage: Storage | None = None,
    syringe: Syringe | None = None,
    min_weighable_mg: Decimal | str = MIN_WEIGHABLE.value,
) -> tuple[Worksheet, ...]:
    """One liquid worksheet per BUD window, compounded on the window's first day
    (``min_weighable_mg``: the pharmacy balance's minimum weighable quantity)."""
    category = BudCategory.AQUEOUS_PRESERVED if preserved else BudCategory.AQUEOUS_NONPRESERVED
    bud = beyond_use(category, storage)
    conc = as_decimal(concentration_mg_per_ml, "concentration")
    sheets = []
    for window in split_plan(steps, bud.days):
        supply = liquid_supply(window, conc, syringe=syringe)
        ((_, volume),) = supply.totals
        sheets.append(
            LiquidCompounding(
                conc,
                volume.value,
                source,
                preserved=preserved,
                storage=storage,
                syringe=syringe,
                min_weighable_mg=min_weighable_mg,
                doses_mg=sorted({s.dose_mg for s in window}),
                compounded_on=window[0].start,
                directions=titration_directions(window, concentration_mg_per_ml=conc),
            ).fit()
        )
    return tuple(sheets)


def capsule_worksheets(
    steps: Sequence[TitrationStep],
    source: IngredientSource | str,
    *,
    strength_mg: Decimal | str | None = None,
    compounded_on: date | None = None,
    min_weighable_mg: Decimal | str = MIN_WEIGHABLE.value,
) -> tuple[Worksheet, ...]:
    """One capsule worksheet per strength the plan needs (one capsule per dose by default;
    ``min_weighable_mg``: the pharmacy balance's minimum weighable quantity)."""
    plan = validate_schedule(steps)
    supply = capsule_supply(plan, strength_mg)
    made_on = plan[0].start if compounded_on is None else compounded_on
    bud = beyond_use(BudCategory.NONAQUEOUS_SOLID)
    if plan[-1].end is not None and (plan[-1].end - made_on).days >= bud.days:
        raise CompoundingError(
            f"the plan runs past the {bud.days}-day beyond-use date of capsules made on "
            f"{made_on}; split it with split_plan(steps, {bud.days}).",
            field="steps",
        )
    fixed = None if strength_mg is None else as_decimal(strength_mg, "strength")
    sheets = []
    for line_strength in sorted(
        {capsule_strength_for(line.step.dose_mg, fixed) for line in supply.lines}
    ):
        used = [
            line.step
            for line in supply.lines
            if strength_mg is not None or line.step.dose_mg == line_strength
        ]
        count = sum(
            int(line.step_total.value)
            for line in supply.lines
            if strength_mg is not None or line.step.dose_mg == line_strength
        )
        sheets.append(
            CapsuleCompounding(
                line_strength,
                count,
                source,
                compounded_on=made_on,
                min_weighable_mg=min_weighable_mg,
                directions=(
                    titration_directions(used, capsule_strength_mg=line_strength)
                    if _contiguous(used)
                    else None
                ),
            ).fit()
        )
    return tuple(sheets)


def _contiguous(steps: list[TitrationStep]) -> bool:
    try:
        validate_schedule(steps)
    except RegimenError:
        return False
    return True
