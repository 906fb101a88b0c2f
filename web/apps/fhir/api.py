"""``GET /api/v1/patients/{patient_id}/fhir``: a patient's record as a FHIR R4B Bundle;
``POST`` the same path imports one (:mod:`apps.fhir.importing`).

The answer is ``application/fhir+json``; every error on this route is an OperationOutcome
(400 a bad ``since``, 401 no token, 403 a role that exports no records, 404 a patient out of
reach). The access rule is ``fhir.export`` (:mod:`apps.accounts.access`), audited once.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from apps.accounts.auth import BearerToken
from apps.fhir.export import export_bundle
from apps.fhir.importing import import_bundle
from apps.fhir.outcomes import FHIR_JSON, fhir_response, outcome_response
from config.errors import ExportRefusedError, ImportRefusedError
from lowdose.interop.fhir.reader import problems_outcome

router = Router(tags=["fhir"], auth=BearerToken())


class FhirBundleOut(Schema):
    """A FHIR R4B Bundle of type ``collection`` (see docs/fhir.md for its resources)."""

    model_config = ConfigDict(extra="allow")
    resourceType: str = Field(examples=["Bundle"])  # noqa: N815  (FHIR's own name)
    type: str = Field(examples=["collection"])
    timestamp: str
    entry: list[dict[str, Any]] = Field(
        default_factory=list, description="Each with fullUrl (urn:uuid:…) and resource."
    )


class OperationOutcomeOut(Schema):
    """A FHIR OperationOutcome: ``issue[0].diagnostics`` says what to do."""

    model_config = ConfigDict(extra="allow")
    resourceType: str = Field(examples=["OperationOutcome"])  # noqa: N815
    issue: list[dict[str, Any]]


def _fhir_json(schema: type[Schema], why: str) -> dict[str, Any]:
    return {
        "description": why,
        "content": {FHIR_JSON: {"schema": {"$ref": f"#/components/schemas/{schema.__name__}"}}},
    }


@router.get(
    "/patients/{patient_id}/fhir",
    response={
        200: FhirBundleOut,
        400: OperationOutcomeOut,
        403: OperationOutcomeOut,
        404: OperationOutcomeOut,
    },
    summary="A patient's record as a FHIR R4B collection Bundle (optionally since a day)",
    description="The patient themself (no draft prescriptions) or a clinician of their care "
    "team. `since=YYYY-MM-DD` keeps check-ins, side effects, questionnaires, dispensings and "
    "N-of-1 results from that day on; the patient, practitioners, condition and prescriptions "
    "are always included. Answers `application/fhir+json`; errors are OperationOutcome.",
    openapi_extra={
        "responses": {
            200: _fhir_json(FhirBundleOut, "The Bundle; every entry has a fullUrl."),
            400: _fhir_json(OperationOutcomeOut, "`since` is not a YYYY-MM-DD date."),
            401: _fhir_json(OperationOutcomeOut, "No valid token."),
            403: _fhir_json(OperationOutcomeOut, "Your role exports no patient records."),
            404: _fhir_json(OperationOutcomeOut, "No such patient within your reach."),
        }
    },
)
def export_fhir(request: HttpRequest, patient_id: str, since: str | None = None) -> HttpResponse:
    try:
        bundle = export_bundle(request, patient_id, since)
    except ExportRefusedError as refused:
        return outcome_response(refused.status, refused.message)
    return fhir_response(bundle)


class ImportCounts(Schema):
    created: int
    already_present: int


class FhirImportOut(Schema):
    """What an import did. ``created``/``already_present`` are the totals over check-ins, side
    effects, assessments and history (orders, dispensings, diagnoses, care professionals and
    N-of-1 results kept read-only from another record); ``kept`` counts the resources lowdose
    keeps as it wrote them (by resourceType: the Patient, the visit report, questionnaire
    scores), not imported; ``resources`` is how many were read."""

    created: int
    already_present: int
    checkins: ImportCounts
    side_effects: ImportCounts
    assessments: ImportCounts
    history: ImportCounts
    kept: dict[str, int]
    resources: int


_BODY = {
    "description": "A FHIR R4B Bundle (lowdose's export, or any Bundle of Observations, "
    "AdverseEvents and QuestionnaireResponses), an array of resources, or one resource.",
    "required": True,
    "content": {
        media: {"schema": {"type": "object", "additionalProperties": True}}
        for media in (FHIR_JSON, "application/json")
    },
}


@router.post(
    "/patients/{patient_id}/fhir",
    response={
        200: FhirImportOut,
        400: OperationOutcomeOut,
        403: OperationOutcomeOut,
        404: OperationOutcomeOut,
    },
    summary="Import a FHIR R4B Bundle into a patient's record (all or nothing, idempotent)",
    description="Daily-score and dose Observations (lowdose's, or another system's: pain is "
    "LOINC 72514-3) become check-ins, AdverseEvents their side effects, QuestionnaireResponses "
    "questionnaire results re-scored by lowdose. The patient imports their own check-ins and "
    "questionnaires; their clinician imports questionnaires. MedicationRequest, "
    "MedicationDispense, Condition, Practitioner and N-of-1 result Observations are kept as "
    "read-only history from another record (never a lowdose order; exported again as they came; "
    "every reference they make must resolve). The Patient, DocumentReference and questionnaire "
    "score Observations are lowdose's own: counted, not imported. Importing the same Bundle "
    "again creates nothing. Any "
    "refused resource refuses the whole import: the OperationOutcome lists every problem with "
    "its location in `issue[].expression` (e.g. `Bundle.entry[3].resource.valueInteger`).",
    openapi_extra={
        "requestBody": _BODY,
        "responses": {
            400: _fhir_json(OperationOutcomeOut, "Not JSON, not FHIR R4B, or not importable."),
            401: _fhir_json(OperationOutcomeOut, "No valid token."),
            403: _fhir_json(
                OperationOutcomeOut,
                "Your role imports no records, or not these resources (e.g. a clinician "
                "sending check-ins).",
            ),
            404: _fhir_json(OperationOutcomeOut, "No such patient within your reach."),
        },
    },
)
def import_fhir(request: HttpRequest, patient_id: str) -> HttpResponse | dict[str, object]:
    try:
        summary = import_bundle(request, patient_id, request.body)
    except ImportRefusedError as refused:
        response = fhir_response(problems_outcome(refused.problems), status=refused.status)
        return response
    return summary.to_dict()
