"""Capsules or an oral liquid: the one place a prescription's form picks the core's compounding
functions (:mod:`lowdose.pharmacy`).

:func:`preparation_for` turns the stored or entered form into a :class:`Capsules` or an
:class:`OralLiquid`; writing a plan (:mod:`apps.clinical.actions.prescriptions`), adjusting it,
its supply and its worksheets (:mod:`apps.pharmacy.queries`) all ask the preparation, so the
branch on the form is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lowdose.errors import InputError
from lowdose.pharmacy import (
    MIN_WEIGHABLE,
    ProductForm,
    Worksheet,
    capsule_supply,
    capsule_worksheets,
    liquid_batches,
    liquid_supply,
)
from lowdose.pharmacy.supply import TitrationSupply
from lowdose.regimens import TitrationStep

__all__ = ["Capsules", "OralLiquid", "Preparation", "preparation_for"]


@dataclass(frozen=True, slots=True)
class Capsules:
    """One capsule per dose (the core picks the strengths)."""

    form: ProductForm = ProductForm.CAPSULE

    @property
    def concentration_mg_per_ml(self) -> Decimal | None:
        return None

    def supply(self, steps: Sequence[TitrationStep]) -> TitrationSupply:
        """The capsules the plan needs; the core refuses a dose that is not whole capsules."""
        return capsule_supply(steps)

    def worksheets(
        self,
        steps: Sequence[TitrationStep],
        source: str,
        *,
        preserved: bool,
        today: date,
        min_weighable_mg: Decimal = MIN_WEIGHABLE.value,
    ) -> tuple[Worksheet, ...]:
        """One worksheet per capsule strength, compounded ``today`` (``preserved`` is for
        liquids only; ``min_weighable_mg``: the pharmacy balance's minimum weighable quantity)."""
        return capsule_worksheets(
            steps, source, compounded_on=today, min_weighable_mg=min_weighable_mg
        )


@dataclass(frozen=True, slots=True)
class OralLiquid:
    """An oral liquid of ``concentration_mg_per_ml``, measured with the core's oral syringe."""

    concentration_mg_per_ml: Decimal
    form: ProductForm = ProductForm.LIQUID

    def supply(self, steps: Sequence[TitrationStep]) -> TitrationSupply:
        """The volume the plan needs; the core refuses a dose off the syringe's marks."""
        return liquid_supply(steps, self.concentration_mg_per_ml)

    def worksheets(
        self,
        steps: Sequence[TitrationStep],
        source: str,
        *,
        preserved: bool,
        today: date,
        min_weighable_mg: Decimal = MIN_WEIGHABLE.value,
    ) -> tuple[Worksheet, ...]:
        """One worksheet per beyond-use window, each compounded on its first day."""
        return liquid_batches(
            steps,
            self.concentration_mg_per_ml,
            source,
            preserved=preserved,
            min_weighable_mg=min_weighable_mg,
        )


Preparation = Capsules | OralLiquid


def preparation_for(form: str, concentration_mg_per_ml: Decimal | None = None) -> Preparation:
    """The preparation for a form (``"capsule"`` or ``"liquid"``, :class:`ProductForm`).

    A capsule ignores the concentration. Raises :class:`~lowdose.errors.InputError` for a liquid
    without a concentration (``field="concentration"``) or any other form (``field="form"``).
    """
    if form == ProductForm.CAPSULE:
        return Capsules()
    if form == ProductForm.LIQUID:
        if concentration_mg_per_ml is None:
            raise InputError(
                "Give the liquid's concentration in mg/mL (e.g. 1).", field="concentration"
            )
        return OralLiquid(Decimal(concentration_mg_per_ml))
    raise InputError("Choose capsules or oral liquid.", field="form")
