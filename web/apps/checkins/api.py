from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from apps.accounts.access import audit_allowed_access, get_patient_for_user
from apps.accounts.auth import BearerToken, SignedInSession
from apps.accounts.models import Patient
from apps.audit.actor import Actor
from apps.checkins.access import get_checkin_for_user
from apps.checkins.actions import change_checkin, delete_checkin, record_checkin, revised_checkin
from apps.checkins.exports import CSV_TYPE, checkins_csv_response
from apps.checkins.models import PatientSummary
from apps.checkins.queries import checkins_of
from apps.checkins.schemas import CheckinIn, CheckinOut, CheckinPatch
from config.api_input import ErrorOut, ObjectId
from config.keyset import PAGED, PageIn, keyset_page, page_schema
from lowdose.errors import LowdoseError

router = Router(tags=["check-ins"], auth=BearerToken())

#: A new check-in's token also reads the patient's panel summary in the same statement: the
#: follow-up rules look there first for an open "no check-in" alert to close
#: (:func:`apps.checkins.followup.followup_after_checkin`).
_CHECKIN_TOKEN = BearerToken(related=("user__patient__panel_summary",))


def _silence_alert_open(patient: Patient) -> bool | None:
    """Whether a "no check-in" alert is open, as the patient's summary said when the token read
    it with this request; None when it was not read (a clinician's check-in, the page's session)
    or the patient has no summary yet: the follow-up rules then read the stored alerts."""
    if not Patient.panel_summary.is_cached(patient):
        return None
    summary: PatientSummary | None = getattr(patient, "panel_summary", None)
    return None if summary is None else summary.silence_alert_open


@router.get(
    "/patients/{patient_id}/checkins",
    response={200: page_schema(CheckinOut), 400: ErrorOut, 404: ErrorOut},
    summary="A patient's check-ins, oldest first (deleted ones are not listed), a page at a time",
    description=PAGED,
)
def list_checkins(
    request: HttpRequest, patient_id: ObjectId, page: Query[PageIn]
) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "checkins.view")
    rows, link = keyset_page(request, checkins_of(patient), page)
    return {"items": [CheckinOut.from_row(row) for row in rows], "next": link}


@router.post(
    "/patients/{patient_id}/checkins",
    response={
        200: CheckinOut,
        201: CheckinOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Record a check-in (idempotent on client_id: a re-sent entry answers 200, not a copy)",
    description="With a bearer token, or from the check-in page's own script with the browser's "
    "session and its CSRF token (`X-CSRFToken`): the page sends check-ins saved while offline.",
    auth=[_CHECKIN_TOKEN, SignedInSession()],
)
def create_checkin(
    request: HttpRequest, patient_id: ObjectId, payload: CheckinIn
) -> Status[dict[str, object]]:
    # The check-in's own audit event (checkins.add, or .replay) records this access.
    patient = get_patient_for_user(request, patient_id, "checkins.add", audited_by_write=True)
    try:
        row, created = record_checkin(
            Actor.from_request(request),
            patient,
            payload.raw(),
            silence_alert_open=_silence_alert_open(patient),
        )
    except LowdoseError:  # refused (400, 409): nothing written, the access still recorded
        audit_allowed_access(request, patient, "checkins.add")
        raise
    return Status(201 if created else 200, CheckinOut.from_row(row))


@router.patch(
    "/patients/{patient_id}/checkins/{checkin_ref}",
    response={200: CheckinOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Correct one of your check-ins (patient, within 7 days of making it; by id or "
    "client_id): only the fields sent change, the earlier version is kept and the care team "
    "sees that it changed; 409 after 7 days",
)
def correct_checkin(
    request: HttpRequest, patient_id: ObjectId, checkin_ref: str, payload: CheckinPatch
) -> dict[str, object]:
    row = get_checkin_for_user(request, patient_id, checkin_ref, "checkins.change")
    now = timezone.now()
    revised = revised_checkin(row, payload.changes(), now=now)
    row, _ = change_checkin(Actor.from_request(request), row, revised, now=now)
    return CheckinOut.from_row(checkins_of(row.patient).get(pk=row.pk))


@router.delete(
    "/patients/{patient_id}/checkins/{checkin_ref}",
    response={204: None, 404: ErrorOut, 409: ErrorOut},
    summary="Delete one of your check-ins (patient, within 7 days of making it; by id or "
    "client_id): it counts nowhere and stays in the record for the care team; 409 after 7 days",
)
def remove_checkin(request: HttpRequest, patient_id: ObjectId, checkin_ref: str) -> Status[None]:
    row = get_checkin_for_user(request, patient_id, checkin_ref, "checkins.change")
    delete_checkin(Actor.from_request(request), row)
    return Status(204, None)


@router.get(
    "/patients/{patient_id}/checkins.csv",
    response={404: ErrorOut},
    summary="Every check-in as a CSV file (RFC 4180, UTF-8), the same file as the page's export",
    description="The columns and their cells are described in docs/api.md and in "
    "`lowdose.interop.diary_csv`; the file re-imports unchanged on the check-ins page. "
    "`bom=true` starts it with a UTF-8 byte-order mark, which Excel on Windows needs to show "
    "non-ASCII letters. Patient (own) and the clinicians of their care team; recorded in the "
    "audit log as `checkins.export`, like the page's download.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The CSV file, as an attachment.",
                "content": {CSV_TYPE.split(";")[0]: {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_checkins_csv(
    request: HttpRequest, patient_id: ObjectId, bom: bool = False
) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "checkins.export")
    return checkins_csv_response(patient, bom=bom)
