"""Errors and warnings of :mod:`lowdose.meta` (the tree is drawn in the package docstring)."""

from __future__ import annotations

from lowdose.errors import InputError, LowdoseError, LowdoseWarning

__all__ = [
    "ConvergenceError",
    "EffectSizeError",
    "FewStudiesWarning",
    "MetaInputError",
    "ZeroCellError",
]


class MetaInputError(InputError):
    """Study data or an option given to a meta-analysis cannot be used."""


class EffectSizeError(MetaInputError):
    """Summary statistics cannot be turned into an effect size (e.g. a negative SD)."""


class ZeroCellError(EffectSizeError):
    """A 2×2 table has a zero cell and no continuity correction was chosen."""


class ConvergenceError(LowdoseError):
    """An iterative τ² estimator did not converge; the message names the estimator."""


class FewStudiesWarning(LowdoseWarning):
    """A statistic was computed from too few studies to be informative (e.g. Egger with k < 10)."""
