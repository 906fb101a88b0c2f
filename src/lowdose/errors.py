"""Every exception and warning the core raises, in one tree.

One module holds the whole tree so that a caller (the CLI, the web layer) sees every error it may
have to answer in one place, and each layer maps them once: the CLI to exit codes
(:mod:`lowdose.cli.output`), the API to HTTP statuses (``web/config/api.py``)::

    LowdoseError
    ├── InputError                      a value a person or program supplied cannot be used
    │   │                               (``field`` names it; CLI exit code 1, API 400)
    │   ├── PkInputError                  pk: a dose, time, receptor or option
    │   ├── MetaInputError                meta: study data or an option
    │   │   └── EffectSizeError             summary statistics give no effect size
    │   │       └── ZeroCellError             a 2×2 table has a zero cell, no correction chosen
    │   ├── OutcomesError                 outcomes: any unusable input
    │   │   ├── DiaryError                  a diary CSV or row (names row and column)
    │   │   ├── DesignError                 an N-of-1 design cannot be built or read back
    │   │   ├── AnalysisError               the data cannot support the analysis
    │   │   └── TrialStateError             a trial step not allowed in its state
    │   ├── RegimenError                  regimens: a plan or adjustment
    │   │   └── UnknownProtocolError        not one of the shipped protocols
    │   ├── PharmacyError                 pharmacy: a request cannot be fulfilled
    │   │   ├── CompoundingError            a preparation refused (impossible, unsafe, unmeasurable)
    │   │   └── PriceListError              a price list or cost question is inconsistent
    │   ├── AnswerError                   instruments: an answer missing, unknown or out of range
    │   │   └── WordingFileError            a licensed-wording file is unreadable or incomplete
    │   ├── UnknownInstrumentError        instruments: no instrument under this name
    │   ├── CheckinError                  diary: a check-in value (``errors``: one per field)
    │   │   ├── MissingAnswerError          a required answer was not given
    │   │   └── CheckinFieldsError          several answers of one entry are wrong
    │   ├── CautionReasonRequiredError    safety: a caution not acknowledged with a reason
    │   ├── EvidenceInputError            evidence: a record or option from a caller
    │   ├── InteropError                  interop: a FHIR resource or calendar
    │   └── ReminderError                 reminders: a time zone, time or preference
    ├── ScreenBlockedError              safety: the screen blocks signing, dispensing or kit
    │   │                               release (``result`` is the screen; API 409)
    │   ├── ContraindicationError         a contraindication: a hard stop
    │   └── ReviewRequiredError           an entry a person must resolve first
    ├── DataError                       a data file shipped with or loaded into lowdose is
    │   │                               inconsistent; a maintainer must fix it
    │   ├── ProtocolDataError             a shipped titration protocol
    │   └── EvidenceDataError             a shipped evidence file
    ├── FitError                        pk: the occupancy fit did not converge
    ├── ConvergenceError                meta: an iterative τ² estimator did not converge
    ├── UnitMismatchError (TypeError)   pharmacy: mg combined with mL, mL with capsules
    └── MissingExtraError               a feature needs an extra that is not installed

    LowdoseWarning (UserWarning)        statistical caveats, not errors
    ├── FewStudiesWarning               meta: too few studies for the statistic
    └── OutcomesWarning                 outcomes
        ├── TooFewDaysWarning             fewer diary days than the analysis needs
        └── UnstableDoseWarning           the dose changed inside the compared window

Every message says what is wrong *and what to do about it*; the web layer and the CLI show it
to people verbatim. The packages re-export their own errors (``lowdose.meta.ZeroCellError``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AnalysisError",
    "AnswerError",
    "CautionReasonRequiredError",
    "CheckinError",
    "CheckinFieldsError",
    "CompoundingError",
    "ContraindicationError",
    "ConvergenceError",
    "DataError",
    "DesignError",
    "DiaryError",
    "EffectSizeError",
    "EvidenceDataError",
    "EvidenceInputError",
    "FewStudiesWarning",
    "FitError",
    "InputError",
    "InteropError",
    "LowdoseError",
    "LowdoseWarning",
    "MetaInputError",
    "MissingAnswerError",
    "MissingExtraError",
    "OutcomesError",
    "OutcomesWarning",
    "PharmacyError",
    "PkInputError",
    "PriceListError",
    "ProtocolDataError",
    "RegimenError",
    "ReminderError",
    "ReviewRequiredError",
    "ScreenBlockedError",
    "TooFewDaysWarning",
    "TrialStateError",
    "UnitMismatchError",
    "UnknownInstrumentError",
    "UnknownProtocolError",
    "UnstableDoseWarning",
    "WordingFileError",
    "ZeroCellError",
]


class LowdoseError(Exception):
    """Base class of every error raised by the lowdose core."""


# ── The roots ────────────────────────────────────────────────────────────────────────────────


class InputError(LowdoseError, ValueError):
    """A value supplied by a person or a program cannot be used; the message says how to fix it.

    ``field`` names the offending input (a form field, a CSV column, a CLI argument) when known.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DataError(LowdoseError):
    """A data file (reference table, evidence record) is inconsistent; a maintainer must fix it."""


