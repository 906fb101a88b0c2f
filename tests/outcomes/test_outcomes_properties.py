"""Property tests: exact arithmetic of doses, allocation and kit codes."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.outcomes.allocation import ALPHABET, kit_code_is_valid, kit_codes, permuted_cycles
from lowdose.outcomes.design import Nof1Design, arm_dose, arm_label, derive_run_in

doses = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("12"), places=2)


def _washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
    return float(dose_mg) * 10.0  # stated stub: 10 h per mg


@given(doses)
def test_arm_labels_round_trip_exactly(dose: Decimal) -> None:
    assert arm_dose(arm_label(dose)) == dose


@given(st.integers(min_value=0, max_value=2**63), st.integers(min_value=1, max_value=9))
def test_shuffles_are_permutations(seed: int, n: int) -> None:
    items = list(range(n))
    for order in permuted_cycles(items, 3, random.Random(seed)):
        assert sorted(order) == items


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=1, max_value=40))
@settings(max_examples=50)
def test_kit_codes_are_valid_distinct_and_any_one_substitution_is_caught(
    seed: int, count: int
) -> None:
    codes = kit_codes(count, random.Random(seed))
    assert len(set(codes)) == count
    for code in codes:
        assert kit_code_is_valid(code)
    body = codes[0][4:10]
    typo_char = ALPHABET[(ALPHABET.index(body[0]) + 1) % len(ALPHABET)]
    assert not kit_code_is_valid(codes[0][:4] + typo_char + codes[0][5:])


@given(
    st.lists(doses, min_size=1, max_size=3, unique=True),
    st.floats(min_value=0, max_value=21, allow_nan=False),
)
def test_run_in_is_the_smallest_whole_day_count_covering_washout_and_onset(
    active: list[Decimal], onset: float
) -> None:
    d = derive_run_in([Decimal(0), *active], washout=_washout, onset_days=onset)
    exact = float(max(active)) * 10.0 / 24.0 + onset
    assert d.run_in_days >= exact - 1e-9
    assert d.run_in_days - 1 < exact


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=16, max_value=60),
)
@settings(max_examples=40)
def test_every_cycle_is_balanced_and_periods_tile_the_calendar(
    seed: int, cycles: int, period_days: int
) -> None:
    plan = Nof1Design(
        ["placebo", "1.5", "4.5"],
        start=date(2026, 1, 1),
        rng=random.Random(seed),
        kit_rng=random.Random(seed + 1),
        cycles=cycles,
        period_days=period_days,
        washout=_washout,
        onset_days=3.0,
    ).fit()
    for c in range(1, cycles + 1):
        assert sorted(p.arm for p in plan.periods if p.cycle == c) == sorted(plan.arms)
    assert plan.end == date(2026, 1, 1) + timedelta(days=3 * cycles * period_days - 1)
