"""The patient export shared by the API route and the browser download: check access (one audit
event), gather, build the Bundle. Errors are raised as :class:`config.errors.ExportRefusedError`
with the status and the words an OperationOutcome carries."""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from apps.accounts.access import acts_on_any, get_patient_for_user
from apps.accounts.models import User
from apps.fhir.gather import fhir_base, identifier_systems, parse_since, patient_record
from config.api_input import row_id
from config.errors import ExportRefusedError
from lowdose.interop.fhir import patient_bundle
from lowdose.interop.fhir.records import ReportDocument

__all__ = ["export_bundle"]

NO_PATIENT = "No such patient, or their record is not yours to export. Check the patient's id."


def _report_link(request: HttpRequest, patient_id: int, reader: User) -> ReportDocument:
    """The visit report as a link, in the reader's version: the PDF is rendered when the link is
    followed (``apps.reports``), so it has no creation time here. The whole-record download
    (:mod:`apps.fhir.record`) carries the PDF itself."""
    audience = "clinician" if reader.is_clinician else "patient"
    url = reverse("api:visit_report", kwargs={"patient_id": patient_id})
    return ReportDocument(
        f"Visit report ({'care team' if audience == 'clinician' else 'plain language'})",
        created_at=None,
        url=request.build_absolute_uri(f"{url}?audience={audience}"),
    )


def export_bundle(request: HttpRequest, patient_id: object, since_text: str | None) -> Bundle:
    """The patient's record as a collection Bundle for ``request.user`` (``fhir.export``)."""
    try:
        since = parse_since(since_text)
    except ValueError:
        raise ExportRefusedError(
            400, f"'since' must be a date as YYYY-MM-DD (e.g. 2026-01-31), not {since_text!r}."
        ) from None
    pk = row_id(patient_id)
    if pk is None:
        raise ExportRefusedError(404, NO_PATIENT)
    user = request.user
    try:
        patient = get_patient_for_user(request, pk, "fhir.export")
    except Http404:
        if isinstance(user, User) and not acts_on_any(user, "fhir.export"):
            raise ExportRefusedError(
                403,
                "Your role cannot export patient records: ask the patient's clinician, or the "
                "patient themself.",
            ) from None
        raise ExportRefusedError(404, NO_PATIENT) from None
    reader = cast(User, user)  # get_patient_for_user refused anyone else
    return patient_bundle(
        patient_record(patient, reader, report=_report_link(request, patient.pk, reader)),
        identifier_systems(),
        generated_at=timezone.now(),
        since=since,
        canonical_base=fhir_base(request),
    )
