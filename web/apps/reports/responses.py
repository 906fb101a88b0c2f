"""The answers of a download the worker renders first (the visit report, and the files that
carry it): 202 with ``Retry-After`` while it is being rendered, then the file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import Schema

from apps.accounts.models import Patient
from apps.reports.pdf import RETRY_AFTER, ReadyReport
from config.downloads import attachment
from config.errors import ReportUnavailableError

__all__ = [
    "PreparingOut",
    "preparing_json",
    "preparing_page",
    "report_download",
    "unavailable_page",
]


def _waiting(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def preparing_page(
    request: HttpRequest, patient: Patient, template: str = "reports/preparing.html"
) -> HttpResponse:
    """202: a page that says the file is being prepared and refreshes itself until it is."""
    context = {"patient": patient, "seconds": RETRY_AFTER, "again": request.get_full_path()}
    return _waiting(render(request, template, context, status=202))


class PreparingOut(Schema):
    """The file is being rendered: ask again after ``retry_after`` seconds."""

    detail: str
    retry_after: int


def preparing_json(detail: str) -> HttpResponse:
    """202 for a program: ``{"detail", "retry_after"}`` and the ``Retry-After`` header."""
    body = PreparingOut(detail=detail, retry_after=RETRY_AFTER).model_dump_json()
    return _waiting(HttpResponse(body, status=202, content_type="application/json"))


def report_download(request: HttpRequest, patient: Patient, report: ReadyReport) -> HttpResponse:
    """The report's PDF as a file, or the page that waits for it."""
    if report.pdf is None:
        return preparing_page(request, patient)
    return attachment(report.pdf, "application/pdf", report.filename)


def unavailable_page(
    request: HttpRequest, patient: Patient, error: ReportUnavailableError
) -> HttpResponse:
    """503: the file cannot be drawn on this server now; the page says why and what to do (it
    does not refresh: waiting would not help until someone acts)."""
    context = {"patient": patient, "detail": str(error), "again": request.get_full_path()}
    response = render(request, "reports/unavailable.html", context, status=503)
    response["Retry-After"] = str(error.retry_after)
    response["Cache-Control"] = "no-store"
    return response
