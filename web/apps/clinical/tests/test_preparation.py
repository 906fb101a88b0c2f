"""Capsules or oral liquid is decided in one place:
:func:`apps.clinical.preparation.preparation_for`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apps.clinical.preparation import Capsules, OralLiquid, preparation_for
from lowdose.errors import InputError
from lowdose.pharmacy import ProductForm, capsule_supply, liquid_supply
from lowdose.regimens import DoseTime, get_protocol

PLAN = get_protocol("ldnrt-standard").schedule(
    date(2026, 3, 2), time=DoseTime.BEDTIME, through=date(2026, 3, 29)
)


def test_a_capsule_ignores_the_concentration_and_counts_capsules() -> None:
    found = preparation_for("capsule", Decimal("1"))
    assert found == Capsules()
    assert found.concentration_mg_per_ml is None
    assert found.form is ProductForm.CAPSULE
    assert found.supply(PLAN).to_dict() == capsule_supply(PLAN).to_dict()


def test_a_liquid_keeps_its_concentration_exactly() -> None:
    found = preparation_for("liquid", Decimal("1.0"))
    assert found == OralLiquid(Decimal("1.0"))
    assert found.form is ProductForm.LIQUID
    assert found.supply(PLAN).to_dict() == liquid_supply(PLAN, Decimal(1)).to_dict()
    assert found.worksheets(PLAN, "api", preserved=False, today=date(2026, 3, 2))


@pytest.mark.parametrize(
    ("form", "concentration", "field"),
    [("liquid", None, "concentration"), ("tablet", None, "form"), ("", Decimal(1), "form")],
)
def test_what_is_not_a_preparation_is_refused_naming_the_field(
    form: str, concentration: Decimal | None, field: str
) -> None:
    with pytest.raises(InputError) as refused:
        preparation_for(form, concentration)
    assert refused.value.field == field
