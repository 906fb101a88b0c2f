"""Visit report pages: choose the version and the dates, then download the PDF (rendered by the
worker, :mod:`apps.reports.pdf`)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.access import can, get_patient_for_user
from apps.accounts.models import Patient, User
from apps.reports.contents import Audience
from apps.reports.pdf import parse_audience, requested_report
from apps.reports.period import DEFAULT_DAYS, MAX_DAYS, last_visit
from apps.reports.responses import report_download, unavailable_page
from config.errors import ReportUnavailableError
from lowdose.errors import InputError

#: The permission each version needs (:data:`apps.accounts.access.ACTIONS`).
PERMISSION: dict[Audience, str] = {
    "patient": "reports.patient",
    "clinician": "reports.clinician",
}


def _default_audience(request: HttpRequest) -> Audience:
    user = request.user
    return "clinician" if isinstance(user, User) and user.is_clinician else "patient"


@login_required
@require_GET
def report_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Where the care team and the patient ask for the report, with the period it covers."""
    patient = get_patient_for_user(request, patient_id, "reports.patient")
    user = cast(User, request.user)
    return render(
        request,
        "reports/page.html",
        {
            "patient": patient,
            "care_team": can(user, "reports.clinician", patient),
            "last_visit": last_visit(patient, patient.today()),
            "today": patient.today(),
            "default_days": DEFAULT_DAYS,
            "max_days": MAX_DAYS,
        },
    )


def _refused(request: HttpRequest, patient: Patient | None, error: InputError) -> HttpResponse:
    return render(
        request,
        "reports/page.html",
        {"patient": patient, "error": error, "refused": True},
        status=400,
    )


@login_required
@require_GET
def report_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The report as a PDF (``?audience=patient|clinician&start=&end=``): 200 with the file, or
    202 and a page that refreshes until the worker has rendered it. A patient gets only their
    own plain-language version; another version or patient is a 404."""
    try:
        audience = parse_audience(request.GET.get("audience"), _default_audience(request))
    except InputError as exc:
        return _refused(request, None, exc)
    patient = get_patient_for_user(request, patient_id, PERMISSION[audience])
    try:
        report = requested_report(
            patient, audience, request.GET.get("start", ""), request.GET.get("end", "")
        )
    except InputError as exc:
        return _refused(request, patient, exc)
    except ReportUnavailableError as exc:
        return unavailable_page(request, patient, exc)
    return report_download(request, patient, report)


__all__ = ["report_page", "report_pdf"]
