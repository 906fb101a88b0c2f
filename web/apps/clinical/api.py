"""The clinical REST API: the safety screen, prescriptions, and signing — with the same access
rules and the same hard stop as the pages (the sign action re-screens what is stored)."""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Status

from apps.accounts.access import get_patient_for_user
from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.clinical import actions
from apps.clinical.access import get_prescription_for_user, visible_prescriptions
from apps.clinical.actions import complete_assessment, correct_assessment, sign_prescription
from apps.clinical.calendar import CALENDAR_TYPE, calendar_response
from apps.clinical.crisis import Crisis
from apps.clinical.models import AssessmentResult, Medication
from apps.clinical.queries import patient_today
from apps.clinical.schemas import (
    AssessmentCorrectionIn,
    AssessmentIn,
    AssessmentOut,
    MedicationIn,
    MedicationOut,
    MedicationPatch,
    MedicationScreenOut,
    PrescriptionOut,
    ResolutionIn,
    ScreeningOut,
    SignIn,
    SignRefusedOut,
)
from apps.clinical.screening import screen_patient
from config.api_input import ErrorOut, ObjectId
from config.keyset import PAGED, PageIn, keyset_page, page_schema

router = Router(tags=["clinical"], auth=BearerToken())


@router.get(
    "/patients/{patient_id}/screening",
    response={200: ScreeningOut, 404: ErrorOut},
    summary="The safety screen of the stored medication list, conditions and planned surgery",
)
def get_screening(request: HttpRequest, patient_id: ObjectId) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "clinical.view")
    return ScreeningOut.from_result(screen_patient(patient))


@router.get(
    "/patients/{patient_id}/prescriptions",
    response={200: page_schema(PrescriptionOut), 400: ErrorOut, 404: ErrorOut},
    summary="A patient's prescriptions, newest first (pharmacists: only those routed to them)",
    description=PAGED,
)
def list_prescriptions(
    request: HttpRequest, patient_id: ObjectId, page: Query[PageIn]
) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "prescriptions.view")
    rows = visible_prescriptions(cast(User, request.user), "prescriptions.view", patient)
    found, link = keyset_page(request, rows.select_related("pharmacy"), page)
    return {"items": [PrescriptionOut.from_row(rx) for rx in found], "next": link}


@router.get(
    "/patients/{patient_id}/prescriptions/{prescription_id}/plan.ics",
    response={404: ErrorOut},
    summary="The plan as an iCalendar file (RFC 5545), the same file as the page's download",
    description="One event per dose at the patient's local time with a reminder. An adjusted "
    "plan keeps the UIDs of the plan it adjusts, raises SEQUENCE on the doses that changed and "
    "cancels (STATUS:CANCELLED) the doses it drops, so importing it corrects a calendar that "
    "holds the earlier plan (docs/calendar.md). Patient (own, signed or dispensed plans only), "
    "the clinicians of their care team (a draft's file says DRAFT and has no reminders), and "
    "the pharmacist the prescription is routed to; recorded in the audit log as "
    "`prescriptions.view`, like the page's download.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The iCalendar file, as an attachment.",
                "content": {CALENDAR_TYPE.split(";")[0]: {"schema": {"type": "string"}}},
            }
        }
    },
)
def plan_calendar(
    request: HttpRequest, patient_id: ObjectId, prescription_id: ObjectId
) -> HttpResponse:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.view")
    return calendar_response(rx)


@router.post(
    "/patients/{patient_id}/prescriptions/{prescription_id}/sign",
    response={
        200: PrescriptionOut,
        400: ErrorOut,
        404: ErrorOut,
        409: SignRefusedOut,
    },
    summary="Sign a draft and route it to a pharmacy; 409 when the screen finds a contraindication",
)
def sign(
    request: HttpRequest, patient_id: ObjectId, prescription_id: ObjectId, payload: SignIn
) -> Status[dict[str, object]]:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.sign")
    # A hard stop of the screen is answered 409 with the screen by config.api.on_domain_error.
    sign_prescription(
        Actor.from_request(request),
        rx,
        pharmacy_id=payload.pharmacy_id,
        consent=payload.consent,
        caution_reason=payload.caution_reason,
    )
    return Status(200, PrescriptionOut.from_row(rx))


@router.post(
    "/patients/{patient_id}/screening/resolutions",
    response={200: ScreeningOut, 400: ErrorOut, 404: ErrorOut},
    summary="Settle an entry the screen could not identify (clinician, or the pharmacist holding "
    "the prescription or kits); answers the new screen",
)
def resolve(request: HttpRequest, patient_id: ObjectId, payload: ResolutionIn) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "screening.resolve")
    resolution = actions.resolution_from(payload.kind, payload.ingredients, payload.reason)
    result = actions.resolve_entry(
        Actor.from_request(request), patient, text=payload.text, resolution=resolution
    )
    return ScreeningOut.from_result(result)


