"""How much to make for a whole titration: exact totals from the dated plan.

For a finite plan with steps :math:`k` (daily dose :math:`d_k` mg for :math:`n_k` days),

.. math::

    D = \\sum_k n_k d_k \\ \\text{mg}, \\qquad
    V = \\sum_k n_k \\frac{d_k}{c} = \\frac{D}{c} \\ \\text{mL}, \\qquad
    N_s = \\sum_{k:\\,s_k = s} n_k \\frac{d_k}{s} \\ \\text{capsules of strength } s .

A liquid step is refused when its dose volume :math:`d_k / c` is not on a syringe mark; a capsule
step is refused when :math:`d_k / s` is not a whole number of capsules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lowdose.errors import CompoundingError
from lowdose.pharmacy.formulation import Syringe
from lowdose.pharmacy.units import Concentration, Quantity, Unit, as_decimal
from lowdose.regimens.steps import TitrationStep, decimal_str, validate_schedule

__all__ = [
    "SupplyLine",
    "TitrationSupply",
    "capsule_strength_for",
    "capsule_supply",
    "liquid_supply",
    "titration_directions",
]


@dataclass(frozen=True, slots=True)
class SupplyLine:
    """One step of the plan and what it consumes."""

    step: TitrationStep
    days: int
    per_dose: Quantity
    step_total: Quantity
    step_mg: Quantity
    strength_or_concentration: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.step.start.isoformat(),
            "end": None if self.step.end is None else self.step.end.isoformat(),
            "dose_mg": decimal_str(self.step.dose_mg),
            "days": self.days,
            "per_dose": self.per_dose.to_dict(),
            "step_total": self.step_total.to_dict(),
            "step_mg": decimal_str(self.step_mg.value),
            "product": self.strength_or_concentration,
        }


@dataclass(frozen=True, slots=True)
class TitrationSupply:
    """Exact quantities for a whole plan: total naltrexone and total per product."""

    form: str
    lines: tuple[SupplyLine, ...]
    total_mg: Quantity
    totals: tuple[tuple[str, Quantity], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "lines": [line.to_dict() for line in self.lines],
            "total_mg": decimal_str(self.total_mg.value),
            "totals": [{"product": name, **q.to_dict()} for name, q in self.totals],
        }

    def summary(self) -> str:
        parts = ", ".join(f"{q} of {name}" for name, q in self.totals)
        return f"{self.form}: {self.total_mg} naltrexone HCl in all ({parts})"


def _finite(steps: Sequence[TitrationStep]) -> tuple[TitrationStep, ...]:
    plan = validate_schedule(steps)
    if plan[-1].end is None:
        raise CompoundingError(
            "the plan's last step is open-ended; cut it at the supply date with "
            "lowdose.regimens.extend_through(steps, through=<date>) first.",
            field="steps",
        )
    return plan


def _days(step: TitrationStep) -> int:
    if step.end is None:  # pragma: no cover - _finite rejects it first
        raise CompoundingError("open-ended step", field="steps")
    return (step.end - step.start).days + 1


def liquid_supply(
    steps: Sequence[TitrationStep],
    concentration_mg_per_ml: Decimal | str,
    *,
    syringe: Syringe | None = None,
) -> TitrationSupply:
    """Total volume of a liquid for the plan; each dose is checked on the syringe."""
    conc = Concentration(as_decimal(concentration_mg_per_ml, "concentration"))
    tool = Syringe() if syringe is None else syringe
    lines: list[SupplyLine] = []
    total_ml = Quantity(Decimal(0), Unit.ML)
    total_mg = Quantity(Decimal(0), Unit.MG)
    for step in _finite(steps):
        dose = Quantity(step.dose_mg, Unit.MG)
        volume = conc.volume_for(dose)
        tool.check(dose, volume)
        days = _days(step)
        line = SupplyLine(step, days, volume, volume * days, dose * days, f"{conc} oral liquid")
        lines.append(line)
        total_ml = total_ml + line.step_total
        total_mg = total_mg + line.step_mg
    return TitrationSupply("liquid", tuple(lines), total_mg, ((f"{conc} oral liquid", total_ml),))


def capsule_strength_for(dose_mg: Decimal, strength_mg: Decimal | None = None) -> Decimal:
    """The capsule strength the worksheet compounds for a daily dose: one capsule per dose
    (strength = dose) by default, else the one fixed strength. The worksheet and the supply ask
    this function; the cost page prices the prescription this way (one capsule a dose) beside
    the cheapest purchase, which may combine two capsules."""
    return dose_mg if strength_mg is None else strength_mg


def capsule_supply(
    steps: Sequence[TitrationStep], strength_mg: Decimal | str | None = None
) -> TitrationSupply:
    """Capsules for the plan: one strength for all steps, or (default) one capsule per dose."""
    fixed = None if strength_mg is None else as_decimal(strength_mg, "strength")
    lines: list[SupplyLine] = []
    per_strength: dict[Decimal, Quantity] = {}
    total_mg = Quantity(Decimal(0), Unit.MG)
    for step in _finite(steps):
        strength = capsule_strength_for(step.dose_mg, fixed)
        if strength <= 0:
            raise CompoundingError(
                f"strength must be positive, got {strength} mg.", field="strength"
            )
        dose_q, strength_q = Quantity(step.dose_mg, Unit.MG), Quantity(strength, Unit.MG)
        if not dose_q.is_whole_multiple_of(strength_q):
            raise CompoundingError(
                f"a {decimal_str(step.dose_mg)} mg dose is not a whole number of "
                f"{decimal_str(strength)} mg capsules; choose a strength that divides every "
                "dose (e.g. 0.5 mg) or a liquid.",
                field="strength",
            )
        days = _days(step)
        count = Quantity(dose_q.ratio(strength_q), Unit.CAPSULE)
        name = f"naltrexone HCl {decimal_str(strength)} mg capsules"
        line = SupplyLine(
            step, days, count, count * days, Quantity(step.dose_mg, Unit.MG) * days, name
        )
        lines.append(line)
        per_strength[strength] = per_strength.get(strength, Quantity(Decimal(0), Unit.CAPSULE)) + (
            count * days
        )
        total_mg = total_mg + line.step_mg
    totals = tuple(
        (f"naltrexone HCl {decimal_str(s)} mg capsules", q) for s, q in sorted(per_strength.items())
    )
    return TitrationSupply("capsule", tuple(lines), total_mg, totals)


def titration_directions(
    steps: Sequence[TitrationStep],
    *,
    concentration_mg_per_ml: Decimal | str | None = None,
    capsule_strength_mg: Decimal | str | None = None,
) -> str:
    """Label directions for a dated plan, e.g. "1.5 mL (1.5 mg) at bedtime from ... to ...; then".

    Volumes and capsule counts are exact (refused when they are not whole marks / capsules).
    """
    plan = validate_schedule(steps)
    conc = (
        None
        if concentration_mg_per_ml is None
        else Concentration(as_decimal(concentration_mg_per_ml, "concentration"))
    )
    strength = (
        None
        if capsule_strength_mg is None
        else Quantity(as_decimal(capsule_strength_mg, "strength"), Unit.MG)
    )
    parts: list[str] = []
    for step in plan:
        dose = Quantity(step.dose_mg, Unit.MG)
        if conc is not None:
            amount = f"{conc.volume_for(dose)} ({dose})"
        elif strength is not None:
            if not dose.is_whole_multiple_of(strength):
                raise CompoundingError(
                    f"a {dose} dose is not a whole number of {strength} capsules.", field="strength"
                )
            count = Quantity(dose.ratio(strength), Unit.CAPSULE)
            amount = f"{count} ({dose})"
        else:
            amount = str(dose)
        when = "at bedtime" if step.time.value == "bedtime" else "in the morning"
        span = (
            f"from {step.start.isoformat()} onwards"
            if step.end is None
            else f"from {step.start.isoformat()} to {step.end.isoformat()}"
        )
        parts.append(f"take {amount} by mouth {when} {span}")
    return "; then ".join(parts)
