"""A pharmacy's published price list: packs of capsules or bottles of oral liquid.

A capsule entry has a strength (mg) and a pack counted in capsules; a liquid entry a
concentration (mg/mL), a bottle in mL and its in-use period (how many days an opened bottle may
be used: its beyond-use date, e.g. 14 days for an unpreserved aqueous liquid, USP <795>). Every
price is a whole number of its currency's minor units (``1200 JPY``, ``30.00 USD``), and a list
is in one currency.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from lowdose.errors import PriceListError
from lowdose.pharmacy.units import Money, Quantity, Unit
from lowdose.regimens.steps import decimal_str

__all__ = ["PriceList", "PriceListEntry", "ProductForm"]


class ProductForm(enum.StrEnum):
    CAPSULE = "capsule"
    LIQUID = "liquid"


@dataclass(frozen=True, slots=True)
class PriceListEntry:
    """One pack on a price list.

    Capsules: ``strength_mg`` and a pack in capsules. Liquids: ``concentration_mg_per_ml``, a pack
    in mL and ``in_use_days`` (how long an opened bottle may be used: its BUD).
    """

    form: ProductForm
    pack: Quantity
    price: Money
    strength_mg: Decimal | None = None
    concentration_mg_per_ml: Decimal | None = None
    in_use_days: int | None = None

    def __post_init__(self) -> None:
        if self.price.amount < 0:
            raise PriceListError(f"price {self.price} is negative.", field="price")
        if not self.price.is_whole_minor_units():
            digits = self.price.minor_units
            raise PriceListError(
                f"a price in {self.price.currency} has "
                + ("no decimals" if digits == 0 else f"at most {digits} decimals")
                + f"; {decimal_str(self.price.amount)} {self.price.currency} cannot be charged. "
                f"Give it as e.g. {self.price.rounded()}.",
                field="price",
            )
        if self.pack.value <= 0:
            raise PriceListError(f"pack size {self.pack} must be positive.", field="pack")
        if self.form is ProductForm.CAPSULE:
            self._check_capsule()
        else:
            self._check_liquid()

    def _check_capsule(self) -> None:
        if self.pack.unit is not Unit.CAPSULE or self.strength_mg is None or self.strength_mg <= 0:
            raise PriceListError(
                "a capsule entry needs a positive strength_mg and a pack counted in capsules.",
                field="strength_mg",
            )

    def _check_liquid(self) -> None:
        if (
            self.pack.unit is not Unit.ML
            or self.concentration_mg_per_ml is None
            or self.concentration_mg_per_ml <= 0
        ):
            raise PriceListError(
                "a liquid entry needs a positive concentration_mg_per_ml and a pack in mL.",
                field="concentration_mg_per_ml",
            )
        if self.in_use_days is None or self.in_use_days < 1:
            raise PriceListError(
                "a liquid entry needs in_use_days (the bottle's beyond-use period, e.g. 14 "
                "for an unpreserved aqueous liquid under USP <795>).",
                field="in_use_days",
            )

    @property
    def per_unit_mg(self) -> Fraction:
        """mg per capsule, or mg per mL of liquid."""
        value = (
            self.strength_mg if self.form is ProductForm.CAPSULE else self.concentration_mg_per_ml
        )
        return Fraction(value or 0)

    @property
    def mg_per_pack(self) -> Fraction:
        return Fraction(self.pack.value) * self.per_unit_mg

    @property
    def description(self) -> str:
        if self.form is ProductForm.CAPSULE:
            return f"{decimal_str(self.strength_mg or Decimal(0))} mg capsules × {self.pack}"
        return (
            f"{decimal_str(self.concentration_mg_per_ml or Decimal(0))} mg/mL liquid, {self.pack}"
            f" (used within {self.in_use_days} days of opening)"
        )


@dataclass(frozen=True, slots=True)
class PriceList:
    """A pharmacy's published prices, all in one currency."""

    pharmacy: str
    entries: tuple[PriceListEntry, ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise PriceListError(f"{self.pharmacy}: the price list is empty.", field="entries")
        currencies = {e.price.currency for e in self.entries}
        if len(currencies) != 1:
            raise PriceListError(
                f"{self.pharmacy}: prices mix currencies ({', '.join(sorted(currencies))}); "
                "publish one currency per list.",
                field="currency",
            )

    @property
    def currency(self) -> str:
        return self.entries[0].price.currency

    def of_form(self, form: ProductForm) -> tuple[PriceListEntry, ...]:
        return tuple(e for e in self.entries if e.form is form)
