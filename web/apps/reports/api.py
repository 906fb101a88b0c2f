"""The visit report for a bearer token: ``GET /api/v1/patients/{patient_id}/visit-report.pdf``."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from apps.accounts.access import get_patient_for_user
from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.reports.pdf import parse_audience, requested_report
from apps.reports.responses import PreparingOut, preparing_json
from apps.reports.views import PERMISSION
from config.api_input import ErrorOut, ObjectId
from config.downloads import attachment

router = Router(tags=["visit report"], auth=BearerToken())


class ReportIn(Schema):
    """The query parameters of the visit report: read as text, so a bad value is a 400 that
    names the field and says what to write (``apps.reports.period``)."""

    audience: str | None = Field(
        None,
        description="`clinician` or `patient`; left out: the caller's own (a patient's: patient).",
    )
    start: str | None = Field(
        None, description="First day, YYYY-MM-DD; left out: the last visit (docs/visit-report.md)."
    )
    end: str | None = Field(
        None, description="Last day, YYYY-MM-DD, not after today; left out: today."
    )


_PDF: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The report, a tagged PDF (PDF/UA-1 where the server's WeasyPrint "
            "writes it), one A4 page where the data allow.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/patients/{patient_id}/visit-report.pdf",
    response={202: PreparingOut, 400: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="A patient's visit report as a PDF: 202 while the worker renders it (ask again after "
    "Retry-After seconds), then 200 with the file",
    description="`audience`: `clinician` (the care team's version, the default for a clinician; "
    "it adds open alerts, the safety screen and risk flags) or `patient` (plain language, the "
    "only version a patient gets: asking for the other is a 404). `start` and `end` (YYYY-MM-DD, "
    "optional) choose the period; by default it runs from the last visit to today "
    "(docs/visit-report.md). Each answer is recorded in the audit log.",
    openapi_extra=_PDF,
)
def visit_report(
    request: HttpRequest,
    patient_id: ObjectId,
    query: Query[ReportIn],
) -> Any:
    user = cast(User, request.user)
    chosen = parse_audience(query.audience, "clinician" if user.is_clinician else "patient")
    patient = get_patient_for_user(request, patient_id, PERMISSION[chosen])
    report = requested_report(patient, chosen, query.start or "", query.end or "")
    if report.pdf is None:
        return preparing_json("The report is being rendered: ask again in a few seconds.")
    return attachment(report.pdf, "application/pdf", report.filename)
