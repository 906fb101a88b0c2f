r"""Bayesian linear regression with AR(1) errors, integrated exactly over a grid in ρ.

This is the numerical core shared by the open-label response analysis, the N-of-1 analysis, the
design assistant and the calibration tests. It is deterministic (no MCMC).

Model
-----
For diary days :math:`t_1 < \dots < t_n` (integer day numbers, gaps allowed),

.. math::

    y_i = x_i^\top \beta + e_i,\qquad
    \operatorname{Cov}(e_i, e_j) = s^2 \rho^{|t_i - t_j|},

i.e. a stationary AR(1) process observed on whole days, with marginal (day-to-day) variance
:math:`s^2` and lag-1 autocorrelation :math:`\rho \in (-1, 1)`. Because the process is Markov,
the generalised Prais–Winsten transform (Prais & Winsten 1954, extended to gaps
:math:`g_i = t_i - t_{i-1}`)

.. math::

    z_1 = y_1,\qquad z_i = \frac{y_i - \rho^{g_i} y_{i-1}}{\sqrt{1 - \rho^{2 g_i}}},

(the same for the rows of :math:`X`, giving :math:`W`) turns the model into
:math:`z \sim N(W\beta, s^2 I)` with Jacobian :math:`\prod_i (1-\rho^{2g_i})^{-1/2}`.

Priors (conjugate Normal–Inverse-Gamma given ρ)
-----------------------------------------------
.. math::

    \beta_j \mid s^2 \sim N(0, s^2 / \lambda_j)\ (\lambda_j = 0:\ \text{flat}),\qquad
    s^2 \sim \text{Inv-Gamma}(a_0, b_0),\qquad p(\rho) \propto (1-\rho^2)^{-1/2}.

The prior of ρ is the Jeffreys prior of a stationary AR(1) coefficient (Berger & Yang,
*Econometric Theory* 1994;10:461–482). It was chosen over a uniform prior because, in the
calibration tests, it brings the frequentist coverage of the 95 % interval closer to nominal
when the autocorrelation is high (ρ ≥ 0.8), where short series understate ρ.

Given ρ, with :math:`\Lambda = \operatorname{diag}(\lambda)`, :math:`V_n = (W^\top W+\Lambda)^{-1}`,
:math:`m_n = V_n W^\top z`, :math:`a_n = a_0 + (n-k)/2` (k flat coefficients) and
:math:`b_n = b_0 + \tfrac12(z^\top z - m_n^\top W^\top z)`, the posterior is analytic:
:math:`\beta \mid \rho, y \sim t_{2a_n}(m_n, (b_n/a_n) V_n)` and

.. math::

    \log p(y\mid\rho) = \tfrac12\log|V_n| + \tfrac12\textstyle\sum_{\lambda_j>0}\log\lambda_j
    - a_n \log b_n - \tfrac12\sum_i \log(1-\rho^{2g_i}) + \text{const}.

ρ is integrated numerically: with :math:`\rho = \sin\theta` the Jeffreys prior becomes
uniform in :math:`\theta \in (-\pi/2, \pi/2)`, integrated by Gauss–Legendre quadrature (96
nodes by default: the node spacing in ρ is ≈ 0.05 near ρ = 0 and finer towards ±1, below the
posterior SD of ρ, ≈ :math:`\sqrt{(1-\rho^2)/n}`, for diaries up to a few hundred days, which
is what makes the quadrature accurate — checked against 400 nodes in the tests). The
posterior of each coefficient is therefore a finite mixture of Student-t distributions; its
quantiles are found by safeguarded Newton iteration.

All functions are vectorised over ``R`` data sets sharing one design (the design assistant and
the calibration tests analyse thousands of simulated diaries in one call).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

__all__ = ["GridPosterior", "fit_ar1_regression", "gauss_legendre", "simulate_ar1"]

FloatArray = NDArray[np.float64]

#: Default number of Gauss–Legendre nodes for ρ (see module docstring for why 96 suffices).
DEFAULT_NODES = 96


@dataclass(frozen=True)
class GridPosterior:
    """Posterior of an AR(1) regression as a mixture over ρ nodes (vectorised over data sets).

    Attributes
    ----------
    rho : (K,)
        Quadrature nodes of ρ.
    weight : (R, K)
        Posterior probability of each node for each data set (rows sum to 1).
    loc : (R, K, p)
        Conditional posterior location of β given ρ.
    scale : (R, K, p)
        Conditional Student-t scale of each coefficient given ρ.
    dof : float
        Degrees of freedom :math:`2 a_n` (shared by all nodes and data sets).
    s2_mean : (R, K)
        Conditional posterior mean of the day-to-day variance :math:`s^2`.
    """

    rho: FloatArray
    weight: FloatArray
    loc: FloatArray
    scale: FloatArray
    dof: float
    s2_mean: FloatArray

    def mean(self, j: int) -> FloatArray:
        """Posterior mean of coefficient ``j``, shape (R,)."""
        return np.asarray(np.einsum("rk,rk->r", self.weight, self.loc[:, :, j]))

    def sd(self, j: int) -> FloatArray:
        """Posterior SD of coefficient ``j`` (law of total variance over ρ), shape (R,)."""
        var_t = self.scale[:, :, j] ** 2 * self.dof / (self.dof - 2.0)
        m = self.mean(j)
        second = np.einsum("rk,rk->r", self.weight, var_t + self.loc[:, :, j] ** 2)
        return np.asarray(np.sqrt(np.maximum(second - m**2, 0.0)))

    def cdf(self, j: int, x: FloatArray | float) -> FloatArray:
        """:math:`P(\\beta_j \\le x)` for each data set; ``x`` is a scalar or shape (R,)."""
        xs = np.broadcast_to(np.asarray(x, dtype=np.float64), (self.weight.shape[0],))
        t = (xs[:, None] - self.loc[:, :, j]) / self.scale[:, :, j]
        return np.asarray(np.einsum("rk,rk->r", self.weight, special.stdtr(self.dof, t)))

    def quantile(self, j: int, q: float, *, iterations: int = 60) -> FloatArray:
        """The ``q`` quantile of coefficient ``j`` for each data set (safeguarded Newton).

        Converges to ``1e-9`` posterior SDs; typically in 3–5 Newton steps from the normal
        approximation, falling back to bisection of the bracket when a step leaves it.
        """
        m, s = self.mean(j), self.sd(j)
        lo, hi = m - 40.0 * s - 1e-9, m + 40.0 * s + 1e-9
        x = m + float(stats.norm.ppf(q)) * s
        loc, scale, nu = self.loc[:, :, j], self.scale[:, :, j], self.dof
        log_c = (
            special.gammaln(0.5 * (nu + 1)) - special.gammaln(0.5 * nu) - 0.5 * np.log(nu * np.pi)
        )
        for _ in range(iterations):
            t = (x[:, None] - loc) / scale
            f = np.einsum("rk,rk->r", self.weight, special.stdtr(nu, t)) - q
            lo = np.where(f < 0, x, lo)
            hi = np.where(f >= 0, x, hi)
            pdf = np.exp(log_c - 0.5 * (nu + 1) * np.log1p(t * t / nu)) / scale
            dens = np.einsum("rk,rk->r", self.weight, pdf)
            step = x - f / np.maximum(dens, 1e-300)
            inside = (step >= lo) & (step <= hi)
            x_new = np.where(inside, step, 0.5 * (lo + hi))
            done = bool(np.all(np.abs(x_new - x) <= 1e-9 * s + 1e-14))
            x = x_new
            if done:
                break
        return np.asarray(x)

    def rho_mean(self) -> FloatArray:
        """Posterior mean of ρ, shape (R,)."""
        return np.asarray(self.weight @ self.rho)

    def rho_quantile(self, q: float) -> FloatArray:
        """Approximate quantile of ρ: linear interpolation of the cumulative node weights."""
        cum = np.cumsum(self.weight, axis=1) - 0.5 * self.weight
        return np.array([np.interp(q, c, self.rho) for c in cum])

    def sigma_mean(self) -> FloatArray:
        """Posterior mean of the day-to-day variance, square-rooted, shape (R,)."""
        return np.asarray(np.sqrt(np.einsum("rk,rk->r", self.weight, self.s2_mean)))


@lru_cache(maxsize=8)
def gauss_legendre(nodes: int) -> tuple[FloatArray, FloatArray]:
    """Cached, read-only Gauss–Legendre nodes and weights on (−1, 1)."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def _rho_nodes(
    nodes: int, rho_grid: tuple[FloatArray, FloatArray] | None
) -> tuple[FloatArray, FloatArray]:
    """The ρ values and their quadrature weights (the prior of ρ included)."""
    if rho_grid is None:
        # ρ = sin θ turns the Jeffreys prior (1-ρ²)^(-1/2) dρ into dθ: Gauss–Legendre in θ
        x_gl, w_gl = gauss_legendre(nodes)
        return np.sin(0.5 * np.pi * x_gl), 0.5 * np.pi * w_gl
    rho = np.atleast_1d(np.asarray(rho_grid[0], dtype=np.float64))
    return rho, np.atleast_1d(np.asarray(rho_grid[1], dtype=np.float64))


