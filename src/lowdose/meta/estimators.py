r"""Estimators of the between-study variance :math:`\tau^2`, one short class each.

A model is a subclass of :class:`Tau2Estimator` registered by its metafor name; the base
class owns the shared algebra (weights, generalised :math:`Q`, root finding), a subclass
declares only its equation. All are for the intercept-only (random-effects) model with
:math:`k` studies, outcomes :math:`y_i` and sampling variances :math:`v_i`; write
:math:`w_i = 1/v_i`, :math:`\hat\mu_w = \sum w_i y_i / \sum w_i` and
:math:`Q = \sum w_i (y_i - \hat\mu_w)^2`.
Every estimate is truncated at zero, as in metafor.

References
----------
Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the random-effects
model. *J Educ Behav Stat* 2005;30(3):261–293 (HS, HE, DL, ML, REML, EB).
Veroniki AA et al. Methods to estimate the between-study variance and its uncertainty in
meta-analysis. *Res Synth Methods* 2016;7(1):55–79. doi:10.1002/jrsm.1164 (all, incl. SJ, PM).
Sidik K, Jonkman JN. Simple heterogeneity variance estimation for meta-analysis.
*J R Stat Soc C* 2005;54(2):367–384.
Paule RC, Mandel J. Consensus values and weighting factors. *J Res Natl Bur Stand*
1982;87(5):377–385.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from lowdose.errors import ConvergenceError, MetaInputError

__all__ = [
    "ESTIMATORS",
    "DerSimonianLaird",
    "EmpiricalBayes",
    "FixedEffect",
    "Hedges",
    "HunterSchmidt",
    "MaximumLikelihood",
    "PauleMandel",
    "RestrictedMaximumLikelihood",
    "SidikJonkman",
    "Tau2Estimator",
    "fisher_scoring",
    "generalised_q",
    "get_estimator",
    "profile_maximum",
]

FloatArray = NDArray[np.float64]

#: Name → class, filled by :meth:`Tau2Estimator.__init_subclass__`.
ESTIMATORS: dict[str, type[Tau2Estimator]] = {}

#: Convergence tolerance on τ² for the iterative estimators. metafor's default is 1e-5
#: (``control=list(threshold=...)``); we iterate to 1e-10 so that our values sit inside
#: metafor's own tolerance band rather than at its edge.
TOL = 1e-10
MAXITER = 1000


def generalised_q(tau2: float, y: FloatArray, v: FloatArray) -> float:
    r"""Generalised Cochran statistic :math:`Q(\tau^2) = \sum w_i(\tau^2)(y_i-\hat\mu)^2`.

    With :math:`w_i(\tau^2) = 1/(v_i+\tau^2)`; it decreases monotonically in :math:`\tau^2`
    (Viechtbauer 2007, *Stat Med* 26:37–52), which the PM estimator and the Q-profile
    interval exploit.
    """
    w = 1.0 / (v + tau2)
    mu = float((w * y).sum() / w.sum())
    return float((w * (y - mu) ** 2).sum())


def _upper_bracket(f: object, start: float) -> float:
    """Grow an upper bound until the decreasing function ``f`` turns negative."""
    fn = f  # typed as callable below
    hi = max(start, 1.0)
    for _ in range(200):
        if fn(hi) < 0:  # type: ignore[operator]
            return hi
        hi *= 2.0
    raise ConvergenceError(
        "could not bracket the τ² root; the data may have (near) zero sampling variances. "
        "Check the vi column."
    )


def fisher_scoring(
    score_info: Callable[[float], tuple[float, float]], start: float, label: str
) -> float:
    """Root of a likelihood score in τ² ≥ 0: Fisher scoring with step halving at zero
    (metafor's algorithm), falling back to Brent's method on a bracket when the iteration
    oscillates (Fisher scoring can cycle around the root when the likelihood is flat).
    """
    t = start
    previous: tuple[float, float] | None = None
    for iteration in range(MAXITER):
        score, info = score_info(t)
        # after 20 steps, a sign change of the score brackets the root: finish with Brent
        if previous is not None and previous[1] * score < 0 and iteration > 20:
            lo, hi = sorted((previous[0], t))
            return float(optimize.brentq(lambda u: score_info(u)[0], lo, hi, xtol=TOL, rtol=1e-15))
        previous = (t, score)
        step = score / info
        new = t + step
        while new < 0:
            step /= 2
            new = t + step
            if abs(step) < TOL:
                new = 0.0
                break
        if abs(new - t) < TOL:
            return new
        t = new
    raise ConvergenceError(
        f"{label} did not converge in {MAXITER} iterations; try method='PM' or 'DL'."
    )


class Tau2Estimator:
    """Base class: validate inputs, call :meth:`_tau2`, truncate at zero."""

    #: metafor's method name, used as the registry key.
    name: ClassVar[str] = ""
    #: Human-readable name for summaries.
    label: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            ESTIMATORS[cls.name] = cls

    def estimate(self, y: FloatArray, v: FloatArray) -> float:
        """Return :math:`\\hat\\tau^2 \\ge 0` (0 when :math:`k = 1`)."""
        if y.size < 2:
            return 0.0
        return max(0.0, float(self._tau2(y, v)))

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _q_fe(y: FloatArray, v: FloatArray) -> tuple[float, FloatArray]:
        w = 1.0 / v
        return generalised_q(0.0, y, v), w


class FixedEffect(Tau2Estimator):
    r"""Fixed (common) effect: :math:`\tau^2 \equiv 0`."""

    name = "FE"
    label = "fixed effect"

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:
        return 0.0


class DerSimonianLaird(Tau2Estimator):
    r"""DerSimonian & Laird (1986), method of moments with weights :math:`1/v_i`.

    .. math:: \hat\tau^2 = \frac{Q - (k-1)}{\sum w_i - \sum w_i^2/\sum w_i}
    """

    name = "DL"
    label = "DerSimonian-Laird"

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:
        q, w = self._q_fe(y, v)
        return float((q - (y.size - 1)) / (w.sum() - (w**2).sum() / w.sum()))


class Hedges(Tau2Estimator):
    r"""Hedges (1983) / Hedges & Olkin: unweighted method of moments.

    .. math:: \hat\tau^2 = \frac{\sum (y_i-\bar y)^2 - \frac{k-1}{k}\sum v_i}{k-1}
    """

    name = "HE"
    label = "Hedges"

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:
        k = y.size
        rss = float(np.sum((y - y.mean()) ** 2))
        return (rss - (k - 1) / k * float(v.sum())) / (k - 1)


class HunterSchmidt(Tau2Estimator):
    r"""Hunter & Schmidt (2004), as metafor implements it.

    .. math:: \hat\tau^2 = \frac{Q - k}{\sum w_i}
    """

    name = "HS"
    label = "Hunter-Schmidt"

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:
        q, w = self._q_fe(y, v)
        return (q - y.size) / float(w.sum())


class SidikJonkman(Tau2Estimator):
    r"""Sidik & Jonkman (2005): one weighted step from a crude start.

    .. math:: \hat\tau_0^2 = \frac1k\sum(y_i-\bar y)^2,\qquad
        \hat\tau^2 = \frac{\hat\tau_0^2}{k-1}\sum \frac{(y_i-\hat\mu)^2}{v_i/\hat\tau_0^2 + 1}

    i.e. :math:`\hat\tau_0^2\,Q(\hat\tau_0^2)/(k-1)`. Strictly positive unless all
    :math:`y_i` are equal.
    """

    name = "SJ"
    label = "Sidik-Jonkman"

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:
        tau0 = float(np.mean((y - y.mean()) ** 2))
        if tau0 == 0.0:
            return 0.0
        return tau0 * generalised_q(tau0, y, v) / (y.size - 1)


class PauleMandel(Tau2Estimator):
    r"""Paule & Mandel (1982): the :math:`\tau^2` at which :math:`Q(\tau^2) = k - 1`.

    Zero when :math:`Q(0) \le k-1`. :math:`Q(\tau^2)` is monotone, so the root is unique and
    found by Brent's method to :data:`TOL`.
    """

    name = "PM"
    label = "Paule-Mandel"

    def _target(self, k: int) -> float:
        return float(k - 1)

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:
        target = self._target(y.size)

        def f(t: float) -> float:
            return generalised_q(t, y, v) - target

        if f(0.0) <= 0:
            return 0.0
        hi = _upper_bracket(f, float(np.var(y)))
        return float(optimize.brentq(f, 0.0, hi, xtol=TOL, rtol=4 * np.finfo(float).eps))


class EmpiricalBayes(PauleMandel):
    r"""Morris (1983) empirical Bayes estimator.

    metafor iterates :math:`\tau^2 \leftarrow \tau^2 + \left(\frac{k}{k-1}Q(\tau^2) - k\right)
    / \sum w_i(\tau^2)`; its fixed point solves :math:`Q(\tau^2) = k-1`, the Paule-Mandel
    equation, so the two estimators coincide for the random-effects model (Viechtbauer et al.
    2015, *Res Synth Methods* 6:195). We solve that equation directly.
    """

    name = "EB"
    label = "empirical Bayes"


#: Points of the profile grid of the ML/REML log-likelihood in τ² (besides τ² = 0). Log-spaced
#: from ``min(v)·1e-6`` to a bound beyond which the score is negative, i.e. about 28 points per
#: decade over the usual ~14 decades: a local maximum the grid could miss must lie, together
#: with a local minimum, inside one cell of relative width ≈ 8 %, where the log-likelihood
#: cannot rise measurably above the cell's ends. Checked against a 20 000-point grid on the
#: 20 000 simulated fits of ``tests/reference/meta_tau2_local_maxima.json`` (no miss).
PROFILE_POINTS = 400


#: ``(log-likelihood, score)`` at each τ² of an array, constants dropped.
Profile = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


def profile_maximum(profile: Profile, top: float, v_min: float, label: str) -> float:
    r"""The τ² ≥ 0 of the global maximum of a (restricted) log-likelihood, by profiling.

    The score is evaluated on τ² = 0 and :data:`PROFILE_POINTS` log-spaced points from
    ``min(v_min·1e-6, top·1e-12)`` up to a bound, grown from ``top`` until the score is
    negative there; each + → − sign change brackets a local maximum, refined by Brent's method
    to :data:`TOL`; τ² = 0 is a candidate when the score there is ≤ 0; the candidate with the
    largest log-likelihood wins. Shared by the intercept-only estimators and meta-regression
    (:func:`lowdose.meta.regression.tau2_with_moderators`)."""
    for _ in range(200):
        if profile(np.array([top]))[1][0] < 0:
            break
        top *= 2.0
    else:  # pragma: no cover - needs a non-finite input, refused by MetaAnalysis
        raise ConvergenceError(f"{label}: the likelihood has no maximum; check vi.")
    bottom = min(v_min * 1e-6, top * 1e-12)
    grid = np.concatenate([[0.0], np.geomspace(bottom, top, PROFILE_POINTS)])
    _, score = profile(grid)
    candidates = [0.0] if score[0] <= 0 else []
    for i in np.flatnonzero((score[:-1] > 0) & (score[1:] <= 0)):
        lo, hi = float(grid[i]), float(grid[i + 1])
        if score[i + 1] == 0:
            candidates.append(hi)
            continue
        root = optimize.brentq(
            lambda u: float(profile(np.array([u]))[1][0]), lo, hi, xtol=TOL, rtol=1e-15
        )
        candidates.append(float(root))
    loglik, _ = profile(np.asarray(candidates))
    return candidates[int(np.argmax(loglik))]


class _Likelihood(Tau2Estimator):
    r"""ML/REML by profiling: every local maximum, then the highest.

    The (restricted) log-likelihood of the random-effects model in :math:`\tau^2` can have
    several local maxima when the sampling variances differ widely (Viechtbauer 2005; the
    Fisher scoring metafor uses stops at whichever it reaches first from the HE start: 9 of
    10 000 simulated data sets in issue 16, 141 of 20 000 fits with :math:`v_i` spanning three
    decades in ``tests/reference/meta_tau2_local_maxima.json``). The score is evaluated on a
    profile grid (:data:`PROFILE_POINTS`, plus 0) up to a bound past which it is negative;
    each + → − sign change brackets a local maximum, refined by Brent's method to :data:`TOL`;
    τ² = 0 is a candidate when the score there is ≤ 0; the candidate with the largest
    log-likelihood wins.
    Where the likelihood has one maximum this is the root metafor finds, to the same tolerance.
    """

    restricted: ClassVar[bool] = False

    def _score_info(self, t: float, y: FloatArray, v: FloatArray) -> tuple[float, float]:
        w = 1.0 / (v + t)
        sw = float(w.sum())
        mu = float(np.sum(w * y) / sw)
        ypy = float(np.sum(w**2 * (y - mu) ** 2))
        if self.restricted:
            tr_p = sw - float((w**2).sum()) / sw
            # trace(PP) for the intercept-only model
            tr_pp = (
                float((w**2).sum())
                - 2 * float((w**3).sum()) / sw
                + float((w**2).sum()) ** 2 / sw**2
            )
            return ypy - tr_p, tr_pp
        return ypy - sw, float((w**2).sum())

    def _profile(
        self, t: FloatArray, y: FloatArray, v: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """``(log-likelihood, score)`` at each τ² in ``t`` (constants dropped), shape (m,)."""
        w = 1.0 / (v[None, :] + t[:, None])
        sw = w.sum(axis=1)
        resid2 = (y[None, :] - ((w * y).sum(axis=1) / sw)[:, None]) ** 2
        loglik = -0.5 * np.log(v[None, :] + t[:, None]).sum(axis=1) - 0.5 * (w * resid2).sum(1)
        score = (w**2 * resid2).sum(axis=1) - sw
        if self.restricted:
            loglik = loglik - 0.5 * np.log(sw)
            score = score + (w**2).sum(axis=1) / sw
        return loglik, score

    def loglik(self, tau2: float, y: FloatArray, v: FloatArray) -> float:
        """The (restricted) log-likelihood at ``tau2``, constants dropped."""
        return float(self._profile(np.array([tau2]), y, v)[0][0])

    def _tau2(self, y: FloatArray, v: FloatArray) -> float:
        # Past (max y − min y)² the ML score is negative (each w_i(y_i − μ)² < 1); REML's
        # correction can need more, which profile_maximum grows the bound to.
        return profile_maximum(
            lambda t: self._profile(t, y, v),
            4.0 * (float(np.ptp(y)) ** 2 + float(v.max())),
            float(v.min()),
            self.label,
        )

    def single_start(self, y: FloatArray, v: FloatArray) -> float:
        """The estimate metafor's algorithm gives: Fisher scoring from the HE start (may stop
        at a local maximum; kept for comparison, see the tests)."""
        return max(
            0.0,
            fisher_scoring(
                lambda t: self._score_info(t, y, v), max(0.0, Hedges()._tau2(y, v)), self.label
            ),
        )


class MaximumLikelihood(_Likelihood):
    r"""Maximum likelihood: root of :math:`\sum w_i^2 (y_i-\hat\mu)^2 = \sum w_i`."""

    name = "ML"
    label = "maximum likelihood"


class RestrictedMaximumLikelihood(_Likelihood):
    r"""REML: root of :math:`\sum w_i^2 (y_i-\hat\mu)^2 = \sum w_i - \sum w_i^2/\sum w_i`."""

    name = "REML"
    label = "restricted maximum likelihood"
    restricted = True


def get_estimator(name: str) -> Tau2Estimator:
    """Instantiate the estimator registered under ``name`` (case-insensitive)."""
    cls = ESTIMATORS.get(name.upper())
    if cls is None:
        raise MetaInputError(
            f"unknown method {name!r}; choose one of {', '.join(ESTIMATORS)}.", field="method"
        )
    return cls()
