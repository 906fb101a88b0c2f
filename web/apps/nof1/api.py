from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router

from apps.accounts.access import get_patient_for_user
from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.nof1.access import get_trial_for_user
from apps.nof1.models import Nof1Trial
from apps.nof1.queries import kit_rows
from apps.nof1.schemas import KitOut, TrialOut
from config.api_input import ErrorOut, ObjectId
from config.keyset import PageIn, keyset_page, page_schema

router = Router(tags=["N-of-1 trials"], auth=BearerToken())


@router.get(
    "/patients/{patient_id}/nof1",
    response={200: page_schema(TrialOut), 400: ErrorOut, 404: ErrorOut},
    summary=(
        "A patient's N-of-1 trials, blinded (kit codes, never arms) until unblinded, with each "
        "trial's state and what happens next"
    ),
)
def list_trials(request: HttpRequest, patient_id: ObjectId, page: Query[PageIn]) -> dict[str, Any]:
    patient = get_patient_for_user(request, patient_id, "nof1.view")
    viewer = cast(User, request.user)
    trials = Nof1Trial.objects.filter(patient=patient).select_related("patient")
    found, link = keyset_page(request, trials, page)
    return {"items": [TrialOut.from_trial(t, viewer) for t in found], "next": link}


@router.get(
    "/nof1/{trial_id}/kits",
    response={200: list[KitOut], 404: ErrorOut},
    summary="The allocation list of a trial (the pharmacy preparing its kits only)",
)
def trial_kits(request: HttpRequest, trial_id: ObjectId) -> list[dict[str, Any]]:
    trial = get_trial_for_user(request, trial_id, "nof1.kits")
    return kit_rows(trial)