class MissingExtraError(LowdoseError):
    """An optional feature needs a package from an extra that is not installed.

    The message names the extra and the command that installs it
    (``pip install 'lowdose[charts]'``).
    """


class LowdoseWarning(UserWarning):
    """Base class of statistical and clinical caveats (too few days, assumption outside data)."""


# ── Science: pk, meta, outcomes ──────────────────────────────────────────────────────────────


class PkInputError(InputError):
    """A dose, time, parameter or option given to the pharmacology engine cannot be used.

    The message says which value is wrong and what a usable value looks like; ``field``
    names the argument (``"dose_mg"``, ``"times"``, ``"receptor"`` ...).
    """


class FitError(LowdoseError):
    """The occupancy model could not be fitted to the PET data (the optimiser did not converge).

    The message names the optimiser status; re-run with other starting values or report a bug.
    """


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


class OutcomesError(InputError):
    """An input to the outcomes engine cannot be used; the message says how to fix it."""


class DiaryError(OutcomesError):
    """A diary (CSV file or rows) is malformed; the message names the row and the column."""


class DesignError(OutcomesError):
    """An N-of-1 design cannot be built from these options or read back from JSON."""


class AnalysisError(OutcomesError):
    """The diary does not contain what the requested analysis needs (e.g. no placebo days)."""


class TrialStateError(OutcomesError):
    """This step is not allowed in the trial's state, or not for this person; the message says
    what happens next instead."""


class OutcomesWarning(LowdoseWarning):
    """Base class of the outcomes engine's statistical caveats."""


class TooFewDaysWarning(OutcomesWarning):
    """Fewer days than recommended: the interval is wide and the estimate fragile."""


class UnstableDoseWarning(OutcomesWarning):
    """The dose changed inside the window being compared; the window was shortened."""


# ── Clinical: safety, regimens, pharmacy, instruments, diary, evidence, interop ──────────────


class ScreenBlockedError(LowdoseError):
    """Signing (or dispensing, or kit release) was attempted while the screen blocks it.

    ``result`` is the :class:`lowdose.safety.screening.ScreeningResult` that blocked (typed
    ``object`` here so that this module imports nothing; :func:`lowdose.safety.screening.
    blocking_screen` gives it back typed).
    """

    def __init__(self, message: str, result: object) -> None:
        super().__init__(message)
        self.result = result


class ContraindicationError(ScreenBlockedError):
    """A contraindication was found: a hard stop."""


class ReviewRequiredError(ScreenBlockedError):
    """An entry could not be identified or confirmed: a person must resolve it first."""


class CautionReasonRequiredError(InputError):
    """A caution was not acknowledged with a reason; ``field`` is ``"caution_reason"``."""


class RegimenError(InputError):
    """A titration plan or an adjustment to it cannot be built from the values given."""


class UnknownProtocolError(RegimenError):
    """The protocol name is not one of the shipped protocols."""


class ProtocolDataError(DataError):
    """A shipped protocol data file is inconsistent; a maintainer must fix the file."""


class PharmacyError(InputError):
    """A pharmacy request cannot be fulfilled with the values given."""


class CompoundingError(PharmacyError):
    """A preparation is refused (impossible, unsafe or not exactly measurable); says why."""


class PriceListError(PharmacyError):
    """A price list or a cost question is inconsistent (currency, missing product)."""


class UnitMismatchError(LowdoseError, TypeError):
    """Two quantities with different units were combined (mg with mL, mL with capsules)."""


class AnswerError(InputError):
    """An answer is missing, unknown or out of range; ``field`` is the item's ``link_id``."""


class WordingFileError(AnswerError):
    """A licensed-wording file is unreadable or incomplete; ``field`` is the offending JSON key."""


class UnknownInstrumentError(InputError):
    """No instrument is registered under this name; ``field`` is ``"instrument"``."""


class CheckinError(InputError):
    """A check-in value is missing, malformed or out of range; ``field`` names it."""

    @property
    def errors(self) -> tuple[CheckinError, ...]:
        """Every problem this error reports, one per field (here: itself)."""
        return (self,)


class MissingAnswerError(CheckinError):
    """A required answer was not given: a score, the dose answer, or (from a person filling in the
    form) the time of a dose taken."""


class CheckinFieldsError(CheckinError):
    """Several answers of one entry are wrong; :attr:`errors` lists each, in the order of the form.

    The message joins theirs; ``field`` is the first one's.
    """

    def __init__(self, errors: Sequence[CheckinError]) -> None:
        if len(errors) < 2:
            raise ValueError("CheckinFieldsError holds two or more errors; raise one alone")
        super().__init__("; ".join(str(error) for error in errors), field=errors[0].field)
        self._errors = tuple(errors)

    @property
    def errors(self) -> tuple[CheckinError, ...]:
        return self._errors


class EvidenceInputError(InputError):
    """A record or option passed in by a caller (web layer, CLI) cannot be used."""


class EvidenceDataError(DataError):
    """A shipped evidence data file is inconsistent (a maintainer must fix the file)."""


class InteropError(InputError):
    """A FHIR resource or calendar cannot be built from, or read back into, a titration plan."""


class ReminderError(InputError):
    """A reminder preference cannot be used: an unknown time zone, a time that is not a wall-clock
    time, an unknown kind of reminder."""
