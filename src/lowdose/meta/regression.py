r"""τ² with moderators (mixed-effects meta-regression), used where metafor needs it.

metafor's trim-and-fill picks the side from the slope of :math:`\sqrt{v_i}` in a
meta-regression fitted with the model's own τ² method; this module provides that fit for every
method. With design matrix :math:`X` (:math:`k\times p`), :math:`W = \mathrm{diag}(w_i)` and

.. math:: P = W - WX(X^\top W X)^{-1}X^\top W,

the estimators generalise the intercept-only ones in :mod:`lowdose.meta.estimators`
(Viechtbauer 2005; metafor ``rma.uni``):

* DL: :math:`(y^\top P_{1/v} y - (k-p)) / \operatorname{tr}P_{1/v}`
* HE: :math:`(y^\top P_{ols} y - \operatorname{tr}(P_{ols}V)) / (k-p)`,
  :math:`P_{ols} = I - X(X^\top X)^{-1}X^\top`
* HS: :math:`(y^\top P_{1/v} y - k) / \sum 1/v_i`
* SJ: :math:`\tau_0^2 = y^\top P_{ols} y / k`, then :math:`\tau_0^2\, y^\top P(\tau_0^2) y/(k-p)`
* PM = EB: root of :math:`y^\top P(\tau^2) y = k - p`
* ML / REML: the global maximum of the log-likelihood
  :math:`-\tfrac12\sum\log(v_i+\tau^2) - \tfrac12 y^\top P y` (REML also
  :math:`-\tfrac12\log\det X^\top W X`), whose score is :math:`y^\top PPy -
  \operatorname{tr}W` / :math:`y^\top PPy - \operatorname{tr}P`, found on the same profile
  grid as the intercept-only estimators (:func:`lowdose.meta.estimators.profile_maximum`):
  metafor's Fisher scoring from one start can stop at a local maximum, as it can without
  moderators.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from lowdose.errors import MetaInputError
from lowdose.meta.estimators import TOL, profile_maximum

__all__ = ["gls", "tau2_with_moderators"]

FloatArray = NDArray[np.float64]


def _p_matrix(w: FloatArray, x: FloatArray) -> FloatArray:
    wx = x * w[:, None]
    inner = np.linalg.inv(x.T @ wx)
    p: FloatArray = np.asarray(np.diag(w) - wx @ inner @ wx.T, dtype=np.float64)
    return p


def gls(y: FloatArray, v: FloatArray, x: FloatArray, tau2: float) -> FloatArray:
    """Coefficients of the weighted least-squares fit with weights ``1/(v + tau2)``."""
    w = 1.0 / (v + tau2)
    wx = x * w[:, None]
    beta: FloatArray = np.asarray(np.linalg.solve(x.T @ wx, wx.T @ y), dtype=np.float64)
    return beta


def _profile(
    t: FloatArray, y: FloatArray, v: FloatArray, x: FloatArray, restricted: bool
) -> tuple[FloatArray, FloatArray]:
    r"""``(log-likelihood, score)`` of the mixed-effects model at each τ² in ``t``.

    With :math:`\hat\beta` the weighted least-squares fit, :math:`Py = W(y - X\hat\beta)`,
    so :math:`y^\top Py = \sum w_i e_i^2` and :math:`y^\top PPy = \sum w_i^2 e_i^2`; and
    :math:`\operatorname{tr}P = \sum w_i - \operatorname{tr}((X^\top WX)^{-1}X^\top W^2X)`."""
    w = 1.0 / (v[None, :] + t[:, None])  # (m, k)
    xtwx = np.einsum("ki,mk,kj->mij", x, w, x)
    beta = np.linalg.solve(xtwx, np.einsum("ki,mk,k->mi", x, w, y)[..., None])[..., 0]
    resid = y[None, :] - beta @ x.T
    loglik = -0.5 * np.log(v[None, :] + t[:, None]).sum(axis=1) - 0.5 * (w * resid**2).sum(1)
    score = ((w * resid) ** 2).sum(axis=1)
    if restricted:
        xtw2x = np.einsum("ki,mk,kj->mij", x, w * w, x)
        tr_p = w.sum(axis=1) - np.trace(np.linalg.solve(xtwx, xtw2x), axis1=1, axis2=2)
        loglik = loglik - 0.5 * np.linalg.slogdet(xtwx)[1]
        return loglik, score - tr_p
    return loglik, score - w.sum(axis=1)


def tau2_with_moderators(y: FloatArray, v: FloatArray, x: FloatArray, method: str) -> float:
    """τ² of the mixed-effects model ``y = Xβ + u + e`` by metafor's ``method`` (≥ 0)."""
    k, p = int(x.shape[0]), int(x.shape[1])
    if k <= p:
        raise MetaInputError(
            f"{k} studies cannot estimate {p} coefficients and τ²; add studies.", field="k"
        )
    method = method.upper()
    if method == "FE":
        return 0.0
    w = 1.0 / v
    if method in ("DL", "HS"):
        pw = _p_matrix(w, x)
        q = float(y @ pw @ y)
        value = (q - (k - p)) / float(np.trace(pw)) if method == "DL" else (q - k) / w.sum()
        return max(0.0, float(value))
    p_ols = np.eye(k) - x @ np.linalg.inv(x.T @ x) @ x.T
    if method == "HE":
        value = (float(y @ p_ols @ y) - float(np.trace(p_ols @ np.diag(v)))) / (k - p)
        return max(0.0, float(value))
    if method == "SJ":
        tau0 = float(y @ p_ols @ y) / k
        if tau0 == 0:
            return 0.0
        w0: FloatArray = np.asarray(1.0 / (v + tau0), dtype=np.float64)
        q0: float = float(y @ _p_matrix(w0, x) @ y)
        return max(0.0, tau0 * q0 / (k - p))
    if method in ("PM", "EB"):

        def f(t: float) -> float:
            wt: FloatArray = np.asarray(1.0 / (v + t), dtype=np.float64)
            qt: float = float(y @ _p_matrix(wt, x) @ y)
            return qt - (k - p)

        if f(0.0) <= 0:
            return 0.0
        hi = max(1.0, float(np.var(y)) * 10)
        while f(hi) > 0:
            hi *= 2
        return float(optimize.brentq(f, 0.0, hi, xtol=TOL))
    if method in ("ML", "REML"):
        return profile_maximum(
            lambda t: _profile(t, y, v, x, restricted=method == "REML"),
            4.0 * (float(np.ptp(y)) ** 2 + float(v.max())),
            float(v.min()),
            method,
        )
    raise MetaInputError(f"unknown method {method!r}.", field="method")
