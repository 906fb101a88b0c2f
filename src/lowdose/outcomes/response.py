r"""Open-label response: the baseline window against the most recent window at a stable dose.

Method
------
Days of the baseline window (``b``) and of the recent window (``r``) are modelled together as

.. math::

    y_t = \mu + \Delta\,[t \in r] + e_t,\qquad e_t \sim \text{AR(1)}(\rho, s^2),

with the gap between the windows handled exactly (:mod:`lowdose.outcomes.ar1`). Ignoring the
autocorrelation of daily pain would treat 14 similar days as 14 independent measurements and
make the interval far too narrow; the AR(1) model widens it by roughly the effective sample size
factor :math:`(1-\rho)/(1+\rho)`. The result reports

* ``change`` = recent mean − baseline mean (arithmetic means of the daily values) and
  ``percent_change`` = change / baseline mean × 100 (Dworkin et al. 2008 formula; ``None`` if
  the baseline mean is 0);
* ``ci_low``/``ci_high``: the 95 % credible interval of :math:`\Delta` from the AR(1) model
  (``model_change`` is its posterior mean, close to ``change``); a diary whose windows are each
  one repeated rating has no day-to-day variation to judge a change against and is refused as
  not estimable (:class:`~lowdose.errors.AnalysisError` saying why);
* ``p_improved_1pt`` = :math:`P(\Delta \le -1)` for pain/fatigue, :math:`P(\Delta \ge 1)` for
  sleep quality/mood (1 point ≈ the minimal important change on a 0–10 NRS; Dworkin et al.,
  *J Pain* 2008;9:105–121; Farrar et al., *Pain* 2001;94:149–158);
* ``category`` from the percent *improvement* (sign-corrected per outcome): ≥ 50 %
  ``substantial``, ≥ 30 % ``moderate``, ≥ 10 % ``minimal`` (IMMPACT, Dworkin 2008; the 10 %
  floor is the lower end of IMMPACT's 10–20 % "minimally important" band), ``worse`` when the
  change is ≥ 10 % in the harmful direction, otherwise ``none``. IMMPACT defined these for
  pain intensity; applying them to fatigue, sleep and mood is an extrapolation (the FM30
  responder definition also uses 30 % for sleep and fatigue: Arnold et al., *Arthritis Rheum*
  2012;64:885).

Priors and calibration
----------------------
:data:`~lowdose.outcomes.priors.OPEN_LABEL_PRIORS`: flat on μ, :math:`N(0, (2s)^2)` on Δ, the
reference prior :math:`p(s^2) \propto 1/s^2` (Gelman et al., *Bayesian Data Analysis*, 3rd
ed., 2013, §3.2) and Jeffreys on ρ. Both the effect prior and the :math:`s^2` prior are in
units of :math:`s`, so the interval is scale-equivariant: multiplying every rating by a factor
scales the interval by it, and its coverage does not depend on how noisy the diary is.

Until issue 16 the analysis used the N-of-1 prior on :math:`s^2`, Inv-Gamma(1, 2.25) (an SD
of 1.5 points worth two pseudo-days). On a three-week diary that is not weak: it adds 2.25 to
the residual sum of squares at every ρ, and the Jacobian :math:`\prod(1-\rho^{2g})^{-1/2}`
then rewards explaining the too-large :math:`s^2` with ρ near 1. A calm diary (SD 0.5, ρ 0.4)
was read as SD ≈ 1.3 with ρ ≈ 0.8; its 95 % interval was 2.3 times as wide as needed and
covered the true change 99.9 % of the time, so real changes were called "unclear". With the
reference prior the simulated coverage is 0.94–0.97 over ρ 0–0.85, SD 0.5–2.5, one- and
two-week baselines, four- and six-week gaps and a fifth of the days missing
(``tests/reference/outcomes_response_coverage.json``); the slight excess where ρ is moderate
is the cost of not knowing ρ from three weeks of days (the interval averages over its
posterior).

An open-label change cannot separate LDN from placebo response, regression to the mean or
natural fluctuation; the placebo reference from the evidence engine is shown beside it for that
reason (about 31 % of placebo patients in fibromyalgia trials reach a 30 % pain reduction:
Häuser et al., *Schmerz* 2011;25:619–631).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lowdose.daily import Diary
from lowdose.errors import AnalysisError, TooFewDaysWarning, UnstableDoseWarning
from lowdose.outcomes.ar1 import FloatArray, GridPosterior, fit_ar1_regression
from lowdose.outcomes.placebo import PlaceboReference
from lowdose.outcomes.priors import OPEN_LABEL_PRIORS, Priors

__all__ = [
    "MIN_BASELINE_DAYS",
    "ResponseAnalysis",
    "ResponseResult",
    "change_direction",
    "immpact_category",
    "two_window_posterior",
]

#: Fewer baseline days than this gives a warning and ``too_few_baseline_days = True``.
#: Convention (not from a source): one full week covers the weekday/weekend cycle. The LDN
#: diary trials used two-week baselines (Younger et al. 2009, 2013), which is what we recommend.
MIN_BASELINE_DAYS = 7
#: Recommended length of each window, following the two-week baselines of Younger 2009/2013.
RECOMMENDED_WINDOW_DAYS = 14
#: Below this many days in a window nothing can be estimated at all.
_ABSOLUTE_MIN_DAYS = 2


def _plain(p: float) -> str:
    if p < 0.01:
        return "less than 1%"
    if p > 0.99:
        return "more than 99%"
    return f"{round(100 * p):d}%"


def immpact_category(improvement_percent: float | None) -> str:
    """IMMPACT category of a percent *improvement* (positive = better; Dworkin et al. 2008)."""
    if improvement_percent is None:
        return "not applicable"
    if improvement_percent >= 50.0:
        return "substantial"
    if improvement_percent >= 30.0:
        return "moderate"
    if improvement_percent >= 10.0:
        return "minimal"
    if improvement_percent <= -10.0:
        return "worse"
    return "none"


def change_direction(lower_is_better: bool, ci_low: float, ci_high: float) -> str:
    """``better``, ``worse`` or ``unclear``: whether the whole 95 % interval of a change lies on
    the side of improvement for this scale (lower for pain and fatigue, higher for sleep quality
    and mood: ``docs/decisions/0002``), wholly on the harmful side, or includes no change (then
    the change is within day-to-day ups and downs and is neither coloured better nor worse)."""
    improvement_low, improvement_high = (
        (-ci_high, -ci_low) if lower_is_better else (ci_low, ci_high)
    )
    if improvement_low > 0:
        return "better"
    if improvement_high < 0:
        return "worse"
    return "unclear"


@dataclass(frozen=True)
class ResponseResult:
    """Result of :class:`ResponseAnalysis` (all values on the 0–10 scale of the outcome)."""

    outcome: str
    lower_is_better: bool
    baseline_start: date
    baseline_end: date
    recent_start: date
    recent_end: date
    baseline_days: int
    recent_days: int
    dose_mg: Decimal | None
    baseline_mean: float
    recent_mean: float
    change: float
    percent_change: float | None
    model_change: float
    ci_low: float
    ci_high: float
    p_improved_1pt: float
    category: str
    ar1: float
    too_few_baseline_days: bool
    placebo: PlaceboReference | None
    notes: tuple[str, ...] = field(default=())
    #: how a sentence names the outcome ("daily pain"), from its :class:`~lowdose.daily.DailyScale`
    noun: str = ""

    @property
    def direction(self) -> str:
        """``better``, ``worse`` or ``unclear`` (:func:`change_direction` of the interval)."""
        return change_direction(self.lower_is_better, self.ci_low, self.ci_high)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; the keys of the ``lowdose response --json`` interface come first."""
        return {
            "baseline_mean": self.baseline_mean,
            "recent_mean": self.recent_mean,
            "change": self.change,
            "percent_change": self.percent_change,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_improved_1pt": self.p_improved_1pt,
            "category": self.category,
            "outcome": self.outcome,
            "lower_is_better": self.lower_is_better,
            "baseline_start": self.baseline_start.isoformat(),
            "baseline_end": self.baseline_end.isoformat(),
            "recent_start": self.recent_start.isoformat(),
            "recent_end": self.recent_end.isoformat(),
            "baseline_days": self.baseline_days,
            "recent_days": self.recent_days,
            "dose_mg": None if self.dose_mg is None else str(self.dose_mg),
            "model_change": self.model_change,
            "ar1": self.ar1,
            "too_few_baseline_days": self.too_few_baseline_days,
            "placebo": None if self.placebo is None else self.placebo.to_dict(),
            "notes": list(self.notes),
            "sentence": self.sentence(),
        }

    def sentence(self) -> str:
        """The result for the patient in plain language, generated from the numbers."""
        verb = "lower" if self.change < 0 else "higher"
        pct = "" if self.percent_change is None else f" ({abs(self.percent_change):.0f}%)"
        noun = self.noun or self.outcome
        text = (
            f"Your {noun} over the last {self.recent_days} days was {abs(self.change):.1f} "
            f"points{pct} {verb} than in your baseline days. Allowing for day-to-day ups and "
            f"downs, the change is probably between {self.ci_low:+.1f} and {self.ci_high:+.1f} "
            f"points; the chance it improved by at least 1 point is "
            f"{_plain(self.p_improved_1pt)}."
        )
        if self.placebo is not None:
            text += (
                f" In fibromyalgia trials, placebo alone changed {self.placebo.outcome} by "
                f"{self.placebo.change:+.1f} points, so an open-label change of this size "
                "cannot show that LDN itself works; a blinded N-of-1 trial can."
            )
        return text

    def summary(self) -> str:
        """A few lines for people."""
        pct = "n/a" if self.percent_change is None else f"{self.percent_change:+.0f}%"
        direction = "lower is better" if self.lower_is_better else "higher is better"
        lines = [
            f"{self.outcome} ({direction}): baseline {self.baseline_mean:.1f} "
            f"({self.baseline_days} days, {self.baseline_start}–{self.baseline_end}) → "
            f"recent {self.recent_mean:.1f} ({self.recent_days} days, "
            f"{self.recent_start}–{self.recent_end})",
            f"change {self.change:+.2f} points ({pct}); 95% interval allowing for day-to-day "
            f"autocorrelation (ρ≈{self.ar1:.2f}) {self.ci_low:+.2f} to {self.ci_high:+.2f}",
            f"chance of an improvement of at least 1 point: {self.p_improved_1pt:.0%}; "
            f"IMMPACT category: {self.category}",
            self.placebo.sentence()
            if self.placebo is not None
            else "Placebo reference not available (evidence engine missing).",
        ]
        lines.extend(self.notes)
        lines.append(self.sentence())
        return "\n".join(lines)