def _whitened_design(
    xm: FloatArray, rho: FloatArray, gaps: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(r, c, W)``: :math:`r_{ki} = \\rho_k^{g_i}`, :math:`c = \\sqrt{1 - r^2}` and the
    design whitened at each ρ node, shape (K, n, p)."""
    n, p = xm.shape
    # r[k, i] = ρ_k^{g_i}; sign handled so negative ρ with odd gaps stays negative
    r = np.sign(rho)[:, None] ** gaps[None, :] * np.abs(rho)[:, None] ** gaps[None, :]
    c = np.sqrt(1.0 - r**2)
    wm = np.empty((rho.size, n, p))
    wm[:, 0, :] = xm[0]
    wm[:, 1:, :] = (xm[None, 1:, :] - r[:, :, None] * xm[None, :-1, :]) / c[:, :, None]
    return r, c, wm


def fit_ar1_regression(
    y: FloatArray,
    x: FloatArray,
    days: NDArray[np.int64],
    prior_precision: FloatArray,
    *,
    a0: float,
    b0: float,
    nodes: int = DEFAULT_NODES,
    rho_grid: tuple[FloatArray, FloatArray] | None = None,
    chunk: int = 256,
) -> GridPosterior:
    """Posterior of :math:`\\beta, s^2, \\rho` for one or many diaries sharing one design.

    Parameters
    ----------
    y : (n,) or (n_sets, n)
        Outcome values, one row per data set.
    x : (n, p)
        Design matrix.
    days : (n,)
        Strictly increasing integer day numbers of the observations.
    prior_precision : (p,)
        :math:`\\lambda_j` in units of :math:`1/s^2`; 0 means a flat prior.
    a0, b0
        Inverse-gamma prior of :math:`s^2`.
    nodes
        Gauss–Legendre nodes for ρ.
    rho_grid
        ``(rho_values, quadrature_weights)`` replacing the Gauss–Legendre rule, e.g. a single
        known ρ with weight 1 (used by the tests to compare with GLS at a fixed ρ).
    chunk
        Data sets processed together (bounds memory at ``nodes × chunk × n`` floats).
    """
    ys = np.atleast_2d(np.asarray(y, dtype=np.float64))
    xm = np.asarray(x, dtype=np.float64)
    lam = np.asarray(prior_precision, dtype=np.float64)
    n, p = xm.shape
    flat = int(np.sum(lam == 0))
    gaps = np.diff(np.asarray(days, dtype=np.int64)).astype(np.float64)
    rho, gl_w = _rho_nodes(nodes, rho_grid)
    nodes = rho.size
    r, c, wm = _whitened_design(xm, rho, gaps)
    prec = np.einsum("kni,knj->kij", wm, wm) + np.diag(lam)[None]
    vn = np.linalg.inv(prec)
    _, logdet_prec = np.linalg.slogdet(prec)
    an = a0 + 0.5 * (n - flat)
    const_k = (
        -0.5 * logdet_prec - np.sum(np.log(c), axis=1) + np.log(gl_w)
    )  # the prior of ρ is carried by the quadrature weights
    diag_v = np.einsum("kjj->kj", vn)
    n_sets = ys.shape[0]
    weight = np.empty((n_sets, nodes))
    loc = np.empty((n_sets, nodes, p))
    scale = np.empty((n_sets, nodes, p))
    s2 = np.empty((n_sets, nodes))
    for start in range(0, n_sets, chunk):
        yc = ys[start : start + chunk]
        zm = np.empty((nodes, yc.shape[0], n))
        zm[:, :, 0] = yc[None, :, 0]
        zm[:, :, 1:] = (yc[None, :, 1:] - r[:, None, :] * yc[None, :, :-1]) / c[:, None, :]
        wtz = np.einsum("kni,krn->kri", wm, zm)
        mn = np.einsum("kij,krj->kri", vn, wtz)
        bn = b0 + 0.5 * (np.einsum("krn,krn->kr", zm, zm) - np.einsum("kri,kri->kr", mn, wtz))
        bn = np.maximum(bn, 1e-300)
        logpost = const_k[:, None] - an * np.log(bn)  # (K, Rc)
        logpost -= logpost.max(axis=0, keepdims=True)
        w = np.exp(logpost)
        w /= w.sum(axis=0, keepdims=True)
        sl = slice(start, start + yc.shape[0])
        weight[sl] = w.T
        loc[sl] = mn.transpose(1, 0, 2)
        scale[sl] = np.sqrt((bn / an).T[:, :, None] * diag_v[None, :, :])
        s2[sl] = (bn / (an - 1.0)).T if an > 1.0 else (bn / an).T
    return GridPosterior(
        rho=rho, weight=weight, loc=loc, scale=scale, dof=float(2.0 * an), s2_mean=s2
    )


def simulate_ar1(
    rng: np.random.Generator, days: NDArray[np.int64], reps: int, sd: float, rho: float
) -> FloatArray:
    """Draw ``reps`` stationary AR(1) error series observed on ``days``, shape (reps, n).

    :math:`e_1 \\sim N(0, s^2)`, :math:`e_i = \\rho^{g_i} e_{i-1} + s\\sqrt{1-\\rho^{2g_i}}\\,u_i`.
    """
    d = np.asarray(days, dtype=np.int64)
    gaps = np.diff(d).astype(np.float64)
    r = np.sign(rho) ** gaps * abs(rho) ** gaps
    innov = rng.standard_normal((reps, d.size))
    e = np.empty((reps, d.size))
    e[:, 0] = sd * innov[:, 0]
    scale = sd * np.sqrt(1.0 - r**2)
    for i in range(1, d.size):
        e[:, i] = r[i - 1] * e[:, i - 1] + scale[i - 1] * innov[:, i]
    return e
