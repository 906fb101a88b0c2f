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
  a bound past which it is negative, every + → − sign change refined (here by the Illinois
  method to a bracket below :data:`~lowdose.meta.estimators.TOL`, where the one-at-a-time
  estimator uses Brent's method to the same tolerance), τ² = 0 a candidate when the score
  there is ≤ 0, and the candidate with the largest (restricted) log-likelihood kept. The
  global maximum, not the first one reached. Compiled, one data set at a time, in
  :mod:`lowdose.meta._profile_kernel`, which skips the blocks of the grid that provably hold
  no better maximum (its docstring gives the bounds).

Then :math:`w_i = 1/(v_i + \hat\tau^2)`, :math:`\hat\mu = \sum w_i y_i / \sum w_i` and
:math:`\mathrm{SE} = (\sum w_i)^{-1/2}` (the Wald standard error, ``test="z"``).

All rows have the same number of studies :math:`k` (pad nothing: fit groups of equal k
separately). With :math:`k = 1`, :math:`\hat\tau^2 = 0` as in :class:`MetaAnalysis`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lowdose.errors import MetaInputError
from lowdose.meta._profile_kernel import likelihood_tau2
from lowdose.meta.estimators import PROFILE_POINTS, TOL

__all__ = ["BATCH_METHODS", "BatchResult", "fit_many"]

FloatArray = NDArray[np.float64]

#: The estimators :func:`fit_many` offers.
BATCH_METHODS = ("FE", "DL", "ML", "REML")


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
    return np.asarray(
        likelihood_tau2(
            np.ascontiguousarray(y), np.ascontiguousarray(v), method == "REML", PROFILE_POINTS, TOL
        ),
        dtype=np.float64,
    )


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
