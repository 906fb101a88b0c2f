r"""Sensitivity and small-study diagnostics of a fitted :class:`~lowdose.meta.MetaResult`.

* :func:`leave_one_out` — refit without each study (metafor ``leave1out``).
* :func:`cumulative` — add studies in order, by default by year (metafor ``cumul``).
* :func:`influence` — Viechtbauer & Cheung (2010) case diagnostics (metafor ``influence``).
* :func:`egger_test` — Egger et al. (1997) regression test, *BMJ* 315:629–634.
* :func:`trim_and_fill` — Duval & Tweedie (2000), *Biometrics* 56:455–463, estimator L0.

Each refit uses the method, test and level of the original fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from lowdose.errors import ConvergenceError, MetaInputError
from lowdose.meta.model import MetaAnalysis, MetaResult
from lowdose.meta.regression import gls, tau2_with_moderators
from lowdose.serial import Plain

__all__ = [
    "EggerResult",
    "InfluenceRow",
    "TrimFillResult",
    "cumulative",
    "egger_test",
    "influence",
    "leave_one_out",
    "refit",
    "trim_and_fill",
]


def refit(
    res: MetaResult,
    index: Sequence[int] | None = None,
    *,
    yi: Sequence[float] | None = None,
    vi: Sequence[float] | None = None,
    study: Sequence[str] | None = None,
    year: Sequence[int | None] | None = None,
    tau2_ci: bool = False,
) -> MetaResult:
    """Fit the same model to a subset (``index``) of the studies, or to new data."""
    if index is not None:
        yi = [res.yi[i] for i in index]
        vi = [res.vi[i] for i in index]
        study = [res.study[i] for i in index]
        year = [res.year[i] for i in index]
    return MetaAnalysis(
        yi=yi,
        vi=vi,
        method=res.method,
        test="knha" if res.df is not None or res.test == "knha" else "z",
        level=res.level,
        measure=res.measure,
        study=study,
        year=year,
        tau2_ci=tau2_ci,
    ).fit()


def leave_one_out(res: MetaResult) -> tuple[MetaResult, ...]:
    """One refit per study, leaving that study out (needs k ≥ 2)."""
    if res.k < 2:
        raise MetaInputError("leave-one-out needs at least two studies.", field="k")
    return tuple(refit(res, [j for j in range(res.k) if j != i]) for i in range(res.k))


def cumulative(res: MetaResult, order: Literal["year", "given"] = "year") -> tuple[MetaResult, ...]:
    """Cumulative meta-analysis: fit 1, 2, …, k studies in publication order.

    ``order="year"`` sorts by year with a stable sort (ties keep their input order, as R's
    ``order``); studies without a year go last.
    """
    idx = list(range(res.k))
    if order == "year":
        idx.sort(key=lambda i: (res.year[i] is None, res.year[i] or 0))
    return tuple(refit(res, idx[: j + 1]) for j in range(res.k))


@dataclass(frozen=True)
class InfluenceRow(Plain):
    r"""Case diagnostics for one study (metafor ``influence.rma.uni`` columns).

    .. math::
        r_i^* = \frac{y_i - \hat\mu_{(-i)}}{\sqrt{v_i + \hat\tau^2_{(-i)} + SE^2_{(-i)}}},\quad
        \mathrm{DFFITS}_i = \frac{\hat\mu - \hat\mu_{(-i)}}{\sqrt{h_i(\hat\tau^2_{(-i)}+v_i)}},\quad
        D_i = \frac{(\hat\mu - \hat\mu_{(-i)})^2}{SE^2},\quad
        \mathrm{COVRATIO}_i = \frac{SE^2_{(-i)}}{SE^2}

    and DFBETAS :math:`(\hat\mu - \hat\mu_{(-i)})/SE^*_{(-i)}`, where, as in metafor,
    :math:`SE^*_{(-i)} = (\sum_{j=1}^{k} 1/(v_j + \hat\tau^2_{(-i)}))^{-1/2}` uses all
    :math:`k` studies with the leave-one-out :math:`\hat\tau^2`
    (Viechtbauer & Cheung 2010, *Res Synth Methods* 1:112–125).
    """

    study: str
    rstudent: float
    dffits: float
    cook_d: float
    cov_r: float
    tau2_del: float
    Q_del: float
    hat: float
    weight: float
    dfbs: float
    influential: bool


def influence(res: MetaResult) -> tuple[InfluenceRow, ...]:
    """Influence diagnostics; ``influential`` uses metafor's cut-offs (see notes).

    Notes
    -----
    metafor marks a study influential when |DFFITS| > 3√(p/(k−p)), Cook's D above the 50th
    percentile of χ²₁, hat > 3p/k, or the lower-tail probability of COVRATIO... we apply the
    first three (p = 1), which are the ones defined without simulation.
    """
    if res.k < 3:
        raise MetaInputError("influence diagnostics need at least three studies.", field="k")
    k = res.k
    y, v = np.asarray(res.yi), np.asarray(res.vi)
    w = 1.0 / (v + res.tau2)
    hat = w / w.sum()
    rows = []
    dffits_cut = 3 * math.sqrt(1 / (k - 1))
    cook_cut = float(stats.chi2.ppf(0.5, 1))
    for i, loo in enumerate(leave_one_out(res)):
        diff = res.estimate - loo.estimate
        rstudent = (y[i] - loo.estimate) / math.sqrt(v[i] + loo.tau2 + loo.se**2)
        dffits = diff / math.sqrt(hat[i] * (loo.tau2 + v[i]))
        cook = diff**2 / res.se**2
        # metafor: SE from all k studies weighted with the leave-one-out tau^2
        se_star = math.sqrt(1.0 / float((1.0 / (v + loo.tau2)).sum()))
        rows.append(
            InfluenceRow(
                study=res.study[i],
                rstudent=rstudent,
                dffits=dffits,
                cook_d=cook,
                cov_r=loo.se**2 / res.se**2,
                tau2_del=loo.tau2,
                Q_del=loo.Q,
                hat=float(hat[i]),
                weight=float(100 * hat[i]),
                dfbs=diff / se_star,
                influential=bool(abs(dffits) > dffits_cut or cook > cook_cut or hat[i] > 3 / k),
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class EggerResult:
    r"""Egger's regression test: :math:`y_i/s_i = \beta_0 + \beta_1 (1/s_i) + \varepsilon_i`.

    Equivalent to the weighted regression :math:`y_i = \beta_1 + \beta_0 s_i` with weights
    :math:`1/v_i` and a multiplicative dispersion (metafor ``regtest(model="lm")``). The test
    of asymmetry is the *t* test of the intercept :math:`\beta_0` on :math:`k-2` df.

    When the data cannot answer the question (every study has the same effect, or the same
    standard error, or the effects lie exactly on a line in their standard errors) the
    numbers are ``None`` and :attr:`not_estimable` says why, in words for people.
    """

    k: int
    intercept: float | None
    intercept_se: float | None
    t: float | None
    df: int
    p: float | None
    limit_estimate: float | None  # slope: the estimate as SE → 0
    not_estimable: str | None = None

    @property
    def estimable(self) -> bool:
        """False when the test has no answer on these data (:attr:`not_estimable` says why)."""
        return self.not_estimable is None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON."""
        return asdict(self)

    def summary(self) -> str:
        """One line, metafor ``regtest`` style."""
        if self.not_estimable is not None:
            return f"Egger's test (k = {self.k}): not estimable: {self.not_estimable}"
        return (
            f"Egger's test (k = {self.k}): intercept {self.intercept:.4f} "
            f"(SE {self.intercept_se:.4f}), "
            f"{'z' if self.df == 0 else f't({self.df})'} = {self.t:.4f}, p = {self.p:.4g}; "
            f"limit estimate {self.limit_estimate:.4f}"
        )


