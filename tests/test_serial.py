"""lowdose.serial: plain JSON generated from a result's dataclass fields."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from lowdose.serial import Plain, exact, normalised, plain


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True, slots=True)
class Inner(Plain):
    dose_mg: Decimal
    when: date


@dataclass(frozen=True)
class Outer(Plain):
    name: str
    inner: Inner
    values: tuple[float, ...]
    by_arm: dict[str, int]
    colour: Colour
    missing: None = None

    @property
    def count(self) -> int:
        return len(self.values)

    _also = ("count",)


@dataclass(frozen=True, slots=True)
class Dose(Plain):
    dose_mg: Decimal
    _decimal = normalised


def test_fields_in_order_then_the_also_properties() -> None:
    outer = Outer(
        name="a",
        inner=Inner(Decimal("2.50"), date(2026, 3, 29)),
        values=(1.5, 2.0),
        by_arm={"A": 1},
        colour=Colour.RED,
    )
    out = outer.to_dict()
    assert list(out) == ["name", "inner", "values", "by_arm", "colour", "missing", "count"]
    assert out == {
        "name": "a",
        "inner": {"dose_mg": "2.50", "when": "2026-03-29"},
        "values": [1.5, 2.0],
        "by_arm": {"A": 1},
        "colour": "red",
        "missing": None,
        "count": 2,
    }
    json.dumps(out)  # JSON-ready: no Decimal, date or enum left


@pytest.mark.parametrize(
    ("value", "exact_text", "normalised_text"),
    [
        (Decimal("2.50"), "2.50", "2.5"),
        (Decimal("4.5"), "4.5", "4.5"),
        (Decimal("1E+1"), "1E+1", "10"),
        (Decimal("-0.0"), "-0.0", "0"),
        (Decimal("0.000100"), "0.000100", "0.0001"),
    ],
)
def test_decimals_read_exact_or_normalised(
    value: Decimal, exact_text: str, normalised_text: str
) -> None:
    assert exact(value) == exact_text
    assert normalised(value) == normalised_text
    assert Dose(value).to_dict() == {"dose_mg": normalised_text}


def test_times_in_iso_8601() -> None:
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert plain([moment, time(22, 0)]) == ["2026-03-29T01:30:00+00:00", "22:00:00"]


def test_a_value_without_a_plain_form_is_refused() -> None:
    with pytest.raises(TypeError, match="object has no plain JSON form"):
        plain(object())
