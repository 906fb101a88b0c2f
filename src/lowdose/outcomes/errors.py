"""Errors and statistical caveats raised by :mod:`lowdose.outcomes`.

::

    LowdoseError
    └── InputError
        └── OutcomesError            any unusable input to the outcomes engine (lowdose.errors)
            ├── DiaryError           a diary CSV or row cannot be read (in lowdose.errors)
            ├── DesignError          an N-of-1 design cannot be built or read back
            └── AnalysisError        the data cannot support the requested analysis

    LowdoseWarning
    └── OutcomesWarning
        ├── TooFewDaysWarning        fewer diary days than the analysis needs to be trustworthy
        └── UnstableDoseWarning      the dose changed inside the window being compared
"""

from __future__ import annotations

from lowdose.errors import DiaryError, LowdoseWarning, OutcomesError

__all__ = [
    "AnalysisError",
    "DesignError",
    "DiaryError",
    "OutcomesError",
    "OutcomesWarning",
    "TooFewDaysWarning",
    "UnstableDoseWarning",
]


class DesignError(OutcomesError):
    """An N-of-1 design cannot be built from these options or read back from JSON."""


class AnalysisError(OutcomesError):
    """The diary does not contain what the requested analysis needs (e.g. no placebo days)."""


class OutcomesWarning(LowdoseWarning):
    """Base class of the outcomes engine's statistical caveats."""


class TooFewDaysWarning(OutcomesWarning):
    """Fewer days than recommended: the interval is wide and the estimate fragile."""


class UnstableDoseWarning(OutcomesWarning):
    """The dose changed inside the window being compared; the window was shortened."""
