"""Errors raised by :mod:`lowdose.pk` (the tree is drawn in the package docstring)."""

from __future__ import annotations

from lowdose.errors import InputError, LowdoseError

__all__ = ["FitError", "PkInputError"]


class PkInputError(InputError):
    """A dose, time, parameter or option given to the pharmacology engine cannot be used.

    The message says which value is wrong and what a usable value looks like; ``field``
    names the argument (``"dose_mg"``, ``"times"``, ``"receptor"`` ...).
    """


class FitError(LowdoseError):
    """The occupancy model could not be fitted to the PET data (the optimiser did not converge).

    The message names the optimiser status; re-run with other starting values or report a bug.
    """
