"""Errors raised by :mod:`lowdose.interop`."""

from __future__ import annotations

from lowdose.errors import InputError

__all__ = ["InteropError"]


class InteropError(InputError):
    """A FHIR resource or calendar cannot be built from, or read back into, a titration plan."""
