"""FHIR answers: a resource as ``application/fhir+json``, and every error as an OperationOutcome
(never an HTML page) under the FHIR base and on the FHIR export routes."""

from __future__ import annotations

import json

from django.http import HttpResponse
from fhir.resources.R4B.resource import Resource

from lowdose.interop.fhir import operation_outcome

__all__ = ["FHIR_JSON", "fhir_json", "fhir_response", "outcome_response"]

FHIR_JSON = "application/fhir+json"

#: HTTP status → the R4 issue-type code of its OperationOutcome.
_ISSUE = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported"}


def fhir_json(resource: Resource) -> str:
    """``resource`` as FHIR JSON, indented, without empty elements (downloads and archives)."""
    return json.dumps(json.loads(resource.model_dump_json(exclude_none=True)), indent=2)


def fhir_response(
    resource: Resource, *, status: int = 200, filename: str | None = None
) -> HttpResponse:
    """``resource`` as indented FHIR JSON; an attachment named ``filename`` when given."""
    body = fhir_json(resource)
    response = HttpResponse(body, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def outcome_response(status: int, message: str) -> HttpResponse:
    """An error as an OperationOutcome with ``status``; ``message`` says what to do."""
    response = fhir_response(
        operation_outcome(_ISSUE.get(status, "processing"), message), status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response
