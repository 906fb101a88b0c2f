"""The check-in CSV as a download, for the page and the API alike (the file's format:
:mod:`lowdose.interop.diary_csv`)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone

from apps.accounts.models import Patient
from apps.checkins.queries import checkins_of
from lowdose.interop.diary_csv import write_checkins_csv

__all__ = ["CSV_TYPE", "checkins_csv", "checkins_csv_response", "wants_bom"]

CSV_TYPE = "text/csv; charset=utf-8"


def wants_bom(value: str | None) -> bool:
    """``?bom=1`` (or ``true``, ``yes``): start the file with a byte-order mark for Excel."""
    return (value or "").strip().lower() in ("1", "true", "yes")


def checkins_csv(patient: Patient, *, bom: bool = False) -> bytes:
    """Every check-in of ``patient`` as RFC 4180 CSV (UTF-8, a BOM if asked)."""
    text = io.StringIO()
    write_checkins_csv((row.to_core() for row in checkins_of(patient)), text, bom=bom)
    return text.getvalue().encode("utf-8")


def checkins_csv_response(patient: Patient, *, bom: bool = False) -> HttpResponse:
    """Every check-in of ``patient`` as an RFC 4180 CSV attachment (UTF-8, a BOM if asked)."""
    response = HttpResponse(checkins_csv(patient, bom=bom), content_type=CSV_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="lowdose-checkins-{patient.pk}-{timezone.now():%Y%m%d}.csv"'
    )
    return response
