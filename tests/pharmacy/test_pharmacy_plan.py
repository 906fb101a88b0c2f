"""Pharmacy batches for a plan: BUD windows for liquids, one worksheet per capsule strength."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.pharmacy import (
    CompoundingError,
    Quantity,
    Unit,
    capsule_worksheets,
    liquid_batches,
    liquid_supply,
    ml,
    split_plan,
)
from lowdose.regimens import custom_protocol, get_protocol

START = date(2025, 1, 6)
TWELVE_WEEKS = get_protocol("ldnrt-standard").schedule(START, through=START + timedelta(days=83))


def test_unpreserved_liquid_is_made_every_14_days_with_the_exact_volume() -> None:
    batches = liquid_batches(TWELVE_WEEKS, "1", "api")
    assert [b.compounded_on for b in batches] == [START + timedelta(days=14 * k) for k in range(6)]
    assert [b.dispensed for b in batches] == [ml(21), ml(28), ml(35), ml(42), ml(49), ml(56)]
    assert sum((b.dispensed.value for b in batches), Decimal(0)) == Decimal(231)
    for batch in batches:
        assert batch.beyond_use.days == 14
        assert "Do not use after" in batch.label


def test_preserved_liquid_covers_35_day_windows() -> None:
    batches = liquid_batches(TWELVE_WEEKS, "1", "tablets", preserved=True)
    assert [b.compounded_on for b in batches] == [START, date(2025, 2, 10), date(2025, 3, 17)]
    assert sum((b.dispensed.value for b in batches), Decimal(0)) == Decimal(231)
    assert batches[0].label.count("; then ") == 2  # 35 days span 3 dose steps


def test_capsule_worksheets_one_per_strength() -> None:
    sheets = capsule_worksheets(TWELVE_WEEKS, "api")
    assert [(s.preparation, s.dispensed) for s in sheets][:2] == [
        ("Naltrexone hydrochloride 1.5 mg capsules", Quantity(Decimal(14), Unit.CAPSULE)),
        ("Naltrexone hydrochloride 2 mg capsules", Quantity(Decimal(14), Unit.CAPSULE)),
    ]
    single = capsule_worksheets(TWELVE_WEEKS, "api", strength_mg="0.5")
    assert [s.dispensed for s in single] == [Quantity(Decimal(462), Unit.CAPSULE)]


def test_capsules_for_longer_than_their_bud_are_refused() -> None:
    year = get_protocol("ldnrt-standard").schedule(START, through=START + timedelta(days=364))
    with pytest.raises(CompoundingError, match="180-day beyond-use date"):
        capsule_worksheets(year, "api")


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["0.5", "1", "1.5", "3", "4.5"]), st.integers(1, 40)),
        min_size=1,
        max_size=5,
    ),
    window=st.integers(1, 60),
)
def test_split_windows_partition_the_plan(steps: list[tuple[str, int]], window: int) -> None:
    plan = custom_protocol([(Decimal(d), n) for d, n in steps]).schedule(START)
    parts = split_plan(plan, window)
    assert all((p[-1].end - p[0].start).days < window for p in parts)  # type: ignore[operator]
    totals = [liquid_supply(p, "1").total_mg.value for p in parts]
    assert sum(totals, Decimal(0)) == liquid_supply(plan, "1").total_mg.value
    assert parts[0][0].start == START
    assert all(
        a[-1].end + timedelta(days=1) == b[0].start  # type: ignore[operator]
        for a, b in itertools.pairwise(parts)
    )
