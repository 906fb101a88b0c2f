r"""Many random-effects meta-analyses at once: rows of data sets in, arrays of results out.

For simulation studies, calibration tests and benchmarks, where one :class:`MetaAnalysis` per
data set spends most of its time in Python. :func:`fit_many` gives the same pooled estimate,
standard error and :math:`\hat\tau^2` as ``MetaAnalysis(yi, vi, method=…, test="z").fit()``
row by row, computed with array operations across the data sets:

* ``FE``: :math:`\tau^2 = 0`;
* ``DL`` (DerSimonian & Laird 1986): the method of moments,
  :math:`\hat\tau^2 = \max\{0, (Q - (k-1)) / (\sum w - \sum w^2/\sum w)\}`;
* ``ML`` and ``REML``: the same profile search as
  :class:`lowdose.meta.estimators.MaximumLikelihood` and ``RestrictedMaximumLikelihood``: the
  score on τ² = 0 and :data:`~lowdose.meta.estimators.PROFILE_POINTS` log-spaced points up to
  a bound past which it is negative, every + → − sign change refined (here by bisection to
  below :data:`~lowdose.meta.estimators.TOL`, where the one-at-a-time estimator uses Brent's
  method to the same tolerance), τ² = 0 a candidate when the score there is ≤ 0, and the
  candidate with the largest (restricted) log-likelihood kept. The global maximum, not the
  first one reached.

Then :math:`w_i = 1/(v_i + \hat\tau^2)`, :math:`\hat\mu = \sum w_i y_i / \sum w_i` and
:math:`\mathrm{SE} = (\sum w_i)^{-1/2}` (the Wald standard error, ``test="z"``).

All rows have the same number of studies :math:`k` (pad nothing: fit groups of equal k
separately). With :math:`k = 1`, :math:`\hat\tau^2 = 0` as in :class:`MetaAnalysis`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lowdose.errors import ConvergenceError, MetaInputError
from lowdose.meta.estimators import PROFILE_POINTS, TOL

__all__ = ["BATCH_METHODS", "BatchResult", "fit_many"]

FloatArray = NDArray[np.float64]

#: The estimators :func:`fit_many` offers.
BATCH_METHODS = ("FE", "DL", "ML", "REML")
#: Data sets profiled together (the (rows, grid, k) arrays stay at tens of MB).
_CHUNK = 1024
#: Bisection steps: each halves the bracket, 80 take any grid interval below TOL.
_BISECTIONS = 80


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One entry per data set (row): pooled estimate, its standard error, and τ²."""

    estimate: FloatArray
    se: FloatArray
    tau2: FloatArray


