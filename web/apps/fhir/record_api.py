"""The patient's whole record for their own bearer token:
``GET /api/v1/patients/{patient_id}/record.zip`` (:mod:`apps.fhir.record`)."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router

from apps.accounts.access import get_patient_for_user
from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.fhir.record import FILES, whole_record
from apps.reports.responses import PreparingOut, preparing_json
from config.api_input import ErrorOut, ObjectId
from config.downloads import ZIP, attachment

router = Router(tags=["FHIR"], auth=BearerToken())


@router.get(
    "/patients/{patient_id}/record.zip",
    response={202: PreparingOut, 404: ErrorOut, 503: ErrorOut},
    summary="Your whole record in one ZIP (patients, their own): 202 while the visit report in "
    "it is rendered (ask again after Retry-After seconds), then 200 with the file",
    description="The files: " + ", ".join(f"`{f}`" for f in FILES) + ". The FHIR Bundle is the "
    "one `GET /patients/{patient_id}/fhir` gives, with the visit report's PDF carried in its "
    "DocumentReference; the CSV is the check-in file lowdose imports (with a BOM for Excel). "
    "Anyone but the patient themself gets 404. Each answer is recorded in the audit log "
    "(`record.download`).",
    openapi_extra={
        "responses": {
            200: {
                "description": "The archive",
                "content": {ZIP: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def whole_record_zip(request: HttpRequest, patient_id: ObjectId) -> Any:
    patient = get_patient_for_user(request, patient_id, "record.download")
    made = whole_record(request, patient, cast(User, request.user))
    if made.data is None:
        return preparing_json("Your record is being prepared: ask again in a few seconds.")
    return attachment(made.data, ZIP, made.filename)
