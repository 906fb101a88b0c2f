"""What a share link opens: the care team's version of the visit report, as a PDF
(:mod:`apps.reports`), for the period since the last visit."""

from __future__ import annotations

from apps.accounts.models import Patient
from apps.reports.contents import Audience, report_contents
from apps.reports.pdf import cached_report, draw_pdf
from apps.reports.period import period_for

__all__ = ["AUDIENCE", "packet_pdf"]

#: The receiver is a doctor: they get the version written for a care team (docs/sharing.md).
AUDIENCE: Audience = "clinician"


def packet_pdf(patient: Patient) -> bytes:
    """The packet as it is now: the cached report when the worker has drawn it, else drawn here
    (a second or two; creating a link waits for it, once)."""
    contents = report_contents(patient, period_for(patient), AUDIENCE)
    return cached_report(contents) or draw_pdf(contents)
