"""The FHIR base (``/fhir/``): the CapabilityStatement, the published Questionnaires at their
versioned canonical URLs, and OperationOutcome for every error; and the browser download of a
patient's record (the same export as ``GET /api/v1/patients/{id}/fhir``)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleLink

import lowdose
from apps.accounts.access import get_patient_for_user
from apps.accounts.models import User
from apps.fhir.export import export_bundle
from apps.fhir.gather import fhir_base
from apps.fhir.outcomes import fhir_response, outcome_response
from apps.fhir.record import whole_record
from apps.reports.responses import preparing_page, unavailable_page
from config.downloads import ZIP, attachment
from config.errors import ExportRefusedError, ReportUnavailableError
from lowdose import instruments
from lowdose.instruments.model import Instrument
from lowdose.interop.fhir import (
    capability_statement,
    questionnaire,
    questionnaire_id,
    questionnaire_url,
    questionnaire_version,
)

_GET_ONLY = "The FHIR base answers GET only: read a Questionnaire or the metadata."


def _get_only(request: HttpRequest) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD"):
        response = outcome_response(405, _GET_ONLY)
        response["Allow"] = "GET, HEAD"
        return response
    return None


def _published() -> dict[str, Instrument]:
    """Every registered instrument by its Questionnaire id."""
    return {questionnaire_id(instruments.get(n)): instruments.get(n) for n in instruments.names()}


def metadata(request: HttpRequest) -> HttpResponse:
    refused = _get_only(request)
    if refused is not None:
        return refused
    statement = capability_statement(fhir_base(request), version=lowdose.__version__)
    return fhir_response(statement)


def _unknown(qid: str) -> HttpResponse:
    known = ", ".join(sorted(_published()))
    return outcome_response(404, f"No Questionnaire {qid!r} here. The published ones are: {known}.")


def questionnaire_read(request: HttpRequest, qid: str, vid: str | None = None) -> HttpResponse:
    """``Questionnaire/<id>`` (the current version) and ``…/_history/<version>``."""
    refused = _get_only(request)
    if refused is not None:
        return refused
    found = _published().get(qid)
    if found is None:
        return _unknown(qid)
    if vid is not None and vid != questionnaire_version(found):
        return outcome_response(
            404,
            f"Questionnaire {qid!r} has no version {vid!r} here; the version published is "
            f"{questionnaire_version(found)}.",
        )
    return fhir_response(questionnaire(found, base=fhir_base(request), publish=True))


def questionnaire_search(request: HttpRequest) -> HttpResponse:
    """``Questionnaire?url=<canonical>[|version]``: a searchset Bundle (every one without)."""
    refused = _get_only(request)
    if refused is not None:
        return refused
    base = fhir_base(request)
    wanted = request.GET.get("url")
    version = request.GET.get("version")
    if wanted and "|" in wanted:
        wanted, version = wanted.split("|", 1)
    matches = [
        found
        for found in _published().values()
        if (not wanted or questionnaire_url(found, base) == wanted)
        and (not version or questionnaire_version(found) == version)
    ]
    bundle = Bundle(
        type="searchset",
        total=len(matches),
        link=[BundleLink(relation="self", url=request.build_absolute_uri())],
        entry=[
            BundleEntry(
                fullUrl=questionnaire_url(found, base),
                resource=questionnaire(found, base=base, publish=True),
            )
            for found in matches
        ]
        or None,
    )
    return fhir_response(bundle)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under the FHIR base."""
    return outcome_response(
        404,
        f"Nothing at /fhir/{rest}. This FHIR base serves /fhir/metadata and "
        "/fhir/Questionnaire/<id>; a patient's record is at /api/v1/patients/<id>/fhir.",
    )


@login_required
@require_GET
def download(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's record as a FHIR Bundle file, from their page (patient or clinician)."""
    try:
        bundle = export_bundle(request, patient_id, request.GET.get("since"))
    except ExportRefusedError as refused:
        return outcome_response(refused.status, refused.message)
    day = timezone.localdate().isoformat()
    return fhir_response(bundle, filename=f"lowdose-record-{patient_id}-{day}.fhir.json")


@login_required
@require_GET
def whole_record_download(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's whole record as one ZIP (:mod:`apps.fhir.record`): the patient's own only;
    202 and a page that refreshes while the visit report inside it is being rendered."""
    patient = get_patient_for_user(request, patient_id, "record.download")
    try:
        made = whole_record(request, patient, cast(User, request.user))
    except ReportUnavailableError as exc:
        return unavailable_page(request, patient, exc)
    if made.data is None:
        return preparing_page(request, patient, "fhir/record_preparing.html")
    return attachment(made.data, ZIP, made.filename)
