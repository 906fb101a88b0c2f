r"""Compiled ML/REML profile search for :func:`lowdose.meta.batch.fit_many`, one data set at a time.

The same search as :func:`lowdose.meta.estimators.profile_maximum` (τ² = 0 and
:data:`~lowdose.meta.estimators.PROFILE_POINTS` log-spaced points up to a bound past which
the score is negative; every + → − sign change refined, here by bisection to below the
tolerance; the candidate with the largest log-likelihood kept), with one addition that only
saves work: the grid's 400 cells are taken in blocks of :data:`BLOCK`, and a block is profiled
point by point only when two bounds cannot rule it out.

*The likelihood bound.* The log-likelihood is :math:`f + g` with
:math:`f(\tau^2) = -\tfrac12\sum\log(v_i+\tau^2)` (REML also :math:`-\tfrac12\log\sum w_i`)
never increasing in τ² (ML: each log grows; REML: :math:`f' = -\tfrac12(\sum w_i - \sum
w_i^2/\sum w_i) \le 0`) and :math:`g = -\tfrac12 Q(\tau^2)` never decreasing
(:math:`Q = \min_\mu \sum w_i(\tau^2)(y_i-\mu)^2` and every :math:`w_i = 1/(v_i+\tau^2)`
falls as τ² grows). On a block :math:`[a, b]` the log-likelihood is therefore at most
:math:`f(a) + g(b)`, and at most :math:`\ell(a) + \tfrac12(b-a)\max(0, U^+)` and
:math:`\ell(b) - \tfrac12(b-a)\min(0, U^-)` with :math:`U^\pm` the score bounds below. A
block whose bound is below the log-likelihood already reached (at a block end, or after a few
Fisher-scoring steps from the DerSimonian–Laird estimate) cannot hold the global maximum.

*The score bounds.* On the block every :math:`w_i` lies between :math:`w_i(b)` and
:math:`w_i(a)`, and :math:`|d\hat\mu/d\tau^2| = |\sum w_i^2(y_i-\hat\mu)|/\sum w_i \le
\max_i w_i\cdot\mathrm{range}(y)`, so :math:`|y_i-\hat\mu|` stays within
:math:`\delta = (b-a)\max_i w_i(a)\,\mathrm{range}(y)` of its value at :math:`a`. The score
(×2), :math:`\sum w_i^2(y_i-\hat\mu)^2 - \sum w_i` (REML :math:`+\sum w_i^2/\sum w_i`), is
bounded term by term; a block on which it keeps one sign holds no sign change.

A block neither bound rules out is profiled exactly as the whole grid would be, so the answer
is the whole grid's. Compiled with numba (``cache=True``: the first call in a fresh
environment compiles for a few seconds, later processes load the cache).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Floating-point freedoms for the compiler: reassociate sums (so the loops over studies run in
#: SIMD lanes), fuse multiply-adds, divide by multiplying with a reciprocal. Not the "no NaN / no
#: infinity" assumptions: -inf marks "no candidate yet". Changes results in the last bits only.
_FAST = {"reassoc", "contract", "arcp"}
#: Grid cells per block (the 400 cells in 25 blocks).
BLOCK = 16
#: Fisher-scoring steps that set the likelihood a block must be able to reach.
FISHER_STEPS = 8
#: Root-refinement steps at most (each at least halves the bracket every second step).
BISECTIONS = 200


@njit(cache=True, nogil=True, fastmath=_FAST)
def score(t: float, y: FloatArray, v: FloatArray, restricted: bool) -> float:
    """The score (×2) in τ² at ``t``: :math:`\\sum w_i^2(y_i-\\hat\\mu)^2 - \\sum w_i`
    (REML :math:`+ \\sum w_i^2/\\sum w_i`)."""
    sw = swy = s20 = s21 = s22 = 0.0
    for i in range(y.size):
        w = 1.0 / (v[i] + t)
        sw += w
        swy += w * y[i]
        w2 = w * w
        s20 += w2
        s21 += w2 * y[i]
        s22 += w2 * y[i] * y[i]
    mu = swy / sw
    value = s22 - 2.0 * mu * s21 + mu * mu * s20 - sw
    if restricted:
        value += s20 / sw
    return value


@njit(cache=True, nogil=True, fastmath=_FAST)
def parts(t: float, y: FloatArray, v: FloatArray, restricted: bool) -> tuple[float, float]:
    r"""``(f, g)`` at ``t``: the log-likelihood (constants dropped) is ``f + g``, ``f`` never
    increasing and ``g`` never decreasing in τ² (module doc). One pass over the studies, with
    :math:`Q = \sum w_i y_i^2 - (\sum w_i y_i)^2/\sum w_i` (``y`` centred, so the difference
    loses little; :func:`loglik` takes two passes where candidates are compared)."""
    sw = swy = swyy = logs = 0.0
    product = 1.0  # Σ log(v_i + t) as the log of a product, renormalised before it can overflow
    for i in range(y.size):
        vt = v[i] + t
        w = 1.0 / vt
        sw += w
        swy += w * y[i]
        swyy += w * y[i] * y[i]
        product *= vt
        if not 1e-100 < product < 1e100:
            logs += math.log(product)
            product = 1.0
    logs += math.log(product)
    f = -0.5 * logs
    if restricted:
        f -= 0.5 * math.log(sw)
    return f, -0.5 * max(0.0, swyy - swy * swy / sw)


@njit(cache=True, nogil=True, fastmath=_FAST)
def loglik(t: float, y: FloatArray, v: FloatArray, restricted: bool) -> float:
    """The (restricted) log-likelihood at ``t``, constants dropped (two passes)."""
    sw = swy = logs = 0.0
    for i in range(y.size):
        vt = v[i] + t
        sw += 1.0 / vt
        swy += y[i] / vt
        logs += math.log(vt)
    mu = swy / sw
    q = 0.0
    for i in range(y.size):
        q += (y[i] - mu) ** 2 / (v[i] + t)
    value = -0.5 * logs - 0.5 * q
    if restricted:
        value -= 0.5 * math.log(sw)
    return value


@njit(cache=True, nogil=True, fastmath=_FAST)
def score_bounds(
    a: float, b: float, y: FloatArray, v: FloatArray, restricted: bool
) -> tuple[float, float, float]:
    """``(lower, upper, margin)``: bounds of the score (×2) on ``[a, b]``, widened by
    ``margin`` for rounding (module doc)."""
    sw_a = sw_b = swy_a = w_max = s2_a = s2_b = 0.0
    for i in range(y.size):
        wa = 1.0 / (v[i] + a)
        wb = 1.0 / (v[i] + b)
        sw_a += wa
        sw_b += wb
        swy_a += wa * y[i]
        w_max = max(w_max, wa)
        s2_a += wa * wa
        s2_b += wb * wb
    mu = swy_a / sw_a
    delta = (b - a) * w_max * (y.max() - y.min())
    upper = -sw_b
    lower = -sw_a
    for i in range(y.size):
        r = abs(y[i] - mu)
        upper += ((r + delta) / (v[i] + a)) ** 2
        lower += (max(0.0, r - delta) / (v[i] + b)) ** 2
    if restricted:
        upper += s2_a / sw_b
        lower += s2_b / sw_a
    margin = 1e-9 * (sw_a + s2_a / sw_b)
    return lower - margin, upper + margin, margin


@njit(cache=True, nogil=True, fastmath=_FAST)
def _fisher(y: FloatArray, v: FloatArray, restricted: bool) -> float:
    """A τ² near a maximum: Fisher scoring from the DerSimonian–Laird estimate, cut short."""
    k = y.size
    sw = swy = s20 = 0.0
    for i in range(k):
        w = 1.0 / v[i]
        sw += w
        swy += w * y[i]
        s20 += w * w
    mu = swy / sw
    q = 0.0
    for i in range(k):
        q += (y[i] - mu) ** 2 / v[i]
    t = max(0.0, (q - (k - 1)) / (sw - s20 / sw))
    for _ in range(FISHER_STEPS):
        sw = s20 = s30 = 0.0
        for i in range(k):
            w = 1.0 / (v[i] + t)
            sw += w
            s20 += w * w
            s30 += w * w * w
        info = s20 - 2.0 * s30 / sw + (s20 / sw) ** 2 if restricted else s20
        step = score(t, y, v, restricted) / info
        if not math.isfinite(step):
            break
        t = max(0.0, t + step)
    return t


@njit(cache=True, nogil=True, fastmath=_FAST)
def _root(
    lo: float,
    hi: float,
    s_lo: float,
    s_hi: float,
    y: FloatArray,
    v: FloatArray,
    restricted: bool,
    tol: float,
) -> float:
    """The sign change of the score in ``[lo, hi]`` (``s_lo`` > 0 at ``lo``, ``s_hi`` < 0 at
    ``hi``), to a bracket below ``tol``: the Illinois variant of regula falsi (Dowell & Jarratt
    1971), with a bisection step whenever the bracket did not halve."""
    side = 0
    for _ in range(BISECTIONS):
        width = hi - lo
        x = hi - s_hi * width / (s_hi - s_lo)
        if not lo < x < hi:
            x = 0.5 * (lo + hi)
        now = score(x, y, v, restricted)
        if now == 0:
            return x
        if now > 0:
            lo, s_lo = x, now
            if side == 1:
                s_hi *= 0.5
            side = 1
        else:
            hi, s_hi = x, now
            if side == -1:
                s_lo *= 0.5
            side = -1
        if hi - lo <= tol * 0.5:
            break
        if hi - lo > 0.5 * width:  # a slow step: bisect once
            mid = 0.5 * (lo + hi)
            now = score(mid, y, v, restricted)
            if now > 0:
                lo, s_lo = mid, now
            else:
                hi, s_hi = mid, now
            side = 0
            if hi - lo <= tol * 0.5:
                break
    return 0.5 * (lo + hi)


@njit(cache=True, nogil=True, fastmath=_FAST)
def _point(j: int, bottom: float, step: float, top: float, points: int) -> float:
    """Grid point ``j``: 0 is τ² = 0, then ``bottom·e^{step(j−1)}``, the last exactly ``top``."""
    if j == 0:
        return 0.0
    if j == points:
        return top
    return bottom * math.exp(step * (j - 1))


@njit(cache=True, nogil=True, fastmath=_FAST)
def _one(y: FloatArray, v: FloatArray, restricted: bool, points: int, tol: float) -> float:
    """τ² at the global maximum for one data set (``y`` centred)."""
    top = 4.0 * ((y.max() - y.min()) ** 2 + v.max())
    for _ in range(200):
        if score(top, y, v, restricted) < 0:
            break
        top *= 2.0
    bottom = min(v.min() * 1e-6, top * 1e-12)
    step = math.log(top / bottom) / (points - 1)
    best_t = 0.0
    best_ll = loglik(0.0, y, v, restricted) if score(0.0, y, v, restricted) <= 0 else -np.inf
    blocks = points // BLOCK
    f = np.empty(blocks + 1)
    g = np.empty(blocks + 1)
    ends = np.empty(blocks + 1)
    reached = loglik(_fisher(y, v, restricted), y, v, restricted)
    for s in range(blocks + 1):
        ends[s] = _point(s * BLOCK, bottom, step, top, points)
        f[s], g[s] = parts(ends[s], y, v, restricted)
        reached = max(reached, f[s] + g[s])
    for s in range(blocks):
        a, b = ends[s], ends[s + 1]
        slack = 1e-10 * (1.0 + abs(f[s]) + abs(g[s + 1]) + abs(reached))
        if f[s] + g[s + 1] < reached - slack:
            continue
        lower, upper, margin = score_bounds(a, b, y, v, restricted)
        if upper < -margin or lower > margin:
            continue
        climb = f[s] + g[s] + 0.5 * (b - a) * max(upper, 0.0)
        fall = f[s + 1] + g[s + 1] - 0.5 * (b - a) * min(lower, 0.0)
        if min(climb, fall) < reached - slack:
            continue
        t_prev = a
        s_prev = score(a, y, v, restricted)
        for j in range(s * BLOCK + 1, (s + 1) * BLOCK + 1):
            t = _point(j, bottom, step, top, points)
            now = score(t, y, v, restricted)
            if s_prev > 0 and now <= 0:
                root = t if now == 0 else _root(t_prev, t, s_prev, now, y, v, restricted, tol)
                ll = loglik(root, y, v, restricted)
                if ll > best_ll:
                    best_ll, best_t = ll, root
            t_prev, s_prev = t, now
    return best_t


@njit(cache=True, nogil=True, fastmath=_FAST)
def likelihood_tau2(
    y: FloatArray, v: FloatArray, restricted: bool, points: int, tol: float
) -> FloatArray:
    """τ² at the global maximum of the (restricted) likelihood for each row of ``y``, ``v``."""
    out = np.empty(y.shape[0])
    centred = np.empty(y.shape[1])
    for r in range(y.shape[0]):
        centred[:] = y[r] - y[r].mean()  # both are unchanged by a shift; the sums stay small
        out[r] = _one(centred, v[r], restricted, points, tol)
    return out
