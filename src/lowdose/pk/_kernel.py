r"""The compiled kernel of the closed-form superposition (numba; decision 9).

For a chunk of subjects it writes every output value once: the channels
:math:`y_c(t)=\max\bigl(0, \sum_i c_{c,i} X_i(t)\bigr)` and, optionally, μ occupancy
:math:`y_e/(y_e+\mathrm{EC}_{50})`, where :math:`X_i(t) = S_i(t_j)\,e^{-\lambda_i (t-t_j)}` is
the state of rate :math:`i` decayed from the last dose :math:`t_j \le t`
(see :mod:`lowdose.pk.kinetics` for the model).

Decay between consecutive output times uses the recurrence
:math:`X_i(t_{q}) = X_i(t_{q-1})\,e^{-\lambda_i (t_q - t_{q-1})}`, whose factors are tabulated
per subject for the few distinct steps of the grid (an hourly grid has one). A recurrence
gathers about one rounding per step, so :math:`X` is **re-anchored** with a real ``exp`` at the
first output after each dose and every :data:`REANCHOR` outputs after it; the drift then stays
below ~``REANCHOR`` roundings (< 1e-14 relative to each term). Outputs before the first dose are
0. The state-by-state superposition (:func:`lowdose.pk.kinetics.superpose`) is the reference
it is tested against (1e-12 of each series' maximum).

Loops run over time outside and over the chunk's subjects inside, so every inner loop reads
and writes whole contiguous rows and the compiler vectorises it. (Blocks of fewer subjects
keep the working set in the first-level cache but cut each output row into short runs, which
measured slower to write than the whole rows.) Up to :data:`TILE` consecutive outputs that
follow the same dose one equal step apart (a regular grid, in runs of 8 and whatever is left
before the next dose or re-anchor) are computed in one pass over the subjects, the decayed
states held in registers: the same products in the same order as step by step, so the values
are identical, with the coefficients and states read once per run instead of once per
output. Each run length from 1 to :data:`TILE` has its own compiled loop (the length a
constant, so the loop over the run is unrolled and the loop over subjects vectorised).

Why numba, and what it costs: ``docs/decisions/0009-compiled-kernels.md``. Compiled on first
use (``cache=True``: the machine code is kept in ``__pycache__`` beside this file, or under
``NUMBA_CACHE_DIR``, and reused by every later process).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["REANCHOR", "TimePlan", "fill_channels", "plan_times"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Outputs between two re-anchors of the decay (why: ~1 rounding per recurrence step, so 32 steps
#: keep the drift below 32 x 1.1e-16 = 3.6e-15 of each term).
REANCHOR = 32
#: Distinct durations whose decay factors are tabulated per subject (why: a regular regimen on a
#: regular grid has two or three - the output step, the dose interval, the first output after
#: a dose; any other duration gets a real ``exp`` where it is used, exact but slower).
MAX_TABLE = 16
#: Consecutive outputs computed in one pass over the subjects (why: the coefficients, states
#: and factors are read once for eight outputs; more outputs per pass means more arrays written
#: per loop, and LLVM stops vectorising a loop that needs too many overlap checks).
TILE = 8


@dataclass(frozen=True, slots=True)
class TimePlan:
    """How the kernel walks the output times, shared by every chunk of a population.

    Output ``q`` (in sorted time order) goes to column ``slot[q]`` of the caller's order;
    ``dose_index[q]`` is the last dose at or before it (-1: before the first dose). Where
    ``anchor[q]`` the decayed state is recomputed from that dose's state over ``hours[q]``
    (the time since the dose), else carried from the previous output over ``hours[q]`` (the
    step). ``factor[q]`` is the row of ``table_hours`` whose decay factors to use (-1: compute
    ``exp`` there). Dose ``j`` decays the state over ``dose_hours[j]`` (row ``dose_factor[j]``)
    before adding its amount. ``tile[q]`` is how many outputs from ``q`` on (1 to :data:`TILE`)
    follow the same dose, go to consecutive columns and all decay by the same tabulated factor
    as ``q`` (on an hourly grid the outputs of a dosing interval after its first); the kernel
    computes them in one pass and goes on at ``q + tile[q]``.
    """

    slot: IntArray
    dose_index: IntArray
    anchor: IntArray
    hours: FloatArray
    factor: IntArray
    dose_hours: FloatArray
    dose_factor: IntArray
    table_hours: FloatArray
    tile: IntArray


def plan_times(dose_times_sorted: npt.ArrayLike, times: npt.ArrayLike) -> TimePlan:
    """The :class:`TimePlan` for dose times (sorted) and output times (any order), in hours."""
    ts = np.asarray(times, dtype=np.float64).ravel()
    order = np.argsort(ts, kind="stable").astype(np.int64)
    ts = ts[order]
    td = np.asarray(dose_times_sorted, dtype=np.float64)
    dose_index = (np.searchsorted(td, ts, side="right") - 1).astype(np.int64)
    since = np.zeros(ts.shape)
    dosed = dose_index >= 0
    since[dosed] = ts[dosed] - td[dose_index[dosed]]
    position = np.arange(ts.size)
    new_interval = np.ones(ts.shape, dtype=bool)
    new_interval[1:] = dose_index[1:] != dose_index[:-1]
    start = np.maximum.accumulate(np.where(new_interval, position, 0))
    anchor = new_interval | ((position - start) % REANCHOR == 0)
    hours = np.where(anchor, since, np.diff(ts, prepend=ts[:1]) if ts.size else ts)
    dose_hours = np.diff(td, prepend=td[:1]) if td.size else td
    used = np.concatenate([hours[dosed], dose_hours])
    values, counts = np.unique(used, return_counts=True)
    table_hours = np.ascontiguousarray(values[np.argsort(-counts, kind="stable")[:MAX_TABLE]])

    def rows(h: FloatArray) -> IntArray:
        found = np.full(h.shape, -1, dtype=np.int64)
        for k, value in enumerate(table_hours.tolist()):
            found[h == value] = k
        return found

    factor = rows(hours)
    return TimePlan(
        order,
        dose_index,
        anchor.astype(np.int64),
        np.ascontiguousarray(hours),
        factor,
        np.ascontiguousarray(dose_hours),
        rows(dose_hours),
        table_hours,
        _tiles(order, dose_index, anchor, factor),
    )


def _tiles(
    slot: IntArray, dose_index: IntArray, anchor: npt.NDArray[np.bool_], factor: IntArray
) -> IntArray:
    """How many outputs from ``q`` on form one tile (see :class:`TimePlan`; 0 before the first
    dose): output ``q + 1`` continues ``q``'s tile when it follows the same dose, is not
    re-anchored, decays by the same tabulated factor and goes to the next column."""
    size = dose_index.shape[0]
    follows = np.zeros(size, dtype=bool)
    follows[:-1] = (
        (dose_index[:-1] >= 0)
        & (dose_index[1:] == dose_index[:-1])
        & ~anchor[1:]
        & (factor[:-1] >= 0)
        & (factor[1:] == factor[:-1])
        & (slot[1:] == slot[:-1] + 1)
    )
    after = np.zeros(size, dtype=np.int64)  # outputs that continue q's run
    for q in range(size - 2, -1, -1):
        if follows[q]:
            after[q] = after[q + 1] + 1
    return np.where(dose_index >= 0, np.minimum(after + 1, TILE), 0).astype(np.int64)


def fill_channels(
    plan: TimePlan,
    rates_t: FloatArray,
    coef_t: FloatArray,
    amounts: FloatArray,
    conc: FloatArray,
    ec50: FloatArray | None = None,
    mu: FloatArray | None = None,
    mu_channel: int = 2,
) -> None:
    """Write the channels into ``conc`` and, if given, μ occupancy of ``mu_channel`` into ``mu``.

    ``rates_t`` (4, n) 1/h, ``coef_t`` (c, 4, n) per mg, ``amounts`` (d, n) mg in sorted dose
    order, ``conc`` (c, t, n) and ``mu`` (t, n) in the caller's time order, ``ec50`` (n,)
    ng/mL. Every array C-contiguous float64; every value of ``conc`` (and ``mu``) is written.
    """
    with_mu = ec50 is not None and mu is not None
    # the rates a channel uses: up to its last non-zero coefficient (naltrexone 2, 6β-naltrexol 3)
    terms = np.array(
        [int(np.flatnonzero(np.any(c != 0.0, axis=1)).max(initial=1)) + 1 for c in coef_t]
    )
    # the model's channels (naltrexone, 6β-naltrexol, effect site) have the tiled loops
    tiled = terms.tolist() == [2, 3, 4] and (not with_mu or mu_channel == 2)
    _fill(
        (plan.slot, plan.dose_index, plan.anchor, plan.factor, plan.dose_factor, plan.tile),
        (plan.hours, plan.dose_hours),
        np.exp(-rates_t[None] * plan.table_hours[:, None, None]),  # numpy's vectorised exp
        rates_t,
        coef_t,
        terms,
        amounts,
        conc,
        ec50 if ec50 is not None else np.zeros(rates_t.shape[1]),
        mu if mu is not None else np.empty((0, 0)),
        (mu_channel if with_mu else -1, tiled),
    )


@njit(cache=True, nogil=True, error_model="numpy")
def _fill(  # type: ignore[no-untyped-def]  # numba compiles it from the call's types
    index, hours, table, rate, coef, terms, amt, conc, ec50, mu, options
):
    slot, dose_index, anchor, factor, dose_factor, tile = index
    out_hours, dose_hours = hours
    mu_channel, tiled = options
    nr, n = rate.shape
    scratch = np.empty((nr, n))
    state = np.zeros((nr, n))
    x, spare = np.zeros((nr, n)), np.zeros((nr, n))  # decayed states: last output, next one
    applied, q = -1, 0
    while q < slot.shape[0]:
        s, j = slot[q], dose_index[q]
        if j < 0:  # before the first dose
            for c in range(conc.shape[0]):
                _zero(conc[c, s])
            if mu_channel >= 0:
                _zero(mu[s])
            q += 1
            continue
        while applied < j:  # the doses up to this output: S <- S e^{-λΔt} + D
            applied += 1
            f = _factors(table, dose_factor[applied], scratch, rate, dose_hours[applied])
            for r in range(nr):
                _decay_add(state[r], f[r], amt[applied])
        source = state if anchor[q] else x
        first = _factors(table, factor[q], scratch, rate, out_hours[q])
        if tiled and tile[q] > 0:
            q += _tile_of(tile[q], conc, mu, s, source, spare, first, coef, ec50)
        else:
            for r in range(nr):
                _decay_from(spare[r], source[r], first[r])
            for c in range(conc.shape[0]):
                _combine(conc[c, s], coef[c], terms[c], spare)
            if mu_channel >= 0:
                _occupancy(mu[s], conc[mu_channel, s], ec50)
            q += 1
        x, spare = spare, x  # the new decayed states are never written over the ones read


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _zero(row):  # type: ignore[no-untyped-def]
    for i in range(row.shape[0]):
        row[i] = 0.0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _exp_decay(out, rate, hours):  # type: ignore[no-untyped-def]
    for r in range(rate.shape[0]):
        for i in range(rate.shape[1]):
            out[r, i] = np.exp(-rate[r, i] * hours)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _factors(table, k, scratch, rate, hours):  # type: ignore[no-untyped-def]
    if k >= 0:
        return table[k]
    _exp_decay(scratch, rate, hours)
    return scratch


# Each loop below reads and writes whole rows (one value per subject) through few distinct
# arrays, so LLVM vectorises it (with a cheap overlap check); a loop touching many arrays at
# once would need too many checks and stay scalar.
@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _decay_add(state, factor, amount):  # type: ignore[no-untyped-def]
    for i in range(state.shape[0]):
        state[i] = state[i] * factor[i] + amount[i]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _decay_from(x, state, factor):  # type: ignore[no-untyped-def]
    for i in range(x.shape[0]):
        x[i] = state[i] * factor[i]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _combine(out, coef, terms, x):  # type: ignore[no-untyped-def]
    """``max(0, sum_r coef[r] x[r])`` over the first ``terms`` rates (the others are 0)."""
    c0, c1, c2, c3 = coef[0], coef[1], coef[2], coef[3]
    x0, x1, x2, x3 = x[0], x[1], x[2], x[3]
    if terms == 2:
        for i in range(out.shape[0]):
            v = c0[i] * x0[i] + c1[i] * x1[i]
            out[i] = v if v > 0.0 else 0.0  # clip round-off below 0
    elif terms == 3:
        for i in range(out.shape[0]):
            v = (c0[i] * x0[i] + c1[i] * x1[i]) + c2[i] * x2[i]
            out[i] = v if v > 0.0 else 0.0
    else:
        for i in range(out.shape[0]):
            v = (c0[i] * x0[i] + c1[i] * x1[i]) + (c2[i] * x2[i] + c3[i] * x3[i])
            out[i] = v if v > 0.0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _occupancy(out, effect, ec50):  # type: ignore[no-untyped-def]
    for i in range(out.shape[0]):
        out[i] = effect[i] / (effect[i] + ec50[i])


# The tile: ``length`` (<= TILE) consecutive outputs (consecutive rows of the output) of the
# model's channels, each one decay step (the same factor) after the one before: a = source *
# step at the first,
# then a *= step. The decayed states stay in registers; the last ones are stored for the
# outputs after the tile. Same operations in the same order as single steps, so the values are
# identical. Each loop writes at most TILE rows: LLVM vectorises a loop only while its overlap
# checks stay few.
@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile(length, conc, mu, s0, source, dest, step, coef, ec50):  # type: ignore[no-untyped-def]
    rows = slice(s0, s0 + length)
    _tile_channel2(
        length, conc[0, rows], source[0], source[1], step[0], step[1], coef[0, 0], coef[0, 1]
    )
    _tile_channel3(length, conc[1, rows], source, step, coef[1])
    _tile_channel4(length, conc[2, rows], source, step, coef[2])
    for r in range(dest.shape[0]):
        _tile_state(length, dest[r], source[r], step[r])
    if mu.shape[0] > 0:
        _tile_occupancy(length, mu[rows], conc[2, rows], ec50)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_of(length, conc, mu, s0, source, dest, step, coef, ec50):  # type: ignore[no-untyped-def]
    """The first 8, 7, 4, 2 or 1 of a run of ``length`` outputs, with that count a constant the
    compiler unrolls; returns how many it computed. A run of 7 has its own loop because a
    24-hour dosing interval on an hourly or half-hourly grid leaves 23 or 47 outputs after the
    first, 7 more than a multiple of 8. Each loop compiles for about 2 seconds on first use,
    which is why not every length has one."""
    if length >= 8:
        _tile(8, conc, mu, s0, source, dest, step, coef, ec50)
        return 8
    if length == 7:  # what a day of hourly (or half-hourly) outputs leaves after the 8s
        _tile(7, conc, mu, s0, source, dest, step, coef, ec50)
        return 7
    if length >= 4:
        _tile(4, conc, mu, s0, source, dest, step, coef, ec50)
        return 4
    if length >= 2:
        _tile(2, conc, mu, s0, source, dest, step, coef, ec50)
        return 2
    _tile(1, conc, mu, s0, source, dest, step, coef, ec50)
    return 1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _clip(v):  # type: ignore[no-untyped-def]
    return v if v > 0.0 else 0.0  # round-off below 0 where the exact value is 0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_channel2(length, out, s0, s1, h0, h1, c0, c1):  # type: ignore[no-untyped-def]
    """Naltrexone: rates 0 and 1."""
    for i in range(out.shape[1]):
        a0, a1, e0, e1, k0, k1 = s0[i], s1[i], h0[i], h1[i], c0[i], c1[i]
        for t in range(length):
            a0, a1 = a0 * e0, a1 * e1
            out[t, i] = _clip(k0 * a0 + k1 * a1)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_channel3(length, out, source, step, coef):  # type: ignore[no-untyped-def]
    """6β-naltrexol: rates 0, 1 and 2."""
    s0, s1, s2, h0, h1, h2 = source[0], source[1], source[2], step[0], step[1], step[2]
    c0, c1, c2 = coef[0], coef[1], coef[2]
    for i in range(out.shape[1]):
        a0, a1, a2, e0, e1, e2 = s0[i], s1[i], s2[i], h0[i], h1[i], h2[i]
        k0, k1, k2 = c0[i], c1[i], c2[i]
        for t in range(length):
            a0, a1, a2 = a0 * e0, a1 * e1, a2 * e2
            out[t, i] = _clip((k0 * a0 + k1 * a1) + k2 * a2)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_channel4(length, out, source, step, coef):  # type: ignore[no-untyped-def]
    """The effect site: all four rates."""
    s0, s1, s2, s3 = source[0], source[1], source[2], source[3]
    h0, h1, h2, h3 = step[0], step[1], step[2], step[3]
    c0, c1, c2, c3 = coef[0], coef[1], coef[2], coef[3]
    for i in range(out.shape[1]):
        a0, a1, a2, a3 = s0[i], s1[i], s2[i], s3[i]
        e0, e1, e2, e3 = h0[i], h1[i], h2[i], h3[i]
        k0, k1, k2, k3 = c0[i], c1[i], c2[i], c3[i]
        for t in range(length):
            a0, a1, a2, a3 = a0 * e0, a1 * e1, a2 * e2, a3 * e3
            out[t, i] = _clip((k0 * a0 + k1 * a1) + (k2 * a2 + k3 * a3))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_state(length, dest, source, step):  # type: ignore[no-untyped-def]
    """The decayed state at the tile's last output (the same products as above)."""
    for i in range(dest.shape[0]):
        a, e = source[i], step[i]
        for _ in range(length):
            a = a * e
        dest[i] = a


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_occupancy(length, mu, effect, ec50):  # type: ignore[no-untyped-def]
    for i in range(mu.shape[1]):
        e = ec50[i]
        for t in range(length):
            mu[t, i] = effect[t, i] / (effect[t, i] + e)
