"""The clinical REST API: the safety screen, prescriptions, and signing — with the same access
rules and the same hard stop as the pages (the sign action re-screens what is stored)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja import Router, Status

from apps.accounts.access import (
    get_patient_for_user,
    get_prescription_for_user,
    visible_prescriptions,
)
from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.checkins.schemas import ErrorOut
from apps.clinical.actions import sign_prescription
from apps.clinical.queries import screen_patient
from apps.clinical.schemas import PrescriptionOut, ScreeningOut, SignIn, SignRefusedOut
from lowdose.safety import ContraindicationError

router = Router(tags=["clinical"], auth=BearerToken())


@router.get(
    "/patients/{patient_id}/screening",
    response={200: ScreeningOut, 404: ErrorOut},
    summary="The safety screen of the stored medication list, conditions and planned surgery",
)
def get_screening(request: HttpRequest, patient_id: int) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "clinical.view")
    return ScreeningOut.from_result(screen_patient(patient))


@router.get(
    "/patients/{patient_id}/prescriptions",
    response={200: list[PrescriptionOut], 404: ErrorOut},
    summary="A patient's prescriptions, newest first (pharmacists: only those routed to them)",
)
def list_prescriptions(request: HttpRequest, patient_id: int) -> list[dict[str, object]]:
    patient = get_patient_for_user(request, patient_id, "prescriptions.view")
    rows = visible_prescriptions(cast(User, request.user), "prescriptions.view", patient)
    return [PrescriptionOut.from_row(rx) for rx in rows.select_related("pharmacy")]


@router.post(
    "/patients/{patient_id}/prescriptions/{prescription_id}/sign",
    response={200: PrescriptionOut, 400: ErrorOut, 404: ErrorOut, 409: SignRefusedOut},
    summary="Sign a draft and route it to a pharmacy; 409 when the screen finds a contraindication",
)
def sign(
    request: HttpRequest, patient_id: int, prescription_id: int, payload: SignIn
) -> Status[dict[str, object]]:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.sign")
    try:
        sign_prescription(
            request,
            rx,
            pharmacy_id=payload.pharmacy_id,
            consent=payload.consent,
            caution_reason=payload.caution_reason,
        )
    except ContraindicationError as exc:
        body: dict[str, object] = {
            "detail": str(exc),
            "screening": ScreeningOut.from_result(screen_patient(rx.patient)),
        }
        return Status(409, body)
    return Status(200, PrescriptionOut.from_row(rx))
