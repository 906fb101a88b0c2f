r"""Fixed- and random-effects meta-analysis: configure → fit → immutable result.

.. math::
    \hat\mu = \frac{\sum w_i y_i}{\sum w_i},\quad w_i = \frac{1}{v_i + \hat\tau^2},\quad
    SE(\hat\mu) = \Big(\sum w_i\Big)^{-1/2}

Inference (``test``): ``"z"`` uses the normal distribution; ``"knha"`` is Knapp & Hartung
(2003) — the variance is multiplied by
:math:`s^2 = \sum w_i (y_i-\hat\mu)^2/(k-1)` (not truncated at 1, as in metafor) and
:math:`t_{k-1}` quantiles are used.

Prediction interval (Higgins, Thompson & Spiegelhalter 2009; metafor ``predict``):
:math:`\hat\mu \pm q\sqrt{SE^2 + \hat\tau^2}` with :math:`q` the same quantile as the CI.

Heterogeneity as metafor reports it: :math:`Q` uses weights :math:`1/v_i`,
:math:`Q_p = P(\chi^2_{k-1} > Q)`. For ``FE``: :math:`I^2 = \max(0, (Q-(k-1))/Q)`,
:math:`H^2 = Q/(k-1)`. For every random-effects method they use the estimated
:math:`\hat\tau^2` and the "typical" within-study variance
:math:`\tilde v = (k-1)\sum w_i / ((\sum w_i)^2 - \sum w_i^2)` (Higgins & Thompson 2002):
:math:`I^2 = \hat\tau^2/(\hat\tau^2+\tilde v)`, :math:`H^2 = (\hat\tau^2+\tilde v)/\tilde v`.

The :math:`\tau^2` CI is the Q-profile interval (Viechtbauer 2007, *Stat Med* 26:37–52):
the values where :math:`Q(\tau^2)` equals the :math:`\chi^2_{k-1}` quantiles
:math:`1-\alpha/2` (lower bound) and :math:`\alpha/2` (upper bound), truncated at zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

from lowdose.errors import MetaInputError
from lowdose.meta.effects import RATIO_MEASURES, EffectSizes
from lowdose.meta.estimators import TOL, generalised_q, get_estimator
from lowdose.serial import Plain

__all__ = ["TESTS", "MetaAnalysis", "MetaResult", "q_profile_ci", "typical_variance"]

TESTS: tuple[str, ...] = ("z", "knha")
FloatArray = NDArray[np.float64]


def typical_variance(v: FloatArray) -> float:
    r"""Higgins & Thompson's typical within-study variance :math:`\tilde v` (metafor's s²)."""
    w = 1.0 / v
    k = v.size
    return float((k - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum()))


def q_profile_ci(y: FloatArray, v: FloatArray, level: float = 0.95) -> tuple[float, float]:
    """Q-profile confidence interval for τ² (see module docstring); ``(0, 0)`` if Q is tiny."""
    k = y.size
    alpha = 1 - level
    hi_crit = float(stats.chi2.ppf(1 - alpha / 2, k - 1))
    lo_crit = float(stats.chi2.ppf(alpha / 2, k - 1))

    def solve(crit: float) -> float:
        def f(t: float) -> float:
            return generalised_q(t, y, v) - crit

        if f(0.0) <= 0:
            return 0.0
        hi = max(1.0, float(np.var(y)) * 10)
        while f(hi) > 0:
            hi *= 2
        return float(optimize.brentq(f, 0.0, hi, xtol=TOL, rtol=4 * np.finfo(float).eps))

    return solve(hi_crit), solve(lo_crit)


@dataclass(frozen=True)
class MetaResult(Plain):
    """Immutable result of :meth:`MetaAnalysis.fit` (metafor names in comments).

    Ratio measures are on the log scale; :meth:`to_dict` reports them that way, and
    :meth:`back_transformed` gives ``exp`` of the estimate and intervals.
    """

    k: int
    measure: str
    method: str
    test: str
    level: float
    estimate: float  # b
    se: float
    ci_low: float  # ci.lb
    ci_high: float
    pi_low: float  # pi.lb (cr.lb in old metafor)
    pi_high: float
    stat: float  # zval / tval
    p: float  # pval
    df: int | None  # None under test="z"
    tau2: float
    tau2_ci_low: float | None
    tau2_ci_high: float | None
    I2: float
    H2: float
    I2_ci_low: float | None
    I2_ci_high: float | None
    H2_ci_low: float | None
    H2_ci_high: float | None
    Q: float
    Q_p: float
    weights: tuple[float, ...]  # percent
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    study: tuple[str, ...]
    year: tuple[int | None, ...]
    #: What these studies cannot estimate and why, in words for people (one study: τ² and the
    #: Knapp–Hartung interval; every study on the pooled effect: the Knapp–Hartung factor).
    not_estimable: tuple[str, ...] = ()

    #: Keys of the CLI's ``--json`` object, in order (issue 4 interface).
    JSON_KEYS: ClassVar[tuple[str, ...]] = (
        "k", "measure", "method", "test", "estimate", "se", "ci_low", "ci_high", "pi_low",
        "pi_high", "tau2", "tau2_ci_low", "tau2_ci_high", "I2", "H2", "Q", "Q_p", "stat", "p",
    )  # fmt: skip

    def summary_dict(self) -> dict[str, Any]:
        """The issue-4 CLI object: exactly :attr:`JSON_KEYS`."""
        full = self.to_dict()
        return {key: full[key] for key in self.JSON_KEYS}

    def back_transformed(self) -> dict[str, float]:
        """``exp`` of estimate, CI and PI for ratio measures (identity otherwise)."""

        def f(x: float) -> float:
            return math.exp(x) if self.measure in RATIO_MEASURES else x

        return {
            "estimate": f(self.estimate),
            "ci_low": f(self.ci_low),
            "ci_high": f(self.ci_high),
            "pi_low": f(self.pi_low),
            "pi_high": f(self.pi_high),
        }

    def summary(self) -> str:
        """A metafor-like text summary."""
        kind = "Fixed-effect" if self.method == "FE" else "Random-effects"
        stat_name = "z" if self.df is None else f"t({self.df})"
        lines = [
            f"{kind} model (k = {self.k}; method: {self.method}; test: {self.test}; "
            f"measure: {self.measure})",
        ]
        if self.method != "FE":
            ci = ""
            if self.tau2_ci_low is not None and self.tau2_ci_high is not None:
                ci = f" [{self.tau2_ci_low:.4f}, {self.tau2_ci_high:.4f}]"
            lines.append(f"tau^2 = {self.tau2:.4f}{ci} (tau = {math.sqrt(self.tau2):.4f})")
        lines += [
            f"I^2 = {self.I2:.2f}%  H^2 = {self.H2:.2f}",
            f"Q({self.k - 1}) = {self.Q:.4f}, p = {self.Q_p:.4g}",
            "",
            f"estimate = {self.estimate:.4f}  se = {self.se:.4f}  {stat_name} = {self.stat:.4f}"
            f"  p = {self.p:.4g}",
            f"{self.level:.0%} CI [{self.ci_low:.4f}, {self.ci_high:.4f}]  "
            f"PI [{self.pi_low:.4f}, {self.pi_high:.4f}]",
        ]
        if self.measure in RATIO_MEASURES:
            bt = self.back_transformed()
            lines.append(
                f"exp: {bt['estimate']:.4f} CI [{bt['ci_low']:.4f}, {bt['ci_high']:.4f}] "
                f"PI [{bt['pi_low']:.4f}, {bt['pi_high']:.4f}]"
            )
        lines.extend(self.not_estimable)
        return "\n".join(lines)


#: Why τ² has no estimate from one study (it is then taken as 0).
TAU2_ONE_STUDY = (
    "The variation between studies (τ²) cannot be estimated from one study; it is taken as 0, "
    "so the result is that study's own."
)
#: Why the Knapp–Hartung interval has no estimate from one study.
KH_ONE_STUDY = (
    "The Knapp–Hartung interval cannot be estimated from one study: it measures how far the "
    "studies scatter around the pooled effect, and one study has no scatter (0 degrees of "
    "freedom). The interval shown is the study's own normal-theory interval; add studies for "
    "a Knapp–Hartung interval."
)
#: Why the Knapp–Hartung factor has no estimate when every study sits on the pooled effect.
KH_NO_SPREAD = (
    "The Knapp–Hartung factor cannot be estimated: every study reports exactly the pooled "
    "effect, so there is no scatter to scale the interval by; the model-based interval is shown."
)


def _not_estimable(k: int, method: str, test: str) -> tuple[str, ...]:
    """The statements of what one study cannot estimate (none when k ≥ 2)."""
    if k > 1:
        return ()
    notes = () if method == "FE" else (TAU2_ONE_STUDY,)
    return notes + ((KH_ONE_STUDY,) if test == "knha" else ())


def _knapp_hartung_factor(w: FloatArray, y: FloatArray, mu: float) -> float | None:
    """:math:`s^2 = \\sum w_i (y_i-\\hat\\mu)^2/(k-1)`, or ``None`` when every residual is
    exactly 0: the SE would vanish, so the model-based variance is kept (class docstring)."""
    s2 = float((w * (y - mu) ** 2).sum()) / (y.size - 1)
    return s2 if s2 > 0 else None


class MetaAnalysis:
    """Configure a meta-analysis; :meth:`fit` computes it.

    Parameters
    ----------
    data
        An :class:`~lowdose.meta.effects.EffectSizes` (from :func:`~lowdose.meta.escalc`),
        or pass ``yi`` and ``vi`` directly.
    method
        ``"FE"`` or a τ² estimator: ``DL, HE, HS, SJ, ML, REML, EB, PM`` (default REML, as
        metafor).
    test
        ``"z"`` (default) or ``"knha"`` (Knapp-Hartung). With one study the Knapp–Hartung
        interval is not estimable (no degrees of freedom): the result reports ``"z"`` and says
        so in :attr:`MetaResult.not_estimable`; when every study sits exactly on the pooled
        estimate (KH factor 0) the model-based variance is kept, also with a statement.
    level
        Confidence level for CIs and the prediction interval.
    tau2_ci
        Compute the Q-profile CI of τ² (a root search; switch off for bulk fitting).

    Examples
    --------
    >>> res = MetaAnalysis(yi=[0.1, 0.3, 0.5], vi=[0.01, 0.02, 0.03], method="DL").fit()
    >>> round(res.estimate, 4)
    0.2674
    """

    def __init__(
        self,
        data: EffectSizes | None = None,
        *,
        yi: Sequence[float] | FloatArray | None = None,
        vi: Sequence[float] | FloatArray | None = None,
        method: str = "REML",
        test: Literal["z", "knha"] | str = "z",
        level: float = 0.95,
        measure: str = "GEN",
        study: Sequence[str] | None = None,
        year: Sequence[int | None] | None = None,
        tau2_ci: bool = True,
    ) -> None:
        if data is not None:
            y, v = np.asarray(data.yi, float), np.asarray(data.vi, float)
            measure, study, year = data.measure, data.study, data.year
        else:
            if yi is None or vi is None:
                raise MetaInputError("give an EffectSizes object or both yi and vi.", field="yi")
            y, v = np.asarray(yi, float).ravel(), np.asarray(vi, float).ravel()
        if y.size == 0:
            raise MetaInputError("no studies to pool; add at least one.", field="yi")
        if y.size != v.size:
            raise MetaInputError("yi and vi must have the same length.", field="vi")
        bad = np.flatnonzero(~np.isfinite(y))
        if bad.size:
            raise MetaInputError(f"study {bad[0] + 1}: yi is not a finite number.", field="yi")
        bad = np.flatnonzero(~(np.isfinite(v) & (v > 0)))
        if bad.size:
            raise MetaInputError(
                f"study {bad[0] + 1}: sampling variance must be > 0 (got {v[bad[0]]}).",
                field="vi",
            )
        if test not in TESTS:
            raise MetaInputError(f"test must be 'z' or 'knha', got {test!r}.", field="test")
        if not 0 < level < 1:
            raise MetaInputError(f"level must be in (0, 1), got {level}.", field="level")
        self.estimator = get_estimator(method)
        self.method = self.estimator.name
        self.test = test
        self.level = level
        self.measure = measure
        self.y, self.v = y, v
        k = y.size
        self.study = tuple(study) if study is not None else tuple(str(i + 1) for i in range(k))
        self.year: tuple[int | None, ...] = tuple(year) if year is not None else (None,) * k
        if len(self.study) != k or len(self.year) != k:
            raise MetaInputError("study and year need one entry per study.", field="study")
        self.tau2_ci = tau2_ci

    def fit(self) -> MetaResult:
        """Estimate τ², the pooled effect, its intervals and heterogeneity statistics."""
        y, v, k = self.y, self.v, self.y.size
        tau2 = self.estimator.estimate(y, v)
        w = 1.0 / (v + tau2)
        sw = float(w.sum())
        mu = float((w * y).sum() / sw)
        var = 1.0 / sw
        q = generalised_q(0.0, y, v) if k > 1 else 0.0
        # scipy.special directly: the scipy.stats wrappers cost ~100 µs per call
        q_p = float(special.chdtrc(k - 1, q)) if k > 1 else 1.0
        alpha = 1 - self.level
        df: int | None = None
        notes = _not_estimable(k, self.method, self.test)
        if self.test == "knha" and k > 1:
            factor = _knapp_hartung_factor(w, y, mu)
            var *= 1.0 if factor is None else factor
            notes += (KH_NO_SPREAD,) if factor is None else ()
            df = k - 1
        se = math.sqrt(var)
        stat = mu / se
        if df is None:
            crit = float(special.ndtri(1 - alpha / 2))
            p = float(2 * special.ndtr(-abs(stat)))
        else:
            crit = float(special.stdtrit(df, 1 - alpha / 2))
            p = float(2 * special.stdtr(df, -abs(stat)))
        pi_half = crit * math.sqrt(var + tau2)

        i2_ci: tuple[float | None, float | None] = (None, None)
        h2_ci: tuple[float | None, float | None] = (None, None)
        t_ci: tuple[float | None, float | None] = (None, None)
        if k == 1:
            i2, h2 = 0.0, 1.0
        elif self.method == "FE":
            i2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
            h2 = q / (k - 1)
        else:
            s2t = typical_variance(v)
            i2 = 100 * tau2 / (tau2 + s2t)
            h2 = (tau2 + s2t) / s2t
            if self.tau2_ci:
                lo, hi = q_profile_ci(y, v, self.level)
                t_ci = (lo, hi)
                i2_ci = (100 * lo / (lo + s2t), 100 * hi / (hi + s2t))
                h2_ci = ((lo + s2t) / s2t, (hi + s2t) / s2t)
        return MetaResult(
            k=k,
            measure=self.measure,
            method=self.method,
            test=self.test if df is not None or self.test == "z" else "z",
            level=self.level,
            estimate=mu,
            se=se,
            ci_low=mu - crit * se,
            ci_high=mu + crit * se,
            pi_low=mu - pi_half,
            pi_high=mu + pi_half,
            stat=stat,
            p=p,
            df=df,
            tau2=tau2,
            tau2_ci_low=t_ci[0],
            tau2_ci_high=t_ci[1],
            I2=i2,
            H2=h2,
            I2_ci_low=i2_ci[0],
            I2_ci_high=i2_ci[1],
            H2_ci_low=h2_ci[0],
            H2_ci_high=h2_ci[1],
            Q=q,
            Q_p=q_p,
            weights=tuple((100 * w / sw).tolist()),
            yi=tuple(y.tolist()),
            vi=tuple(v.tolist()),
            study=self.study,
            year=self.year,
            not_estimable=notes,
        )