#: Residuals of Egger's regression below this fraction of the standardised effects' size are
#: rounding error: the fit is exact and the dispersion, hence the SE, is 0 (why: a sum of k
#: terms in double precision carries relative error ~k·2⁻⁵³ ≈ 1e-15; 1e-10 leaves room).
_EXACT_FIT = 1e-10


def _egger_not_estimable(y: NDArray[np.float64], s: NDArray[np.float64]) -> str | None:
    """Why Egger's test has no answer on these studies, or ``None`` when it has one."""
    if np.ptp(y) == 0:
        return (
            "every study reports the same effect, so the funnel plot cannot be lopsided; "
            "there is no asymmetry to test"
        )
    if np.ptp(s) == 0:
        return (
            "every study has the same standard error, so effects cannot be compared between "
            "small and large studies; the test needs studies of different sizes"
        )
    return None


def egger_test(res: MetaResult, model: Literal["lm", "rma"] = "lm") -> EggerResult:
    r"""Egger's test for funnel-plot asymmetry (k ≥ 3; weak below k = 10, Sterne 2011).

    ``model="lm"`` is the classic test (metafor ``regtest(model="lm")``): weighted regression
    with a multiplicative dispersion and a *t* test on :math:`k-2` df. ``model="rma"`` is
    metafor's default ``regtest()``: :math:`\sqrt{v_i}` as a moderator in a meta-regression
    fitted with the model's own τ² method, weights :math:`1/(v_i+\hat\tau^2)`, and a *z* test
    (``df`` is then 0); the "intercept" reported is the coefficient of :math:`\sqrt{v_i}`.
    Degenerate studies give a result that is not estimable, with the reason (see
    :class:`EggerResult`).
    """
    k = res.k
    if k < 3:
        raise MetaInputError("Egger's test needs at least three studies.", field="k")
    if model not in ("lm", "rma"):
        raise MetaInputError(f"model must be 'lm' or 'rma', got {model!r}.", field="model")
    y, v = np.asarray(res.yi), np.asarray(res.vi)
    s = np.sqrt(v)
    why = _egger_not_estimable(y, s)
    if why is not None:
        return EggerResult(k, None, None, None, 0 if model == "rma" else k - 2, None, None, why)
    if model == "rma":
        x = np.column_stack([np.ones(k), s])
        tau2 = tau2_with_moderators(y, v, x, res.method)
        beta_r = gls(y, v, x, tau2)
        cov_r = np.linalg.inv(x.T @ (x / (v + tau2)[:, None]))
        se_r = math.sqrt(float(cov_r[1, 1]))
        z_r = float(beta_r[1]) / se_r
        return EggerResult(
            k=k,
            intercept=float(beta_r[1]),
            intercept_se=se_r,
            t=z_r,
            df=0,
            p=float(2 * stats.norm.sf(abs(z_r))),
            limit_estimate=float(beta_r[0]),
        )
    z = y / s
    x = np.column_stack([np.ones(k), 1 / s])
    beta, *_ = np.linalg.lstsq(x, z, rcond=None)
    resid = z - x @ beta
    if float(np.linalg.norm(resid)) <= _EXACT_FIT * float(np.linalg.norm(z)):
        why = (
            "the effects lie exactly on a straight line in their standard errors, so nothing "
            "is left over to judge the line's intercept against"
        )
        return EggerResult(k, None, None, None, k - 2, None, None, why)
    sigma2 = float(resid @ resid) / (k - 2)
    cov = sigma2 * np.linalg.inv(x.T @ x)
    se0 = math.sqrt(cov[0, 0])
    t = float(beta[0]) / se0
    return EggerResult(
        k=k,
        intercept=float(beta[0]),
        intercept_se=se0,
        t=t,
        df=k - 2,
        p=float(2 * stats.t.sf(abs(t), k - 2)),
        limit_estimate=float(beta[1]),
    )


