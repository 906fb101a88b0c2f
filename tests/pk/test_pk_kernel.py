"""The compiled kernel (lowdose.pk._kernel) against the state-by-state superposition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba.core.registry import CPUDispatcher

from lowdose.pk import _kernel
from lowdose.pk.kinetics import channel_values, exponential_form, superpose, superposed_channels
from lowdose.pk.occupancy import occupancy
from lowdose.pk.population import iter_population_grid, sample_parameters

#: The guarantee in kinetics.py: equal to the state-by-state superposition within 1e-12 of
#: each series' maximum (the state-by-state form is itself a recurrence: both round).
REL = 1e-12


def _worst(got: np.ndarray, ref: np.ndarray) -> float:
    scale = np.maximum(np.abs(ref).max(axis=-1, keepdims=True), 1e-300)
    return float(np.max(np.abs(got - ref) / scale))


def _reference(n: int, seed: int, doses: np.ndarray, amounts: np.ndarray, times: np.ndarray):  # type: ignore[no-untyped-def]
    pa = sample_parameters(n, seed=seed)
    rates, coef = exponential_form(pa)
    return pa, rates, coef, channel_values(coef, superpose(rates, doses, amounts, times))


REGIMENS = {
    # three doses a day at irregular clock times for 5 days, outputs every 10 min
    "three a day": (
        np.concatenate([d * 24 + np.array([7.0, 13.5, 22.25]) for d in range(5)]),
        np.arange(0.0, 130.0, 1 / 6),
    ),
    # outputs before the first dose, exactly at every dose, and between doses
    "at the doses": (
        np.array([10.0, 34.0, 58.0]),
        np.concatenate([[0.0, 5.0], np.arange(10.0, 90.0, 2.0)]),
    ),
    # one dose, then 600 outputs 0.1 h apart: long runs of recurrence steps (re-anchored)
    "one dose, long tail": (np.array([0.0]), np.arange(0.0, 60.0, 0.1)),
    # every output step different (more than the table holds: real exp at each)
    "irregular grid": (
        np.array([3.0, 40.0, 41.0]),
        np.cumsum(np.random.default_rng(4).uniform(0.01, 3.0, 120)),
    ),
    # unsorted output times with duplicates, and two doses at the same time
    "unsorted, ties": (
        np.array([30.0, 5.0, 5.0]),
        np.array([50.0, 5.0, 0.0, 5.0, 31.0, 30.0, 50.0]),
    ),
}


@pytest.mark.parametrize("name", sorted(REGIMENS))
def test_kernel_equals_the_state_by_state_superposition(name: str) -> None:
    doses, times = REGIMENS[name]
    amounts = np.random.default_rng(7).uniform(0.0, 6.0, (60, doses.size))
    amounts[:, 1::3] = 0.0  # missed doses
    pa, rates, coef, ref = _reference(60, 3, doses, amounts, times)
    got = superposed_channels(rates, coef, doses, amounts, times)
    assert got.shape == ref.shape
    assert _worst(got, ref) < REL
    before = times < doses.min()
    assert np.all(got[:, :, before] == 0.0)  # nothing before the first dose, exactly
    (_, conc, mu), *rest = iter_population_grid(pa, doses, amounts, times, chunk_size=60)
    assert not rest
    assert _worst(conc, ref) < REL
    assert _worst(mu, occupancy(ref[2], pa.ec50_mu[:, None])) < REL


@settings(max_examples=40, deadline=None)
@given(
    dose_times=st.lists(st.floats(0.0, 200.0, allow_nan=False), min_size=1, max_size=12),
    step=st.sampled_from([0.25, 0.5, 1.0, 1.5, 3.0]),
    start=st.floats(-10.0, 50.0, allow_nan=False),
    count=st.integers(1, 300),
    seed=st.integers(0, 2**16),
)
def test_kernel_equals_the_superposition_on_any_regimen(
    dose_times: list[float], step: float, start: float, count: int, seed: int
) -> None:
    doses = np.array(dose_times)
    rng = np.random.default_rng(seed)
    times = start + step * np.arange(count)
    if seed % 3 == 0:  # and some grids in random order
        times = rng.permutation(times)
    amounts = rng.choice([0.0, 0.5, 1.5, 4.5, 6.0], size=(9, doses.size))
    _, rates, coef, ref = _reference(9, seed, doses, amounts, times)
    assert _worst(superposed_channels(rates, coef, doses, amounts, times), ref) < REL


def test_tiles_give_the_same_values_as_single_steps() -> None:
    # Sorted hourly times are computed in runs of up to 8 (the first output after each dose
    # alone, then 8, 8 and the 7 left before the next dose); the same times shuffled cannot
    # be (their columns are not consecutive) and go one at a time: the values are identical.
    doses, times = np.arange(7) * 24 + 22.0, np.arange(0.0, 190.0)
    pa = sample_parameters(33, seed=9)
    rates, coef = exponential_form(pa)
    runs = _kernel.plan_times(doses, times).tile
    q, taken = 0, []
    while q < runs.size:
        taken.append(int(runs[q]))
        q += max(1, int(runs[q]))
    assert taken[:22] == [0] * 22  # the 22 outputs before the first dose
    assert taken[22:30] == [1, 8, 8, 7, 1, 8, 8, 7]
    perm = np.random.default_rng(1).permutation(times.size)
    shuffled = _kernel.plan_times(doses, times[perm]).tile
    assert np.mean(shuffled[shuffled > 0] == 1) > 0.9  # a few columns are adjacent by chance
    tiled = superposed_channels(rates, coef, doses, [4.5] * 7, times)
    stepped = superposed_channels(rates, coef, doses, [4.5] * 7, times[perm])
    assert np.array_equal(tiled[:, :, perm], stepped)


def test_the_decay_is_re_anchored_after_each_dose_and_every_32_outputs() -> None:
    plan = _kernel.plan_times(np.array([0.0, 100.0]), np.arange(-2.0, 150.0))
    anchors = np.flatnonzero(plan.anchor)
    # index 2 is t = 0 (the first dose), index 102 is t = 100 (the second)
    assert anchors.tolist() == [0, 2, 34, 66, 98, 102, 134]
    assert plan.dose_index[:2].tolist() == [-1, -1]
    assert plan.hours[2] == 0.0
    assert plan.hours[34] == 32.0
    assert plan.hours[35] == 1.0  # steps: hours since the previous output


def test_reused_buffers_hold_the_same_values_and_are_overwritten() -> None:
    pa = sample_parameters(50, seed=2)
    doses, times = np.array([0.0, 24.0]), np.arange(0.0, 48.0)
    grid = iter_population_grid(pa, doses, [3.0, 3.0], times, chunk_size=20)
    fresh = [(c.copy(), m.copy()) for _, c, m in grid]
    chunks = list(
        iter_population_grid(pa, doses, [3.0, 3.0], times, chunk_size=20, reuse_buffers=True)
    )
    assert np.shares_memory(chunks[0][1], chunks[1][1])  # one buffer for every chunk
    for sl, conc, mu in iter_population_grid(
        pa, doses, [3.0, 3.0], times, chunk_size=20, reuse_buffers=True
    ):
        k = sl.start // 20
        assert np.array_equal(conc, fresh[k][0])
        assert np.array_equal(mu, fresh[k][1])
    default = list(iter_population_grid(pa, doses, [3.0, 3.0], times, chunk_size=20))
    assert not np.shares_memory(default[0][1], default[1][1])


def test_amounts_per_subject_follow_their_chunk() -> None:
    pa = sample_parameters(30, seed=4)
    doses, times = np.array([0.0, 12.0, 24.0]), np.arange(0.0, 36.0, 0.5)
    amounts = np.random.default_rng(5).uniform(0.5, 4.5, (30, 3))
    rates, coef = exponential_form(pa)
    ref = channel_values(coef, superpose(rates, doses, amounts, times))
    for sl, conc, _ in iter_population_grid(pa, doses, amounts, times, chunk_size=7):
        assert _worst(conc, ref[:, sl]) < REL


def test_the_kernel_is_compiled_code_not_a_python_fallback() -> None:
    superposed_channels(*exponential_form(sample_parameters(2, 0)), [0.0], [1.0], [1.0, 2.0])
    assert isinstance(_kernel._fill, CPUDispatcher)
    assert _kernel._fill.signatures  # compiled (or loaded from the cache) for these types
