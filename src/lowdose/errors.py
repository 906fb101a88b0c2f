"""The root of every exception the core raises.

Each sub-package draws its own subtree under :class:`LowdoseError` in its module docstring::

    LowdoseError
    ├── InputError            the caller gave a value that cannot be used (exit code 1 in the CLI)
    │   ├── OutcomesError     any unusable input to the outcomes engine (more in outcomes.errors)
    │   │   └── DiaryError    a diary CSV or row cannot be read (names row and column)
    │   └── (sub-package errors, e.g. diary.CheckinError, pharmacy.CompoundingError)
    ├── DataError             a data file shipped with or loaded into lowdose is inconsistent
    └── MissingExtraError     a feature needs an extra that is not installed (``cli``, ``charts``)

Statistical caveats are warnings, not errors: :class:`LowdoseWarning` and its subclasses.

Every message says what is wrong *and what to do about it*; the web layer and the CLI show it
to people verbatim.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "DiaryError",
    "InputError",
    "LowdoseError",
    "LowdoseWarning",
    "MissingExtraError",
    "OutcomesError",
]


class LowdoseError(Exception):
    """Base class of every error raised by the lowdose core."""


class InputError(LowdoseError, ValueError):
    """A value supplied by a person or a program cannot be used; the message says how to fix it.

    ``field`` names the offending input (a form field, a CSV column, a CLI argument) when known.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class OutcomesError(InputError):
    """An input to the outcomes engine cannot be used; the message says how to fix it."""


class DiaryError(OutcomesError):
    """A diary (CSV file or rows) is malformed; the message names the row and the column.

    Here rather than in :mod:`lowdose.outcomes.errors` because the daily series
    (:mod:`lowdose.daily`), below the outcomes engine, raises it.
    """


class DataError(LowdoseError):
    """A data file (reference table, evidence record) is inconsistent; a maintainer must fix it."""


class MissingExtraError(LowdoseError):
    """An optional feature needs a package from an extra that is not installed.

    The message names the extra and the command that installs it
    (``pip install 'lowdose[charts]'``).
    """


class LowdoseWarning(UserWarning):
    """Base class of statistical and clinical caveats (too few days, assumption outside data)."""
