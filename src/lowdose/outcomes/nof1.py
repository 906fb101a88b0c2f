r"""Bayesian analysis of an N-of-1 trial, with a deterministic posterior (no MCMC).

Model
-----
For each analysed day :math:`t` (diary days inside a period and on or after its
``analysis_start``; run-in days are excluded),

.. math::

    y_t = \alpha + \sum_{c \ge 2} \gamma_c [\text{cycle}(t) = c]
          + \sum_{a \ne \text{placebo}} \delta_a [\text{arm}(t) = a]
          + \beta\,\frac{t - t_0}{28} + e_t,
    \qquad e_t \sim \text{AR(1)}(\rho, s^2),

with cycle (block) effects :math:`\gamma`, one treatment effect :math:`\delta_a` per active arm
*against placebo* (``effect = active − placebo``: negative means less pain), an optional linear
trend :math:`\beta` per 28 days and AR(1) errors over calendar days (gaps exact). Priors are in
:mod:`lowdose.outcomes.priors`; the posterior (conjugate given ρ, ρ integrated by quadrature)
in :mod:`lowdose.outcomes.ar1`. Reported per arm: posterior mean and SD, 95 % equal-tailed
credible interval, :math:`P(\text{any benefit})` and :math:`P(\text{benefit} \ge \text{MCID})`
with the benefit direction of the outcome.

Period effects within a cycle are not separately estimable (each period *is* one arm of the
cycle), so "period effects" enter as cycle blocks plus the optional trend; carry-over is handled
by design (the run-in), not by the model.

Classical paired-cycle analysis
-------------------------------
For transparency the result also carries the paired t-test on cycle means (Guyatt et al.,
*N Engl J Med* 1986;314:889–892; Kravitz & Duan (eds.), *Design and Implementation of N-of-1
Trials*, AHRQ 2014): per cycle :math:`d_c = \bar y_{c,a} - \bar y_{c,\text{placebo}}`, then
:math:`t = \bar d / (s_d/\sqrt{C})` on :math:`C - 1` degrees of freedom. With three cycles it has
two degrees of freedom, which is why its interval is wide.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from lowdose.daily import DailyScale, Diary
from lowdose.errors import AnalysisError
from lowdose.outcomes.ar1 import DEFAULT_NODES, GridPosterior, fit_ar1_regression
from lowdose.outcomes.design import PLACEBO, Nof1Plan
from lowdose.outcomes.priors import Priors
from lowdose.serial import Plain

__all__ = [
    "ArmEffect",
    "Nof1Analysis",
    "Nof1Result",
    "PairedTest",
    "PeriodSummary",
    "TrialData",
    "arm_summaries",
    "design_matrix",
    "paired_tests",
    "plain_probability",
    "trial_data",
]


@dataclass(frozen=True)
class TrialData:
    """Analysed days of a trial and their labels (arrays of equal length)."""

    days: NDArray[np.int64]
    cycle: NDArray[np.int64]
    arm: tuple[str, ...]
    period: NDArray[np.int64]


def trial_data(plan: Nof1Plan, days: NDArray[np.int64]) -> tuple[TrialData, NDArray[np.bool_]]:
    """Label ``days`` (ordinals) with cycle, arm and period; return the data and the mask kept."""
    keep = np.zeros(days.size, dtype=bool)
    cycle = np.zeros(days.size, dtype=np.int64)
    period = np.full(days.size, -1, dtype=np.int64)
    arms: list[str] = [""] * days.size
    for index, p in enumerate(plan.periods):
        sel = (days >= p.analysis_start.toordinal()) & (days <= p.end.toordinal())
        keep |= sel
        cycle[sel] = p.cycle
        period[sel] = index
        for i in np.flatnonzero(sel):
            arms[i] = p.arm
    return (
        TrialData(
            days=days[keep],
            cycle=cycle[keep],
            arm=tuple(a for a, k in zip(arms, keep, strict=True) if k),
            period=period[keep],
        ),
        keep,
    )


def design_matrix(
    data: TrialData, active_arms: Sequence[str], *, trend: bool, priors: Priors
) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str]]:
    """Columns: intercept, cycle offsets, one indicator per active arm, optional trend.

    Returns the matrix, the prior precisions (units of :math:`1/s^2`) and column names.
    """
    n = data.days.size
    cols: list[NDArray[np.float64]] = [np.ones(n)]
    lam = [0.0]
    names = ["intercept"]
    cycles = sorted(set(data.cycle.tolist()))
    for c in cycles[1:]:
        cols.append((data.cycle == c).astype(np.float64))
        lam.append(0.0)  # flat: see lowdose.outcomes.priors
        names.append(f"cycle {c}")
    arm_arr = np.array(data.arm, dtype=object)
    for a in active_arms:
        cols.append((arm_arr == a).astype(np.float64))
        lam.append(1.0 / priors.effect_sd**2)
        names.append(a)
    if trend:
        cols.append((data.days - data.days.min()) / 28.0)
        lam.append(0.0)
        names.append("trend per 28 days")
    return np.column_stack(cols), np.array(lam), names


def plain_probability(p: float) -> str:
    """A probability for people: whole percent, never "0%" or "100%"."""
    if p < 0.01:
        return "less than 1%"
    if p > 0.99:
        return "more than 99%"
    return f"{round(100 * p):d}%"


@dataclass(frozen=True)
class ArmEffect(Plain):
    """Posterior of one active arm's effect against placebo (active − placebo, in points)."""

    arm: str
    mean: float
    sd: float
    ci_low: float
    ci_high: float
    p_better: float
    p_mcid: float