@dataclass(frozen=True)
class TrimFillResult:
    """Trim-and-fill: number of imputed studies, side, and the refit on augmented data."""

    k0: int
    side: Literal["left", "right"]
    filled_yi: tuple[float, ...]
    filled_vi: tuple[float, ...]
    adjusted: MetaResult

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON."""
        return {
            "k0": self.k0,
            "side": self.side,
            "filled_yi": list(self.filled_yi),
            "filled_vi": list(self.filled_vi),
            "adjusted": self.adjusted.to_dict(),
        }

    def summary(self) -> str:
        """Number of imputed studies and the adjusted estimate."""
        return (
            f"Trim-and-fill (L0): {self.k0} studies imputed on the {self.side} side; "
            f"adjusted estimate {self.adjusted.estimate:.4f} "
            f"[{self.adjusted.ci_low:.4f}, {self.adjusted.ci_high:.4f}] (k = {self.adjusted.k})"
        )


def trim_and_fill(
    res: MetaResult,
    side: Literal["left", "right"] | None = None,
    maxiter: int = 100,
) -> TrimFillResult:
    r"""Duval & Tweedie trim-and-fill with the :math:`L_0` estimator (metafor's default).

    Iterate: fit the model to the :math:`k-k_0` studies left after trimming the :math:`k_0`
    most extreme on the suspected side; rank :math:`|y_i - \hat\mu|`; with :math:`T_n` the sum
    of the ranks of the studies on that side,

    .. math:: k_0 = \max\!\left(0, \operatorname{round}
        \frac{4T_n - k(k+1)}{2k-1}\right)

    until :math:`k_0` stops changing; then mirror the :math:`k_0` trimmed studies about
    :math:`\hat\mu` and refit on the augmented data.

    ``side`` is where studies are *missing*. When not given it is chosen from the sign of the
    coefficient of √vᵢ in a meta-regression fitted with the model's own τ² method, exactly as
    metafor (:func:`lowdose.meta.regression.tau2_with_moderators`): a negative slope means
    missing studies on the right.
    """
    if res.k < 3:
        raise MetaInputError("trim-and-fill needs at least three studies.", field="k")
    if side is None:
        # metafor: slope of sqrt(v) in a meta-regression fitted with the same method
        y0, v0 = np.asarray(res.yi), np.asarray(res.vi)
        x = np.column_stack([np.ones(res.k), np.sqrt(v0)])
        slope = gls(y0, v0, x, tau2_with_moderators(y0, v0, x, res.method))[1]
        side = "right" if slope < 0 else "left"
    sign = 1.0 if side == "left" else -1.0
    y = sign * np.asarray(res.yi)
    v = np.asarray(res.vi)
    order = np.argsort(y, kind="stable")
    y, v = y[order], v[order]
    k = res.k
    k0, previous, it = 0, -1, 0
    mu = 0.0
    while k0 != previous:
        if it >= maxiter:
            raise ConvergenceError(
                f"trim-and-fill did not converge in {maxiter} iterations; give side= explicitly."
            )
        previous = k0
        it += 1
        sub = refit(
            res,
            yi=list(y[: k - k0]),
            vi=list(v[: k - k0]),
            study=[str(i) for i in range(k - k0)],
            year=[None] * (k - k0),
        )
        mu = sub.estimate
        centred = y - mu
        ranks = stats.rankdata(np.abs(centred), method="ordinal")
        t_n = float(np.sum(ranks[centred > 0]))
        k0 = max(0, round((4 * t_n - k * (k + 1)) / (2 * k - 1)))
        k0 = min(k0, k - 1)
    fill_y = 2 * mu - y[k - k0 :] if k0 else np.array([])
    fill_v = v[k - k0 :] if k0 else np.array([])
    fill_y = sign * fill_y
    all_y = list(res.yi) + [float(x) for x in fill_y]
    all_v = list(res.vi) + [float(x) for x in fill_v]
    studies = list(res.study) + [f"filled {j + 1}" for j in range(k0)]
    adjusted = refit(res, yi=all_y, vi=all_v, study=studies, year=list(res.year) + [None] * k0)
    return TrimFillResult(
        k0=k0,
        side=side,
        filled_yi=tuple(float(x) for x in fill_y),
        filled_vi=tuple(float(x) for x in fill_v),
        adjusted=adjusted,
    )
