"""The pharmacist's REST API: recording a dispensing — refused (409, with the screen) while the
patient's safety screen does not pass."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from apps.accounts.auth import BearerToken
from apps.audit.actor import Actor
from apps.clinical.access import get_prescription_for_user
from apps.clinical.schemas import PrescriptionOut, ScreeningOut
from apps.pharmacy.actions import record_dispensing
from config.api_input import BodyIn, ErrorOut, ObjectId

router = Router(tags=["pharmacy"], auth=BearerToken())


class DispenseIn(BodyIn):
    lot: str = Field(min_length=1, max_length=64, description="Lot number of the batch")
    source: Literal["api", "tablets"] = Field(
        "api", description="api: naltrexone HCl powder; tablets: crushed 50 mg tablets"
    )
    preserved: bool = Field(False, description="Liquid only: preserved (longer beyond-use date)")


class DispenseRefusedOut(Schema):
    detail: str
    screening: ScreeningOut


@router.post(
    "/prescriptions/{prescription_id}/dispense",
    response={
        200: PrescriptionOut,
        400: ErrorOut,
        404: ErrorOut,
        409: DispenseRefusedOut,
    },
    summary="Record dispensing of what is due; 409 with the screen when the patient's safety "
    "screen is contraindicated or needs review",
)
def dispense(
    request: HttpRequest, prescription_id: ObjectId, payload: DispenseIn
) -> Status[dict[str, object]]:
    rx = get_prescription_for_user(request, None, prescription_id, "prescriptions.dispense")
    record_dispensing(
        Actor.from_request(request),
        rx,
        source=payload.source,
        preserved=payload.preserved,
        lot=payload.lot,
    )
    rx.refresh_from_db()
    return Status(200, PrescriptionOut.from_row(rx))