@dataclass(frozen=True)
class PairedTest(Plain):
    """Classical paired-cycle t-test of one arm against placebo."""

    arm: str
    cycles: int
    mean_difference: float
    t: float | None
    df: int
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    differences: tuple[float, ...]


@dataclass(frozen=True)
class PeriodSummary(Plain):
    """Mean of the analysed days of one period (for the clinician's chart of the periods)."""

    cycle: int
    arm: str
    kit: str
    start: date
    end: date
    analysis_start: date
    days: int
    mean: float | None


@dataclass(frozen=True)
class Nof1Result:
    """Result of :class:`Nof1Analysis`."""

    outcome: str
    lower_is_better: bool
    mcid: float
    days_used: int
    effects: tuple[ArmEffect, ...]
    ar1_mean: float
    ar1_ci: tuple[float, float]
    sigma: float
    trend: bool
    paired_tests: tuple[PairedTest, ...]
    periods: tuple[PeriodSummary, ...]
    priors: Priors
    sentences: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``lowdose nof1 analyze --json`` (interface keys first)."""
        return {
            "outcome": self.outcome,
            "days_used": self.days_used,
            "effects": [e.to_dict() for e in self.effects],
            "ar1": {
                "mean": self.ar1_mean,
                "ci_low": self.ar1_ci[0],
                "ci_high": self.ar1_ci[1],
            },
            "paired_test": [t.to_dict() for t in self.paired_tests],
            "lower_is_better": self.lower_is_better,
            "mcid": self.mcid,
            "sigma": self.sigma,
            "trend": self.trend,
            "model": "AR(1) Bayesian regression, conjugate given rho, rho by Gauss-Legendre",
            "priors": self.priors.to_dict(),
            "periods": [p.to_dict() for p in self.periods],
            "sentences": list(self.sentences),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Nof1Result:
        """Read back :meth:`to_dict` (a stored result), exactly: ``from_dict(r.to_dict()) == r``.

        Raises :class:`AnalysisError` when ``data`` is not such a dictionary.
        """
        try:
            return cls(
                outcome=str(data["outcome"]),
                lower_is_better=bool(data["lower_is_better"]),
                mcid=float(data["mcid"]),
                days_used=int(data["days_used"]),
                effects=tuple(ArmEffect(**e) for e in data["effects"]),
                ar1_mean=float(data["ar1"]["mean"]),
                ar1_ci=(float(data["ar1"]["ci_low"]), float(data["ar1"]["ci_high"])),
                sigma=float(data["sigma"]),
                trend=bool(data["trend"]),
                paired_tests=tuple(
                    PairedTest(**{**t, "differences": tuple(t["differences"])})
                    for t in data["paired_test"]
                ),
                periods=tuple(
                    PeriodSummary(
                        **{
                            **p,
                            **{
                                k: date.fromisoformat(p[k])
                                for k in ("start", "end", "analysis_start")
                            },
                        }
                    )
                    for p in data["periods"]
                ),
                priors=Priors(**data["priors"]),
                sentences=tuple(data["sentences"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AnalysisError(
                f"a stored N-of-1 result is incomplete or malformed ({exc!s}); analyse the "
                "trial again with its locked plan to recompute it",
                field="result",
            ) from None

    def summary(self) -> str:
        lines = [
            f"{self.outcome}: {self.days_used} analysed days; day-to-day SD ≈ {self.sigma:.2f}; "
            f"AR(1) ρ ≈ {self.ar1_mean:.2f} ({self.ar1_ci[0]:.2f} to {self.ar1_ci[1]:.2f})"
        ]
        for e in self.effects:
            lines.append(
                f"{e.arm} − placebo: {e.mean:+.2f} (95% CrI {e.ci_low:+.2f} to {e.ci_high:+.2f}); "
                f"P(any benefit) {plain_probability(e.p_better)}; "
                f"P(benefit ≥ {self.mcid:g}) {plain_probability(e.p_mcid)}"
            )
        for t in self.paired_tests:
            if t.t is None:
                lines.append(f"paired-cycle test {t.arm}: fewer than 2 complete cycles")
            else:
                lines.append(
                    f"paired-cycle t-test {t.arm}: mean difference {t.mean_difference:+.2f}, "
                    f"t = {t.t:.2f} on {t.df} df, p = {t.p_value:.3f}"
                )
        lines.extend(self.sentences)
        return "\n".join(lines)


def _sentences(scale: DailyScale, effects: Sequence[ArmEffect], mcid: float) -> list[str]:
    verb = "lowers" if scale.lower_is_better else "raises"
    unit = "point" if mcid == 1 else "points"
    out = []
    for e in effects:
        out.append(
            f"There is a {plain_probability(e.p_mcid)} chance LDN {e.arm} {verb} your "
            f"{scale.noun} by at least {mcid:g} {unit} compared with placebo."
        )
        out.append(
            f"There is a {plain_probability(e.p_better)} chance it {verb} your {scale.noun} "
            "at all compared with placebo."
        )
    return out


def arm_summaries(
    post: GridPosterior, columns: list[str], active: Sequence[str], scale: DailyScale, mcid: float
) -> list[tuple[NDArray[np.float64], ...]]:
    """Vectorised per-arm summaries: mean, sd, ci_low, ci_high, p_better, p_mcid (each (R,))."""
    out: list[tuple[NDArray[np.float64], ...]] = []
    for a in active:
        j = columns.index(a)
        if scale.lower_is_better:
            p_better = post.cdf(j, 0.0)
            p_mcid = post.cdf(j, -mcid)
        else:
            p_better = 1.0 - post.cdf(j, 0.0)
            p_mcid = 1.0 - post.cdf(j, mcid)
        out.append(
            (
                post.mean(j),
                post.sd(j),
                post.quantile(j, 0.025),
                post.quantile(j, 0.975),
                np.clip(p_better, 0.0, 1.0),
                np.clip(p_mcid, 0.0, 1.0),
            )
        )
    return out


class Nof1Analysis:
    """Analyse one outcome of a completed (or running) N-of-1 trial.

    Parameters
    ----------
    diary
        The patient's diary.
    plan
        The trial's plan (periods with arms: analyse only after unblinding).
    outcome
        ``pain`` (default), ``fatigue``, ``sleep`` or ``mood``.
    mcid
        Minimal clinically important difference in points (default 1: ≈ the minimal important
        change on a 0–10 NRS, Dworkin et al. *J Pain* 2008;9:105; Farrar et al. 2001).
    trend
        Add a linear time trend.
    """

    def __init__(
        self,
        diary: Diary,
        plan: Nof1Plan,
        *,
        outcome: str = "pain",
        mcid: float = 1.0,
        trend: bool = False,
        priors: Priors | None = None,
        nodes: int = DEFAULT_NODES,
    ) -> None:
        self.scale = diary.scales.scale(outcome)
        if not (math.isfinite(mcid) and mcid > 0):
            raise AnalysisError(
                f"mcid must be a positive number of points, got {mcid!r}", field="mcid"
            )
        self.diary = diary
        self.plan = plan
        self.mcid = float(mcid)
        self.trend = trend
        self.priors = priors or Priors()
        self.nodes = nodes

    def fit(self) -> Nof1Result:
        """Compute the posterior, the paired-cycle tests and the plain-language sentences."""
        days, values = self.diary.series(self.scale.name)
        data, keep = trial_data(self.plan, days)
        y = values[keep]
        active = list(self.plan.active_arms)
        arm_arr = np.array(data.arm, dtype=object)
        for a in [PLACEBO, *active]:
            if not np.any(arm_arr == a):
                raise AnalysisError(
                    f"no analysed {self.scale.name} ratings on {a}; the analysis needs diary "
                    "entries after the run-in of at least one period of every arm",
                    field="diary",
                )
        x, lam, columns = design_matrix(data, active, trend=self.trend, priors=self.priors)
        post = fit_ar1_regression(
            y, x, data.days, lam, a0=self.priors.a0, b0=self.priors.b0, nodes=self.nodes
        )
        effects = [
            ArmEffect(a, *(float(v[0]) for v in summ))
            for a, summ in zip(
                active, arm_summaries(post, columns, active, self.scale, self.mcid), strict=True
            )
        ]
        periods = []
        for index, p in enumerate(self.plan.periods):
            sel = data.period == index
            periods.append(
                PeriodSummary(
                    cycle=p.cycle,
                    arm=p.arm,
                    kit=p.kit,
                    start=p.start,
                    end=p.end,
                    analysis_start=p.analysis_start,
                    days=int(sel.sum()),
                    mean=float(y[sel].mean()) if sel.any() else None,
                )
            )
        return Nof1Result(
            outcome=self.scale.name,
            lower_is_better=self.scale.lower_is_better,
            mcid=self.mcid,
            days_used=int(y.size),
            effects=tuple(effects),
            ar1_mean=float(post.rho_mean()[0]),
            ar1_ci=(float(post.rho_quantile(0.025)[0]), float(post.rho_quantile(0.975)[0])),
            sigma=float(post.sigma_mean()[0]),
            trend=self.trend,
            paired_tests=tuple(paired_tests(periods, active)),
            periods=tuple(periods),
            priors=self.priors,
            sentences=tuple(_sentences(self.scale, effects, self.mcid)),
        )


def paired_tests(periods: Sequence[PeriodSummary], active: Sequence[str]) -> list[PairedTest]:
    """Paired t-test on cycle means of each active arm against placebo."""
    by_cycle: dict[int, dict[str, float]] = {}
    for p in periods:
        if p.mean is not None:
            by_cycle.setdefault(p.cycle, {})[p.arm] = p.mean
    out = []
    for a in active:
        diffs = [
            arms[a] - arms[PLACEBO]
            for _, arms in sorted(by_cycle.items())
            if a in arms and PLACEBO in arms
        ]
        n = len(diffs)
        mean = float(np.mean(diffs)) if diffs else math.nan
        if n < 2 or float(np.std(diffs, ddof=1)) == 0.0:
            out.append(PairedTest(a, n, mean, None, max(n - 1, 0), None, None, None, tuple(diffs)))
            continue
        res = stats.ttest_1samp(diffs, 0.0)
        ci = res.confidence_interval(0.95)
        out.append(
            PairedTest(
                arm=a,
                cycles=n,
                mean_difference=mean,
                t=float(res.statistic),
                df=n - 1,
                p_value=float(res.pvalue),
                ci_low=float(ci.low),
                ci_high=float(ci.high),
                differences=tuple(float(d) for d in diffs),
            )
        )
    return out
