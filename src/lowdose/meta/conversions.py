"""Turn what papers report into an effect size with a variance.

Each function returns a :class:`Derived` value that carries *how* it was derived, so the
evidence base can show "SE from the 95% CI" or "SD from the IQR (Wan 2014)" beside the number.

References
----------
Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard deviation from the
sample size, median, range and/or interquartile range. *BMC Med Res Methodol* 2014;14:135.
doi:10.1186/1471-2288-14-135

Higgins JPT, Li T, Deeks JJ (eds). Cochrane Handbook, chapter 6.5.2 (SE from a CI or a
P value) and chapter 23.2.7 (crossover trials: within-person correlation).

Morris SB, DeShon RP. Combining effect size estimates in meta-analysis with repeated measures
and independent-groups designs. *Psychol Methods* 2002;7(1):105–125 (raw-score SMD from a
paired design and its variance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import stats

from lowdose.errors import EffectSizeError
from lowdose.meta.effects import hedges_correction

__all__ = [
    "Derived",
    "MeanSD",
    "mean_sd_from_median",
    "paired_md",
    "paired_smd",
    "se_from_ci",
    "se_from_p",
    "smd_from_p_paired",
]


@dataclass(frozen=True)
class Derived:
    """An effect size and its sampling variance, with the derivation in words."""

    yi: float
    vi: float
    how: str

    @property
    def sei(self) -> float:
        """Standard error."""
        return math.sqrt(self.vi)


@dataclass(frozen=True)
class MeanSD:
    """An estimated mean and SD with the formula used."""

    mean: float
    sd: float
    how: str


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise EffectSizeError(f"confidence level must be in (0, 1), got {level}.", field="level")
    return float(stats.norm.ppf(0.5 + level / 2))


def se_from_ci(
    estimate: float,
    lower: float,
    upper: float,
    *,
    level: float = 0.95,
    log_scale: bool = False,
    df: int | None = None,
) -> Derived:
    r"""Standard error from a confidence interval (Cochrane Handbook 6.5.2.2/6.5.2.3).

    .. math:: SE = \frac{U - L}{2\,q},\qquad q = z_{(1+\text{level})/2}
        \ \text{(or } t_{df}\text{ for small trials)}

    Ratio measures (``log_scale=True``) are converted with :math:`\ln` first.
    """
    if not lower < upper:
        raise EffectSizeError(
            f"CI lower bound {lower} is not below the upper bound {upper}; check the order.",
            field="lower",
        )
    if log_scale:
        if min(estimate, lower, upper) <= 0:
            raise EffectSizeError(
                "ratio CI must be positive; give the ratio, not its log.", field="lower"
            )
        estimate, lower, upper = math.log(estimate), math.log(lower), math.log(upper)
    q = _z(level) if df is None else float(stats.t.ppf(0.5 + level / 2, df))
    se = (upper - lower) / (2 * q)
    dist = "normal" if df is None else f"t with {df} df"
    scale = " on the log scale" if log_scale else ""
    return Derived(
        estimate,
        se**2,
        f"SE = (upper - lower) / (2 x {q:.4f}) from the {level:.0%} CI{scale} ({dist})",
    )


def se_from_p(
    estimate: float,
    p: float,
    *,
    df: int | None = None,
    log_scale: bool = False,
) -> Derived:
    r"""Standard error from a two-sided P value (Cochrane Handbook 6.5.2.3).

    .. math:: SE = |y| / q_{1-p/2}

    with :math:`q` the normal (or :math:`t_{df}`) quantile. Fails for :math:`y = 0` or
    :math:`p = 1`, where the SE is not identified.
    """
    if not 0 < p < 1:
        raise EffectSizeError(f"P value must be in (0, 1), got {p}.", field="p")
    if log_scale:
        if estimate <= 0:
            raise EffectSizeError("ratio estimate must be positive.", field="estimate")
        estimate = math.log(estimate)
    if estimate == 0:
        raise EffectSizeError("an estimate of 0 gives no SE from a P value.", field="estimate")
    q = float(stats.norm.isf(p / 2)) if df is None else float(stats.t.isf(p / 2, df))
    se = abs(estimate) / q
    dist = "normal" if df is None else f"t with {df} df"
    return Derived(estimate, se**2, f"SE = |estimate| / {q:.4f}, from two-sided P={p} ({dist})")


def mean_sd_from_median(
    n: int,
    median: float,
    *,
    q1: float | None = None,
    q3: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> MeanSD:
    r"""Mean and SD from the median with the IQR and/or range (Wan et al. 2014).

    With :math:`\xi(n) = \Phi^{-1}\!\left(\frac{n-0.375}{n+0.25}\right)` and
    :math:`\eta(n) = \Phi^{-1}\!\left(\frac{0.75n-0.125}{n+0.25}\right)`:

    * S1 (min, median, max): :math:`\bar x = (a + 2m + b)/4`,
      :math:`SD = (b-a)/(2\xi)` (Wan eq. 7, mean by Hozo 2005);
    * S2 (all five): :math:`\bar x = (a + 2q_1 + 2m + 2q_3 + b)/8`,
      :math:`SD = (b-a)/(4\xi) + (q_3-q_1)/(4\eta)` (Wan eq. 9/10);
    * S3 (quartiles, median): :math:`\bar x = (q_1 + m + q_3)/3`,
      :math:`SD = (q_3-q_1)/(2\eta)` (Wan eq. 11/15).
    """
    if n < 2:
        raise EffectSizeError(f"sample size must be >= 2, got {n}.", field="n")
    xi = float(stats.norm.ppf((n - 0.375) / (n + 0.25)))
    eta = float(stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25)))
    if q1 is not None and q3 is not None and q3 < q1:
        raise EffectSizeError("Q3 is below Q1; check the order.", field="q3")
    if minimum is not None and maximum is not None and maximum < minimum:
        raise EffectSizeError("maximum is below minimum; check the order.", field="maximum")
    if q1 is not None and q3 is not None and minimum is not None and maximum is not None:
        mean = (minimum + 2 * q1 + 2 * median + 2 * q3 + maximum) / 8
        sd = (maximum - minimum) / (4 * xi) + (q3 - q1) / (4 * eta)
        return MeanSD(mean, sd, "Wan 2014 scenario S2 (min, Q1, median, Q3, max)")
    if q1 is not None and q3 is not None:
        return MeanSD((q1 + median + q3) / 3, (q3 - q1) / (2 * eta), "Wan 2014 scenario S3 (IQR)")
    if minimum is not None and maximum is not None:
        return MeanSD(
            (minimum + 2 * median + maximum) / 4,
            (maximum - minimum) / (2 * xi),
            "Wan 2014 scenario S1 (range)",
        )
    raise EffectSizeError("give Q1 and Q3, or the minimum and maximum.", field="q1")


def _check_r(r: float) -> None:
    if not -1 < r < 1:
        raise EffectSizeError(
            f"within-person correlation must be in (-1, 1), got {r}; state an assumed value "
            "(0.5 is a common default, Cochrane Handbook 23.2.7.3) and test others.",
            field="r",
        )


def paired_md(m1: float, sd1: float, m2: float, sd2: float, n: int, *, r: float) -> Derived:
    r"""Mean difference from a crossover/paired design with a stated within-person correlation.

    .. math:: y = \bar x_1 - \bar x_2,\qquad
        v = \frac{s_1^2 + s_2^2 - 2 r s_1 s_2}{n}

    (Cochrane Handbook 23.2.7.2; metafor measure ``"MC"``). Each of the ``n`` patients
    contributes both periods.
    """
    _check_r(r)
    if n < 2 or sd1 < 0 or sd2 < 0:
        raise EffectSizeError("need n >= 2 and non-negative SDs.", field="n")
    v = (sd1**2 + sd2**2 - 2 * r * sd1 * sd2) / n
    return Derived(m1 - m2, v, f"paired MD, within-person correlation r={r} (assumed)")


def paired_smd(m1: float, sd1: float, m2: float, sd2: float, n: int, *, r: float) -> Derived:
    r"""Raw-score SMD from a crossover/paired design, comparable with parallel-group SMDs.

    Standardised by the between-person SD so that it lives on the same metric as a parallel
    trial's Hedges' g (Morris & DeShon 2002, eqs. 11 and 25):

    .. math:: d = c(n-1)\,\frac{\bar x_1 - \bar x_2}{\sqrt{(s_1^2+s_2^2)/2}},\qquad
        v = \frac{2(1-r)}{n} + \frac{d^2}{2n}
    """
    _check_r(r)
    if n < 3:
        raise EffectSizeError("need n >= 3 for a paired SMD.", field="n")
    sd = math.sqrt((sd1**2 + sd2**2) / 2)
    if sd <= 0:
        raise EffectSizeError("both SDs are zero; the SMD is undefined.", field="sd1")
    d = float(hedges_correction(n - 1)) * (m1 - m2) / sd
    v = 2 * (1 - r) / n + d**2 / (2 * n)
    return Derived(d, v, f"raw-score SMD from a paired design (Morris & DeShon 2002), r={r}")


def smd_from_p_paired(
    p: float,
    n: int,
    *,
    r: float,
    direction: Literal[-1, 1],
) -> Derived:
    r"""Raw-score SMD of a crossover trial that reports only a P value.

    The paired *t* statistic gives :math:`d_z = t_{n-1}^{-1}(1-p/2)/\sqrt n`; converting to
    the raw-score metric uses the within-person correlation (Morris & DeShon 2002, eq. 12):

    .. math:: d = d_z\sqrt{2(1-r)},\qquad v = \frac{2(1-r)}{n} + \frac{d^2}{2n}

    ``direction`` gives the sign (-1 when the first condition, e.g. LDN, had less pain).
    The approximation assumes the P value came from a paired t test; when it came from a
    rank test it is only roughly right, and the record must say so.
    """
    _check_r(r)
    if not 0 < p < 1:
        raise EffectSizeError(f"P value must be in (0, 1), got {p}.", field="p")
    if n < 3:
        raise EffectSizeError("need n >= 3.", field="n")
    t = float(stats.t.isf(p / 2, n - 1))
    d = direction * t / math.sqrt(n) * math.sqrt(2 * (1 - r))
    v = 2 * (1 - r) / n + d**2 / (2 * n)
    return Derived(
        d,
        v,
        f"paired t = {t:.3f} from two-sided P={p} with n={n}; dz = t/√n converted to the "
        f"raw-score SMD with assumed within-person r={r} (Morris & DeShon 2002)",
    )
