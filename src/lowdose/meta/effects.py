"""Effect sizes with metafor's ``escalc`` measure and argument names.

Every function returns an :class:`EffectSizes`: observed outcomes ``yi`` with sampling variances
``vi`` (metafor's names), one per study. Ratio measures (RR, OR, ROM) are on the natural-log
scale, exactly as metafor returns them.

References
----------
Viechtbauer W. Conducting meta-analyses in R with the metafor package. *J Stat Softw*
2010;36(3):1–48. doi:10.18637/jss.v036.i03 (``escalc`` documentation, vtype ``"LS"``).

Hedges LV. Distribution theory for Glass's estimator of effect size and related estimators.
*J Educ Stat* 1981;6(2):107–128 (exact bias correction of the SMD).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln

from lowdose.errors import EffectSizeError, MetaInputError, ZeroCellError

__all__ = [
    "MEASURES",
    "RATIO_MEASURES",
    "EffectSizes",
    "ZeroCellCorrection",
    "escalc",
    "hedges_correction",
]

#: Measures this module computes (metafor names).
MEASURES: tuple[str, ...] = ("MD", "SMD", "ROM", "RR", "OR", "RD", "GEN")
#: Measures reported on the log scale (metafor convention); back-transform with ``exp``.
RATIO_MEASURES: frozenset[str] = frozenset({"ROM", "RR", "OR"})

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ZeroCellCorrection:
    """A continuity correction for 2×2 tables (metafor's ``add`` and ``to``).

    ``to="only0"`` adds ``add`` to every cell of the tables that contain a zero (metafor's
    default), ``"all"`` to every table, ``"if0all"`` to every table when any table has a zero.
    Without a correction, a zero cell is an error: the choice changes the answer and must be
    made by the analyst, not silently.
    """

    add: float = 0.5
    to: Literal["only0", "all", "if0all"] = "only0"

    def __post_init__(self) -> None:
        if not (self.add > 0 and math.isfinite(self.add)):
            raise MetaInputError(
                f"continuity correction must be a positive number, got {self.add}; "
                "0.5 is the usual choice.",
                field="add",
            )
        if self.to not in ("only0", "all", "if0all"):
            raise MetaInputError(
                f"'to' must be one of only0, all, if0all, got {self.to!r}.", field="to"
            )


@dataclass(frozen=True)
class EffectSizes:
    """Observed outcomes and their sampling variances, one entry per study.

    Attributes
    ----------
    measure
        metafor measure name (``"MD"``, ``"SMD"``, ``"RR"`` …).
    yi, vi
        Outcomes and sampling variances; ratio measures on the log scale.
    study
        Study labels (``"1"``, ``"2"`` … when none were given).
    year
        Publication years (``None`` where unknown), for cumulative meta-analysis.
    """

    measure: str
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    study: tuple[str, ...]
    year: tuple[int | None, ...] = field(default=())

    def __post_init__(self) -> None:
        k = len(self.yi)
        if len(self.vi) != k or len(self.study) != k:
            raise MetaInputError("yi, vi and study must have the same length.", field="yi")
        if self.year and len(self.year) != k:
            raise MetaInputError("year must have one entry per study.", field="year")
        if not self.year:
            object.__setattr__(self, "year", (None,) * k)

    @property
    def k(self) -> int:
        """Number of studies."""
        return len(self.yi)

    @property
    def sei(self) -> tuple[float, ...]:
        """Standard errors ``sqrt(vi)``."""
        return tuple(math.sqrt(v) for v in self.vi)

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        return {
            "measure": self.measure,
            "yi": list(self.yi),
            "vi": list(self.vi),
            "study": list(self.study),
            "year": list(self.year),
        }


def hedges_correction(df: FloatArray | float) -> FloatArray:
    r"""Exact small-sample bias correction of the standardized mean difference.

    .. math:: c(m) = \frac{\Gamma(m/2)}{\sqrt{m/2}\,\Gamma((m-1)/2)}

    with :math:`m = n_1 + n_2 - 2` (Hedges 1981, eq. 6e; metafor's ``.cmicalc``).
    Computed on the log-gamma scale so large :math:`m` does not overflow.
    """
    m = np.asarray(df, dtype=float)
    return np.asarray(np.exp(gammaln(m / 2) - 0.5 * np.log(m / 2) - gammaln((m - 1) / 2)))


def _arr(values: Sequence[float] | None, name: str, k: int | None) -> FloatArray:
    if values is None:
        raise MetaInputError(f"column '{name}' is required for this measure.", field=name)
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise MetaInputError(f"'{name}' must be a one-dimensional list.", field=name)
    if k is not None and arr.size != k:
        raise MetaInputError(
            f"'{name}' has {arr.size} values but other columns have {k}; give one per study.",
            field=name,
        )
    return arr


def _where(labels: Sequence[str], i: int) -> str:
    return labels[i]


def _check(
    cond: NDArray[np.bool_], labels: Sequence[str], column: str, values: FloatArray, what: str
) -> None:
    """Raise naming the first row where ``cond`` is False."""
    bad = np.flatnonzero(~cond)
    if bad.size:
        i = int(bad[0])
        raise EffectSizeError(
            f"{_where(labels, i)}, column '{column}': {what} (got {values[i]!r}). "
            "Correct the value or remove the study.",
            field=column,
        )


# Long because it mirrors metafor's ``escalc``: one function that takes every input column and
# computes every measure in one place, so the two read side by side for the parity tests.
def escalc(
    measure: str,
    *,
    ai: Sequence[float] | None = None,
    bi: Sequence[float] | None = None,
    ci: Sequence[float] | None = None,
    di: Sequence[float] | None = None,
    n1i: Sequence[float] | None = None,
    n2i: Sequence[float] | None = None,
    m1i: Sequence[float] | None = None,
    sd1i: Sequence[float] | None = None,
    m2i: Sequence[float] | None = None,
    sd2i: Sequence[float] | None = None,
    yi: Sequence[float] | None = None,
    vi: Sequence[float] | None = None,
    sei: Sequence[float] | None = None,
    correction: ZeroCellCorrection | None = None,
    study: Sequence[str] | None = None,
    year: Sequence[int | None] | None = None,
    row_labels: Sequence[str] | None = None,
) -> EffectSizes:
    r"""Compute effect sizes the way metafor's ``escalc`` does (``vtype="LS"``).

    Parameters
    ----------
    measure
        ``"MD"``, ``"SMD"``, ``"ROM"`` (means), ``"RR"``, ``"OR"``, ``"RD"`` (2×2 counts:
        ``ai, bi, ci, di`` or ``ai, n1i, ci, n2i``) or ``"GEN"`` (``yi`` with ``vi`` or ``sei``).
    correction
        Continuity correction for 2×2 tables with zero cells; ``None`` makes a zero cell an
        error (:class:`~lowdose.errors.ZeroCellError`).
    row_labels
        How error messages name each study (the CLI passes ``"row 7"`` with file line numbers).

    Notes
    -----
    Means (group 1 minus group 2):

    .. math::
        \mathrm{MD}: y = \bar x_1 - \bar x_2,\quad v = s_1^2/n_1 + s_2^2/n_2

        \mathrm{SMD}: y = c(m)\frac{\bar x_1-\bar x_2}{s_p},\;
        s_p^2 = \frac{(n_1-1)s_1^2 + (n_2-1)s_2^2}{m},\;
        v = \frac{1}{n_1}+\frac{1}{n_2}+\frac{y^2}{2(n_1+n_2)}

        \mathrm{ROM}: y = \ln(\bar x_1/\bar x_2),\quad
        v = \frac{s_1^2}{n_1\bar x_1^2} + \frac{s_2^2}{n_2\bar x_2^2}

    Counts (events ``a``/``c`` out of ``n_1``/``n_2``):

    .. math::
        \mathrm{RR}: y = \ln\frac{a/n_1}{c/n_2},\; v = \frac1a - \frac1{n_1} + \frac1c - \frac1{n_2}

        \mathrm{OR}: y = \ln\frac{ad}{bc},\; v = \frac1a+\frac1b+\frac1c+\frac1d

        \mathrm{RD}: y = p_1 - p_2,\; v = \frac{p_1(1-p_1)}{n_1} + \frac{p_2(1-p_2)}{n_2}
    """
    measure = measure.upper()
    if measure not in MEASURES:
        raise MetaInputError(
            f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}.", field="measure"
        )
    first = next(
        (a for a in (yi, ai, m1i) if a is not None),
        None,
    )
    if first is None:
        raise MetaInputError(
            "no study data: give yi/vi (GEN), 2×2 counts (RR, OR, RD) or means (MD, SMD, ROM).",
            field="measure",
        )
    k = len(first)
    if k == 0:
        raise MetaInputError("no studies were given; add at least one row.", field="yi")
    labels = list(row_labels) if row_labels is not None else [f"row {i + 1}" for i in range(k)]
    names = [str(s) for s in study] if study is not None else [str(i + 1) for i in range(k)]
    years = tuple(year) if year is not None else (None,) * k

    if measure == "GEN":
        y = _arr(yi, "yi", k)
        if vi is not None:
            v = _arr(vi, "vi", k)
            _check(np.isfinite(v) & (v > 0), labels, "vi", v, "sampling variance must be > 0")
        elif sei is not None:
            se = _arr(sei, "sei", k)
            _check(np.isfinite(se) & (se > 0), labels, "sei", se, "standard error must be > 0")
            v = se**2
        else:
            raise MetaInputError("GEN needs 'vi' or 'sei' beside 'yi'.", field="vi")
        _check(np.isfinite(y), labels, "yi", y, "outcome must be a finite number")
    elif measure in ("MD", "SMD", "ROM"):
        x1, s1, n1 = _arr(m1i, "m1i", k), _arr(sd1i, "sd1i", k), _arr(n1i, "n1i", k)
        x2, s2, n2 = _arr(m2i, "m2i", k), _arr(sd2i, "sd2i", k), _arr(n2i, "n2i", k)
        for col, arr in (("m1i", x1), ("m2i", x2)):
            _check(np.isfinite(arr), labels, col, arr, "mean must be a finite number")
        for col, arr in (("sd1i", s1), ("sd2i", s2)):
            _check(np.isfinite(arr) & (arr >= 0), labels, col, arr, "SD must be >= 0")
        for col, arr in (("n1i", n1), ("n2i", n2)):
            _check(np.isfinite(arr) & (arr >= 2), labels, col, arr, "group size must be >= 2")
        if measure == "MD":
            y = x1 - x2
            v = s1**2 / n1 + s2**2 / n2
        elif measure == "SMD":
            m = n1 + n2 - 2
            sp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / m)
            _check(sp > 0, labels, "sd1i", s1, "both SDs are zero; the SMD is undefined")
            y = hedges_correction(m) * (x1 - x2) / sp
            v = 1 / n1 + 1 / n2 + y**2 / (2 * (n1 + n2))
        else:
            for col, arr in (("m1i", x1), ("m2i", x2)):
                _check(arr > 0, labels, col, arr, "ROM needs positive means")
            y = np.log(x1 / x2)
            v = s1**2 / (n1 * x1**2) + s2**2 / (n2 * x2**2)
        _check(v > 0, labels, "sd1i", s1, "sampling variance is zero (both SDs are zero)")
    else:
        a = _arr(ai, "ai", k)
        c = _arr(ci, "ci", k)
        if bi is not None and di is not None:
            b, d = _arr(bi, "bi", k), _arr(di, "di", k)
        elif n1i is not None and n2i is not None:
            b, d = _arr(n1i, "n1i", k) - a, _arr(n2i, "n2i", k) - c
            _check(b >= 0, labels, "n1i", b + a, "group size is smaller than the event count")
            _check(d >= 0, labels, "n2i", d + c, "group size is smaller than the event count")
        else:
            raise MetaInputError(
                f"{measure} needs counts ai, bi, ci, di or ai, n1i, ci, n2i.", field="bi"
            )
        for col, arr in (("ai", a), ("bi", b), ("ci", c), ("di", d)):
            _check(np.isfinite(arr) & (arr >= 0), labels, col, arr, "count must be >= 0")
        cells = np.stack([a, b, c, d])
        has0 = (cells == 0).any(axis=0)
        if has0.any() and correction is None:
            i = int(np.flatnonzero(has0)[0])
            col = ("ai", "bi", "ci", "di")[int(np.flatnonzero(cells[:, i] == 0)[0])]
            raise ZeroCellError(
                f"{labels[i]}, column '{col}': zero cell in the 2×2 table. Choose a "
                "continuity correction, e.g. add 0.5 to the tables with a zero "
                "(CLI: --add 0.5 --to only0).",
                field=col,
            )
        if correction is not None:
            if correction.to == "all" or (correction.to == "if0all" and has0.any()):
                mask = np.ones(k, dtype=bool)
            else:
                mask = has0
            cells = cells + correction.add * mask
            a, b, c, d = cells
        n1, n2 = a + b, c + d
        _check(n1 > 0, labels, "n1i", n1, "group 1 has no participants")
        _check(n2 > 0, labels, "n2i", n2, "group 2 has no participants")
        if measure == "RR":
            y = np.log((a / n1) / (c / n2))
            v = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif measure == "OR":
            y = np.log((a * d) / (b * c))
            v = 1 / a + 1 / b + 1 / c + 1 / d
        else:
            p1, p2 = a / n1, c / n2
            y = p1 - p2
            v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
            _check(v > 0, labels, "ai", a, "risk difference has zero variance (all or none)")
    return EffectSizes(
        measure=measure,
        yi=tuple(float(x) for x in y),
        vi=tuple(float(x) for x in v),
        study=tuple(names),
        year=years,
    )
