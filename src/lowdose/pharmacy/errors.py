"""Errors raised by :mod:`lowdose.pharmacy` (the tree is drawn in the package docstring)."""

from __future__ import annotations

from lowdose.errors import InputError, LowdoseError

__all__ = ["CompoundingError", "PharmacyError", "PriceListError", "UnitMismatchError"]


class PharmacyError(InputError):
    """A pharmacy request cannot be fulfilled with the values given."""


class CompoundingError(PharmacyError):
    """A preparation is refused (impossible, unsafe or not exactly measurable); says why."""


class PriceListError(PharmacyError):
    """A price list or a cost question is inconsistent (currency, missing product)."""


class UnitMismatchError(LowdoseError, TypeError):
    """Two quantities with different units were combined (mg with mL, mL with capsules)."""