def _arrays(yi: ArrayLike, vi: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(yi, dtype=np.float64)
    v = np.asarray(vi, dtype=np.float64)
    if y.ndim != 2 or y.shape != v.shape or y.shape[1] == 0:
        raise MetaInputError(
            "give yi and vi as two arrays of the same shape (data sets, studies), with at "
            "least one study each.",
            field="yi",
        )
    if not (np.isfinite(y).all() and np.isfinite(v).all()):
        raise MetaInputError("yi and vi must be finite numbers; remove missing values.", field="yi")
    if (v <= 0).any():
        raise MetaInputError("every sampling variance vi must be above 0.", field="vi")
    return y, v


def _score(t: FloatArray, y: FloatArray, v: FloatArray, restricted: bool) -> FloatArray:
    r"""The score (×2) in τ² at ``t`` (shape (rows, m)) for rows ``y``, ``v`` (rows, k).

    With :math:`S_a^b = \sum_i w_i^a y_i^b`: :math:`\hat\mu = S_1^1/S_1^0` and
    :math:`\sum w_i^2 (y_i - \hat\mu)^2 = S_2^2 - 2\hat\mu S_2^1 + \hat\mu^2 S_2^0`, so each
    point needs five sums, taken as matrix products."""
    w = v[:, None, :] + t[:, :, None]
    np.reciprocal(w, out=w)
    powers = np.stack([np.ones_like(y), y, y * y], axis=2)  # (rows, k, 3)
    s1 = w @ powers[:, :, :2]  # (rows, m, 2): S_1^0, S_1^1
    np.multiply(w, w, out=w)
    s2 = w @ powers  # (rows, m, 3): S_2^0, S_2^1, S_2^2
    sw = s1[..., 0]
    mu = s1[..., 1] / sw
    score = s2[..., 2] - 2.0 * mu * s2[..., 1] + mu * mu * s2[..., 0] - sw
    if restricted:
        score += s2[..., 0] / sw
    return score


def _loglik(t: FloatArray, y: FloatArray, v: FloatArray, restricted: bool) -> FloatArray:
    """The (restricted) log-likelihood at ``t`` (shape (rows, m)), constants dropped."""
    vt = v[:, None, :] + t[:, :, None]
    w = 1.0 / vt
    sw = w.sum(axis=2)
    mu = (w @ y[:, :, None])[..., 0] / sw
    resid2 = (y[:, None, :] - mu[:, :, None]) ** 2
    loglik: FloatArray = -0.5 * np.log(vt).sum(axis=2) - 0.5 * (w * resid2).sum(axis=2)
    if restricted:
        loglik = loglik - 0.5 * np.log(sw)
    return loglik


def _grid(y: FloatArray, v: FloatArray, restricted: bool) -> FloatArray:
    """Each row's profile grid (rows, 1 + PROFILE_POINTS), as the one-at-a-time estimator's."""
    top = 4.0 * (np.ptp(y, axis=1) ** 2 + v.max(axis=1))
    for _ in range(200):
        grow = _score(top[:, None], y, v, restricted)[:, 0] >= 0
        if not grow.any():
            break
        top = np.where(grow, top * 2.0, top)
    else:  # pragma: no cover - needs a non-finite input, refused above
        raise ConvergenceError("the likelihood has no maximum for some data set; check vi.")
    bottom = np.minimum(v.min(axis=1) * 1e-6, top * 1e-12)
    steps = np.linspace(0.0, 1.0, PROFILE_POINTS)
    inner = bottom[:, None] * (top / bottom)[:, None] ** steps[None, :]
    inner[:, -1] = top  # geomspace ends exactly at the bound
    return np.concatenate([np.zeros((len(y), 1)), inner], axis=1)


def _brackets(
    y: FloatArray, v: FloatArray, restricted: bool
) -> tuple[NDArray[np.bool_], NDArray[np.intp], FloatArray, FloatArray, FloatArray]:
    """For rows ``y``, ``v`` (already centred): whether τ² = 0 is a candidate (score ≤ 0 there),
    and every + → − sign change of the score on the profile grid as (row, lo, hi), with the
    sign change's upper point when the score is exactly 0 there (else NaN)."""
    grid = _grid(y, v, restricted)
    score = _score(grid, y, v, restricted)
    rows, cols = np.nonzero((score[:, :-1] > 0) & (score[:, 1:] <= 0))
    exact = np.where(score[rows, cols + 1] == 0, grid[rows, cols + 1], np.nan)
    return score[:, 0] <= 0, rows, grid[rows, cols], grid[rows, cols + 1], exact


def _likelihood_tau2(y: FloatArray, v: FloatArray, restricted: bool) -> FloatArray:
    """The global maximum of the (restricted) likelihood in τ² for each row (module doc): the
    grid in chunks of :data:`_CHUNK` rows, then every bracket refined together."""
    y = y - y.mean(axis=1, keepdims=True)  # both are unchanged by a shift; the sums stay small
    parts = [
        _brackets(y[i : i + _CHUNK], v[i : i + _CHUNK], restricted)
        for i in range(0, len(y), _CHUNK)
    ]
    zero_ok = np.concatenate([p[0] for p in parts])
    rows = np.concatenate([p[1] + i * _CHUNK for i, p in enumerate(parts)])
    lo, hi, exact = (np.concatenate([p[j] for p in parts]) for j in (2, 3, 4))
    zero_ll = _loglik(np.zeros((len(y), 1)), y, v, restricted)[:, 0]
    best_ll = np.where(zero_ok, zero_ll, -np.inf)
    best_t = np.zeros(len(y))
    if rows.size == 0:
        return best_t
    yb, vb = y[rows], v[rows]
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        up = _score(mid[:, None], yb, vb, restricted)[:, 0] > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
        if np.all(hi - lo <= TOL * 0.5):
            break
    root = np.where(np.isnan(exact), 0.5 * (lo + hi), exact)
    ll = _loglik(root[:, None], yb, vb, restricted)[:, 0]
    # each row's highest bracketed maximum (sorted by row, then log-likelihood: the last of
    # each row), kept when it beats τ² = 0
    order = np.lexsort((ll, rows))
    pick = order[np.append(rows[order][1:] != rows[order][:-1], True)]
    better = ll[pick] > best_ll[rows[pick]]
    best_t[rows[pick][better]] = root[pick][better]
    return best_t


def _tau2(y: FloatArray, v: FloatArray, method: str) -> FloatArray:
    n, k = y.shape
    if method == "FE" or k < 2:
        return np.zeros(n)
    if method == "DL":
        w = 1.0 / v
        sw = w.sum(axis=1)
        mu = (w * y).sum(axis=1) / sw
        q = (w * (y - mu[:, None]) ** 2).sum(axis=1)
        tau2: FloatArray = np.maximum(0.0, (q - (k - 1)) / (sw - (w * w).sum(axis=1) / sw))
        return tau2
    return _likelihood_tau2(y, v, restricted=method == "REML")


def fit_many(yi: ArrayLike, vi: ArrayLike, method: str = "REML") -> BatchResult:
    """Fit one random-effects model per row of ``yi``/``vi`` (shape (data sets, studies)).

    Raises :class:`~lowdose.errors.MetaInputError` for a method not in :data:`BATCH_METHODS`,
    arrays of different shapes, a missing value or a variance ≤ 0.
    """
    name = method.upper()
    if name not in BATCH_METHODS:
        raise MetaInputError(
            f"{method!r} is not offered for many data sets at once; choose one of "
            f"{', '.join(BATCH_METHODS)} (or fit each with MetaAnalysis).",
            field="method",
        )
    y, v = _arrays(yi, vi)
    tau2 = _tau2(y, v, name)
    w = 1.0 / (v + tau2[:, None])
    sw = w.sum(axis=1)
    return BatchResult(estimate=(w * y).sum(axis=1) / sw, se=np.sqrt(1.0 / sw), tau2=tau2)
