from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from apps.accounts.access import get_patient_for_user
from apps.accounts.auth import BearerToken
from apps.audit.actor import Actor
from apps.checkins.actions import record_checkin
from apps.checkins.queries import checkins_of
from apps.checkins.schemas import CheckinIn, CheckinOut, ErrorOut
from config.api_input import BODY_ERRORS

router = Router(tags=["check-ins"], auth=BearerToken())


@router.get(
    "/patients/{patient_id}/checkins",
    response={200: list[CheckinOut], 404: ErrorOut},
    summary="A patient's check-ins, oldest first",
)
def list_checkins(request: HttpRequest, patient_id: int) -> list[dict[str, object]]:
    patient = get_patient_for_user(request, patient_id, "checkins.view")
    return [CheckinOut.from_row(row) for row in checkins_of(patient)]


@router.post(
    "/patients/{patient_id}/checkins",
    response={
        **BODY_ERRORS,
        200: CheckinOut,
        201: CheckinOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Record a check-in (idempotent on client_id: a re-sent entry answers 200, not a copy)",
)
def create_checkin(
    request: HttpRequest, patient_id: int, payload: CheckinIn
) -> Status[dict[str, object]]:
    patient = get_patient_for_user(request, patient_id, "checkins.add")
    row, created = record_checkin(Actor.from_request(request), patient, payload.raw())
    row = checkins_of(patient).get(pk=row.pk)
    return Status(201 if created else 200, CheckinOut.from_row(row))
