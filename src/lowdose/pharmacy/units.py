"""Exact quantities with units, concentrations and money: mg, mL and counts never mix.

Every number on a worksheet is a :class:`Quantity` (a :class:`~decimal.Decimal` with a
:class:`Unit`). Adding or comparing quantities of different units raises
:class:`~lowdose.errors.UnitMismatchError`; the only conversions are the physical ones,

.. math::

    V\\,[\\text{mL}] = \\frac{m\\,[\\text{mg}]}{c\\,[\\text{mg/mL}]}, \\qquad
    m\\,[\\text{mg}] = c\\,[\\text{mg/mL}] \\times V\\,[\\text{mL}].

Arithmetic runs inside :func:`exact`, a decimal context that *traps* inexact results: a division
that would have to round (1 mg at 3 mg/mL = 0.333… mL) raises instead of rounding silently, and the
caller turns that into a refusal with a reason.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction

from lowdose.errors import CompoundingError, PriceListError, UnitMismatchError
from lowdose.pharmacy.currency import minor_units
from lowdose.regimens.steps import decimal_str

__all__ = [
    "Concentration",
    "Money",
    "Quantity",
    "Unit",
    "as_decimal",
    "exact",
    "is_exact",
    "mg",
    "ml",
]


class Unit(enum.StrEnum):
    """Units a worksheet may use. Counts are per item kind so capsules never add to tablets."""

    MG = "mg"
    ML = "mL"
    TABLET = "tablet"
    CAPSULE = "capsule"
    BOTTLE = "bottle"

    @property
    def is_count(self) -> bool:
        return self in {Unit.TABLET, Unit.CAPSULE, Unit.BOTTLE}


#: A context wide enough for any pharmacy quantity, trapping every rounding.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])


@contextmanager
def exact() -> Iterator[Context]:
    """Decimal context in which any rounding raises :class:`decimal.Inexact`."""
    with localcontext(_EXACT) as ctx:
        yield ctx


def is_exact(numerator: Decimal, denominator: Decimal) -> bool:
    """Whether ``numerator / denominator`` is a finite decimal (no rounding needed)."""
    try:
        with exact():
            _ = numerator / denominator  # evaluated for the Inexact trap only
    except (Inexact, DivisionByZero, InvalidOperation):
        return False
    return True


def as_decimal(value: object, field: str) -> Decimal:
    """Parse a user value into a finite Decimal; floats are refused (they are not exact)."""
    if isinstance(value, bool | float):
        raise CompoundingError(
            f"{field} was given as {type(value).__name__} {value!r}; give it as a decimal string "
            "such as '4.5' so it stays exact.",
            field=field,
        )
    try:
        result = Decimal(value) if isinstance(value, int | str) else value
    except InvalidOperation as exc:
        raise CompoundingError(
            f"{field}={value!r} is not a number; give e.g. '4.5'.", field=field
        ) from exc
    if not isinstance(result, Decimal) or not result.is_finite():
        raise CompoundingError(
            f"{field}={value!r} is not a finite number; give e.g. '4.5'.", field=field
        )
    return result


def _check_same(a: Quantity, b: Quantity, op: str) -> None:
    if a.unit is not b.unit:
        raise UnitMismatchError(
            f"cannot {op} {a} and {b}: units differ ({a.unit.value} vs {b.unit.value}); convert "
            "with a concentration or keep the quantities separate."
        )


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact amount with a unit, e.g. ``Quantity(Decimal("4.5"), Unit.MG)``."""

    value: Decimal
    unit: Unit

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise UnitMismatchError(
                f"a quantity needs a finite Decimal value, got {self.value!r} ({self.unit})."
            )
        if not isinstance(self.unit, Unit):
            raise UnitMismatchError(f"unknown unit {self.unit!r}; use lowdose.pharmacy.Unit.")
        if self.unit.is_count and self.value != self.value.to_integral_value():
            raise UnitMismatchError(
                f"a count of {self.unit.value}s must be whole, got {self.value}."
            )

    def __add__(self, other: Quantity) -> Quantity:
        _check_same(self, other, "add")
        with exact():
            return Quantity(self.value + other.value, self.unit)

    def __sub__(self, other: Quantity) -> Quantity:
        _check_same(self, other, "subtract")
        with exact():
            return Quantity(self.value - other.value, self.unit)

    def __mul__(self, factor: int | Decimal) -> Quantity:
        if isinstance(factor, Quantity | float | bool):
            raise UnitMismatchError(
                f"a quantity can only be scaled by an int or Decimal, got {factor!r}."
            )
        with exact():
            return Quantity(self.value * factor, self.unit)

    __rmul__ = __mul__

    def ratio(self, other: Quantity) -> Decimal:
        """Exact dimensionless ratio of two quantities of the same unit."""
        _check_same(self, other, "divide")
        with exact():
            return self.value / other.value

    def is_whole_multiple_of(self, other: Quantity) -> bool:
        """Whether ``self`` is an integer number of ``other`` (exact rational test)."""
        _check_same(self, other, "divide")
        return (Fraction(self.value) / Fraction(other.value)).denominator == 1

    def _cmp(self, other: object) -> tuple[Decimal, Decimal]:
        if not isinstance(other, Quantity):
            raise UnitMismatchError(f"cannot compare {self} with {other!r}.")
        _check_same(self, other, "compare")
        return self.value, other.value

    def __lt__(self, other: object) -> bool:
        a, b = self._cmp(other)
        return a < b

    def __le__(self, other: object) -> bool:
        a, b = self._cmp(other)
        return a <= b

    def __gt__(self, other: object) -> bool:
        a, b = self._cmp(other)
        return a > b

    def __ge__(self, other: object) -> bool:
        a, b = self._cmp(other)
        return a >= b

    def __str__(self) -> str:
        plural = "s" if self.unit.is_count and self.value != 1 else ""
        return f"{decimal_str(self.value)} {self.unit.value}{plural}"

    def to_dict(self) -> dict[str, str]:
        return {"quantity": decimal_str(self.value), "unit": self.unit.value}


