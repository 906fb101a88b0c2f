"""Install licensed questionnaire wording (the FIQR) from files named in the settings.

lowdose ships the FIQR's structure and scoring but not its copyrighted item wording. A clinic that
holds a licence points ``LOWDOSE_LICENSED_WORDING`` at its wording file(s) (format:
``lowdose.instruments.fiqr``, "lowdose-instrument-wording/1"); at start-up each file is checked
and its instrument re-registered with the wording, after which clinicians can assign it. A bad
file stops the app with a message naming the file and the problem.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

from lowdose import instruments
from lowdose.errors import LowdoseError
from lowdose.instruments.fiqr import load_licensed_wording

__all__ = ["install_licensed_wording"]


def install_licensed_wording(paths: Iterable[str]) -> list[str]:
    """Load and register each wording file; return the instrument names now licensed."""
    installed = []
    for path in paths:
        try:
            licensed = load_licensed_wording(path)  # FIQR: the one licensed instrument so far
        except LowdoseError as exc:
            raise ImproperlyConfigured(f"LOWDOSE_LICENSED_WORDING: {exc}") from None
        instruments.register(licensed, replace=True)
        installed.append(licensed.name)
    return installed