def two_window_posterior(
    y: FloatArray, days: NDArray[np.int64], in_recent: NDArray[np.bool_], priors: Priors
) -> GridPosterior:
    """Posterior of :math:`(\\mu, \\Delta)` for one diary (``y`` shape (n,)) or many diaries
    sharing the same days (shape (R, n)); coefficient 1 is the change :math:`\\Delta`.

    :class:`ResponseAnalysis` calls it with its priors (default :data:`OPEN_LABEL_PRIORS`); the
    calibration tests call it directly on thousands of simulated diaries.
    """
    design = np.column_stack([np.ones(days.size), in_recent.astype(np.float64)])
    lam = np.array([0.0, 1.0 / priors.effect_sd**2])
    return fit_ar1_regression(y, design, days, lam, a0=priors.a0, b0=priors.b0)


def _refuse_without_daily_variation(baseline: FloatArray, recent: FloatArray, outcome: str) -> None:
    """Not estimable: each window is one repeated value, so there are no day-to-day ups and
    downs to judge the change against (every residual of the two-window model is 0 whatever ρ,
    and the posterior of :math:`s^2` collapses to 0)."""
    if np.ptp(baseline) == 0 and np.ptp(recent) == 0:
        raise AnalysisError(
            f"the change in your {outcome} cannot be estimated: every baseline day was rated "
            f"{baseline[0]:g} and every recent day {recent[0]:g}, so there are no day-to-day "
            "ups and downs to judge the change against; compare the two numbers directly, or "
            "rate each day as it really was and analyse again later",
            field="diary",
        )


