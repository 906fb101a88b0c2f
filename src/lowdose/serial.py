"""Plain JSON from frozen results, generated from their dataclass fields.

Most results of the core serialise field by field: a :class:`decimal.Decimal` as an exact string
(doses and money are never binary floats in JSON), a date or time in ISO 8601, an enum as its
value, a tuple as a list, a nested result as its own ``to_dict()``. :class:`Plain` gives a
dataclass that ``to_dict`` so that its JSON cannot drift from its fields; a result whose JSON has
another shape (renamed keys, derived values) keeps a ``to_dict`` written by hand.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

__all__ = ["Plain", "exact", "normalised", "plain"]


def exact(value: Decimal) -> str:
    """A Decimal as written (``Decimal("2.50")`` → ``"2.50"``)."""
    return str(value)


def normalised(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros (``Decimal("2.50")`` → ``"2.5"``)."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def plain(value: object, decimal: Callable[[Decimal], str] = exact) -> Any:
    """``value`` as JSON-ready Python: dicts, lists, strings, numbers, booleans and None."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return decimal(value)
    if isinstance(value, enum.Enum):
        return plain(value.value, decimal)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_of(value, decimal)
    if isinstance(value, Mapping):
        return {str(key): plain(item, decimal) for key, item in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return [plain(item, decimal) for item in value]
    raise TypeError(f"{type(value).__name__} has no plain JSON form")


def fields_of(obj: object, decimal: Callable[[Decimal], str] = exact) -> dict[str, Any]:
    """Every dataclass field of ``obj``, in declaration order, as plain JSON."""
    return {
        field.name: plain(getattr(obj, field.name), decimal)
        for field in dataclasses.fields(obj)  # type: ignore[arg-type]
    }


class Plain:
    """Mixin for a frozen dataclass whose JSON is its fields (see the module docstring).

    ``_decimal`` chooses how Decimals read: :func:`exact` (the default) or :func:`normalised`;
    ``_also`` names properties that follow the fields (a derived value a reader needs).
    """

    __slots__ = ()
    _decimal: ClassVar[Callable[[Decimal], str]] = exact
    _also: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: every field, then the ``_also`` properties; Decimals as strings, dates in
        ISO 8601."""
        decimal = type(self)._decimal
        out = fields_of(self, decimal)
        for name in self._also:
            out[name] = plain(getattr(self, name), decimal)
        return out