def mg(value: Decimal | int | str) -> Quantity:
    """Shorthand for a mass in mg."""
    return Quantity(Decimal(value), Unit.MG)


def ml(value: Decimal | int | str) -> Quantity:
    """Shorthand for a volume in mL."""
    return Quantity(Decimal(value), Unit.ML)


@dataclass(frozen=True, slots=True)
class Concentration:
    """Mass per volume in mg/mL; converts between mg and mL exactly or refuses."""

    mg_per_ml: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.mg_per_ml, Decimal) or not self.mg_per_ml.is_finite():
            raise CompoundingError(
                f"concentration must be a finite Decimal, got {self.mg_per_ml!r}.",
                field="concentration",
            )
        if self.mg_per_ml <= 0:
            raise CompoundingError(
                f"concentration must be positive, got {self.mg_per_ml} mg/mL.",
                field="concentration",
            )

    def volume_for(self, mass: Quantity) -> Quantity:
        """:math:`V = m / c`; raises :class:`CompoundingError` when it is not a finite decimal."""
        if mass.unit is not Unit.MG:
            raise UnitMismatchError(f"volume_for needs a mass in mg, got {mass}.")
        if not is_exact(mass.value, self.mg_per_ml):
            raise CompoundingError(
                f"{mass} at {self} is not a finite number of mL (it would have to be rounded); "
                "choose a concentration that divides the dose, e.g. 1 mg/mL.",
                field="concentration",
            )
        with exact():
            return Quantity(mass.value / self.mg_per_ml, Unit.ML)

    def mass_in(self, volume: Quantity) -> Quantity:
        """:math:`m = c V`."""
        if volume.unit is not Unit.ML:
            raise UnitMismatchError(f"mass_in needs a volume in mL, got {volume}.")
        with exact():
            return Quantity(self.mg_per_ml * volume.value, Unit.MG)

    def __str__(self) -> str:
        return f"{decimal_str(self.mg_per_ml)} mg/mL"


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one ISO 4217 currency; different currencies never add or compare.

    The currency must be an active ISO 4217 code (:mod:`lowdose.pharmacy.currency`); amounts are
    shown with the currency's minor units (``1200 JPY``, ``30.00 USD``, ``1.500 BHD``), and an
    amount finer than that (an average before rounding) is shown exactly, never rounded silently.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise PriceListError(
                f"a price must be a finite Decimal, got {self.amount!r}; give "
                "it as a string such as '29.95'.",
                field="price",
            )
        minor_units(self.currency)  # PriceListError for "XYZ", "usd", "XAU"

    @property
    def minor_units(self) -> int:
        """Decimals of the currency's minor unit (JPY 0, USD 2, BHD 3)."""
        return minor_units(self.currency)

    @property
    def quantum(self) -> Decimal:
        """The currency's smallest unit as a Decimal exponent (``Decimal("0.01")`` for USD)."""
        return Decimal(1).scaleb(-self.minor_units)

    def is_whole_minor_units(self) -> bool:
        """Whether the amount is a whole number of minor units (a price someone can charge)."""
        return self.amount == self.amount.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def rounded(self) -> Money:
        """Rounded half-up to the currency's minor unit (only for averages and products)."""
        return Money(self.amount.quantize(self.quantum, rounding=ROUND_HALF_UP), self.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other, "add")
        with exact():
            return Money(self.amount + other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float | bool | Money):
            raise PriceListError(f"money can only be scaled by an int or Decimal, got {factor!r}.")
        with exact():
            return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def _same(self, other: object, op: str) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise PriceListError(
                f"cannot {op} {self} and {other}: currencies differ; amounts in different "
                "currencies are compared only after conversion at a rate the clinic enters.",
                field="currency",
            )

    def __lt__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount >= other.amount

    def _amount_str(self) -> str:
        if self.amount.adjusted() < 20 and self.is_whole_minor_units():
            return f"{self.amount.quantize(self.quantum):f}"  # padding or trimming zeros: exact
        return decimal_str(self.amount)

    def __str__(self) -> str:
        return f"{self._amount_str()} {self.currency}"

    def to_dict(self) -> dict[str, str]:
        return {"amount": self._amount_str(), "currency": self.currency}
