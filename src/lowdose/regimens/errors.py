"""Errors raised by :mod:`lowdose.regimens` (the tree is drawn in the package docstring)."""

from __future__ import annotations

from lowdose.errors import DataError, InputError

__all__ = ["ProtocolDataError", "RegimenError", "UnknownProtocolError"]


class RegimenError(InputError):
    """A titration plan or an adjustment to it cannot be built from the values given."""


class UnknownProtocolError(RegimenError):
    """The protocol name is not one of the shipped protocols."""


class ProtocolDataError(DataError):
    """A shipped protocol data file is inconsistent; a maintainer must fix the file."""