def _medication(patient_id: int, medication_id: int) -> Medication:
    med = Medication.objects.listed().filter(pk=medication_id, patient_id=patient_id).first()
    if med is None:
        raise Http404("No such medication.")
    return med


@router.get(
    "/patients/{patient_id}/medications",
    response={200: page_schema(MedicationOut), 400: ErrorOut, 404: ErrorOut},
    summary="The patient's medication list (current and stopped), with each entry's history",
    description=PAGED,
)
def list_medications(
    request: HttpRequest, patient_id: ObjectId, page: Query[PageIn]
) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "clinical.view")
    found, link = keyset_page(request, patient.medications.listed(), page)
    return {"items": [MedicationOut.from_row(m) for m in found], "next": link}


@router.post(
    "/patients/{patient_id}/medications",
    response={201: MedicationScreenOut, 400: ErrorOut, 404: ErrorOut},
    summary="Add a medicine; answers the stored entry and the new safety screen",
)
def add_medication(
    request: HttpRequest, patient_id: ObjectId, payload: MedicationIn
) -> Status[dict[str, object]]:
    patient = get_patient_for_user(request, patient_id, "clinical.edit")
    entry = actions.MedicationEntry(
        payload.name, payload.status, payload.last_dose, patient_today(patient)
    )
    med, result = actions.add_medication(Actor.from_request(request), patient, entry)
    return Status(
        201,
        {"medication": MedicationOut.from_row(med), "screening": ScreeningOut.from_result(result)},
    )


@router.patch(
    "/patients/{patient_id}/medications/{medication_id}",
    response={200: MedicationScreenOut, 400: ErrorOut, 404: ErrorOut},
    summary="Correct an entry (name, status, last dose) or record a stop; the old values are "
    "kept in its history. A correction (not a stop) needs a reason.",
)
def correct_medication(
    request: HttpRequest, patient_id: ObjectId, medication_id: ObjectId, payload: MedicationPatch
) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "clinical.edit")
    med = _medication(patient.pk, medication_id)
    given = payload.model_dump(exclude_unset=True)
    entry = actions.MedicationEntry(
        given.get("name") or med.name,
        given.get("status") or med.status,  # type: ignore[arg-type]
        given.get("last_dose", med.last_dose),
        patient_today(patient),
    )
    med, result = actions.correct_medication(
        Actor.from_request(request), patient, med, entry, reason=payload.reason
    )
    return {
        "medication": MedicationOut.from_row(med),
        "screening": ScreeningOut.from_result(result),
    }


@router.delete(
    "/patients/{patient_id}/medications/{medication_id}",
    response={200: ScreeningOut, 404: ErrorOut},
    summary="Remove an entry made in error (kept, with its history, in the record); answers the "
    "new safety screen",
)
def remove_medication(
    request: HttpRequest, patient_id: ObjectId, medication_id: ObjectId
) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "clinical.edit")
    med = _medication(patient.pk, medication_id)
    result = actions.remove_medication(Actor.from_request(request), patient, med)
    return ScreeningOut.from_result(result)


@router.post(
    "/patients/{patient_id}/assessments",
    response={201: AssessmentOut, 400: ErrorOut, 404: ErrorOut},
    summary="Complete a questionnaire; a self-harm answer returns crisis resources and alerts "
    "the care team at once",
)
def complete(
    request: HttpRequest, patient_id: ObjectId, payload: AssessmentIn
) -> Status[dict[str, object]]:
    patient = get_patient_for_user(request, patient_id, "assessments.complete")
    row, crisis = complete_assessment(
        Actor.from_request(request), patient, payload.instrument, dict(payload.answers)
    )
    return Status(201, _assessment_out(row, crisis))


def _assessment_out(row: AssessmentResult, crisis: Crisis | None) -> dict[str, object]:
    """A stored result as the API answers it (:class:`AssessmentOut`)."""
    return {
        "id": row.pk,
        "instrument": row.instrument,
        "total": row.result["total"],
        "band": row.band or None,
        "interpretation": row.interpretation,
        "flags": row.result.get("flags", []),
        "crisis": None if crisis is None else crisis.to_dict(),
        "corrections": len(row.history),
    }


@router.patch(
    "/patients/{patient_id}/assessments/{result_id}",
    response={200: AssessmentOut, 400: ErrorOut, 404: ErrorOut},
    summary="Correct the answers a clinician entered for the patient (with a reason): scored "
    "again, the earlier answers and score kept in the result's history. The patient's own "
    "answers are refused (400).",
)
def correct(
    request: HttpRequest, patient_id: ObjectId, result_id: ObjectId, payload: AssessmentCorrectionIn
) -> dict[str, object]:
    patient = get_patient_for_user(request, patient_id, "assessments.correct")
    row = patient.assessment_results.filter(pk=result_id).first()
    if row is None:
        raise Http404("No such result.")
    row, crisis = correct_assessment(
        Actor.from_request(request), patient, row, dict(payload.answers), reason=payload.reason
    )
    return _assessment_out(row, crisis)