class ResponseAnalysis:
    """Compare a baseline window with the most recent stable-dose window of one outcome.

    Parameters
    ----------
    diary
        The patient's diary.
    baseline_start, baseline_end
        Inclusive dates of the baseline window (before LDN, or before a change).
    outcome
        ``pain``, ``fatigue``, ``sleep`` or ``mood``.
    recent_days
        Length of the recent window (default 14, see ``RECOMMENDED_WINDOW_DAYS``), ending at
        ``end`` (default: the last day with a rating); shortened to the days at the latest
        recorded dose when the dose changed inside it.
    placebo
        What placebo alone did (the caller passes :func:`lowdose.evidence.placebo_reference`).
    priors
        Model priors; default :data:`~lowdose.outcomes.priors.OPEN_LABEL_PRIORS` (see "Priors
        and calibration" above; ``Priors()`` restores the N-of-1 choice used before issue 16).
    """

    def __init__(
        self,
        diary: Diary,
        *,
        baseline_start: date,
        baseline_end: date,
        outcome: str = "pain",
        recent_days: int = RECOMMENDED_WINDOW_DAYS,
        end: date | None = None,
        placebo: PlaceboReference | None = None,
        priors: Priors | None = None,
    ) -> None:
        self.scale = diary.scales.scale(outcome)
        if baseline_end < baseline_start:
            raise AnalysisError(
                f"baseline end {baseline_end} is before its start {baseline_start}; swap them",
                field="baseline_end",
            )
        if recent_days < _ABSOLUTE_MIN_DAYS:
            raise AnalysisError(
                f"recent_days must be at least {_ABSOLUTE_MIN_DAYS}, got {recent_days}",
                field="recent_days",
            )
        self.diary = diary
        self.baseline_start = baseline_start
        self.baseline_end = baseline_end
        self.recent_days = recent_days
        self.end = end
        self.placebo = placebo
        self.priors = priors or OPEN_LABEL_PRIORS

    def _recent_window(self, days: np.ndarray) -> tuple[date, date, Decimal | None, list[str]]:
        notes: list[str] = []
        after = days[days > self.baseline_end.toordinal()]
        if self.end is not None:
            after = after[after <= self.end.toordinal()]
        if after.size == 0:
            raise AnalysisError(
                f"no {self.scale.name} ratings after the baseline window (ends "
                f"{self.baseline_end}); keep the diary going and analyse later",
                field="baseline_end",
            )
        end = date.fromordinal(int(after[-1]))
        start = max(
            end - timedelta(days=self.recent_days - 1), self.baseline_end + timedelta(days=1)
        )
        dose = None
        recorded = [
            (d, x) for d, x in zip(self.diary.dates, self.diary.doses, strict=True) if x is not None
        ]
        recorded = [(d, x) for d, x in recorded if d <= end]
        if recorded:
            dose = recorded[-1][1]
            changed = [d for d, x in recorded if x != dose and d >= start]
            if changed:
                new_start = max(changed) + timedelta(days=1)
                msg = (
                    f"dose changed to {dose} mg on or after {new_start}; the recent window "
                    f"was shortened to start there (compare at a stable dose)"
                )
                warnings.warn(msg, UnstableDoseWarning, stacklevel=3)
                notes.append(msg)
                start = new_start
        return start, end, dose, notes

    def fit(self) -> ResponseResult:
        """Fit the AR(1) two-window model and return a :class:`ResponseResult`."""
        days, values = self.diary.series(self.scale.name)
        b0, b1 = self.baseline_start.toordinal(), self.baseline_end.toordinal()
        in_base = (days >= b0) & (days <= b1)
        r_start, r_end, dose, notes = self._recent_window(days)
        in_recent = (days >= r_start.toordinal()) & (days <= r_end.toordinal())
        n_base, n_recent = int(in_base.sum()), int(in_recent.sum())
        for label, count in (("baseline", n_base), ("recent", n_recent)):
            if count < _ABSOLUTE_MIN_DAYS:
                raise AnalysisError(
                    f"the {label} window has {count} day(s) with a {self.scale.name} rating; "
                    f"at least {_ABSOLUTE_MIN_DAYS} are needed (record "
                    f"{RECOMMENDED_WINDOW_DAYS} days for a useful comparison)",
                    field=f"{label}_start" if label == "baseline" else "recent_days",
                )
        too_few = n_base < MIN_BASELINE_DAYS
        if too_few:
            msg = (
                f"only {n_base} baseline days with a {self.scale.name} rating; at least "
                f"{MIN_BASELINE_DAYS} (better {RECOMMENDED_WINDOW_DAYS}) are needed for a "
                "trustworthy comparison — treat this result as provisional"
            )
            warnings.warn(msg, TooFewDaysWarning, stacklevel=2)
            notes.append(msg)
        if n_recent < MIN_BASELINE_DAYS:
            msg = (
                f"only {n_recent} recent days at a stable dose; the interval is wide — "
                f"record at least {MIN_BASELINE_DAYS} days at the current dose"
            )
            warnings.warn(msg, TooFewDaysWarning, stacklevel=2)
            notes.append(msg)
        keep = in_base | in_recent
        _refuse_without_daily_variation(
            values[in_base], values[in_recent], self.scale.noun or self.scale.name
        )
        post = two_window_posterior(values[keep], days[keep], in_recent[keep], self.priors)
        base_mean = float(values[in_base].mean())
        recent_mean = float(values[in_recent].mean())
        change = recent_mean - base_mean
        pct = None if base_mean == 0 else 100.0 * change / base_mean
        improvement = None if pct is None else self.scale.better_sign * pct
        if self.scale.lower_is_better:
            p1 = float(post.cdf(1, -1.0)[0])
        else:
            p1 = float(1.0 - post.cdf(1, 1.0)[0])
        return ResponseResult(
            outcome=self.scale.name,
            lower_is_better=self.scale.lower_is_better,
            noun=self.scale.noun,
            baseline_start=self.baseline_start,
            baseline_end=self.baseline_end,
            recent_start=r_start,
            recent_end=r_end,
            baseline_days=n_base,
            recent_days=n_recent,
            dose_mg=dose,
            baseline_mean=base_mean,
            recent_mean=recent_mean,
            change=change,
            percent_change=pct,
            model_change=float(post.mean(1)[0]),
            ci_low=float(post.quantile(1, 0.025)[0]),
            ci_high=float(post.quantile(1, 0.975)[0]),
            p_improved_1pt=min(max(p1, 0.0), 1.0),
            category=immpact_category(improvement),
            ar1=float(post.rho_mean()[0]),
            too_few_baseline_days=too_few,
            placebo=self.placebo,
            notes=tuple(notes),
        )
