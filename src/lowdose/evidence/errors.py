"""Errors of :mod:`lowdose.evidence` (tree drawn in the package docstring)."""

from __future__ import annotations

from lowdose.errors import DataError, InputError

__all__ = ["EvidenceDataError", "EvidenceInputError"]


class EvidenceInputError(InputError):
    """A record or option passed in by a caller (web layer, CLI) cannot be used."""


class EvidenceDataError(DataError):
    """A shipped evidence data file is inconsistent (a maintainer must fix the file)."""
