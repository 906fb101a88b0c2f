"""Evidence API: the living summary (any logged-in user) and adding a trial (clinicians and
clinic admins; everyone else gets 404, as for any route they may not use)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from apps.accounts.auth import BearerToken
from apps.accounts.models import Role, User
from apps.audit.actor import Actor
from apps.evidence.actions import add_trial
from apps.evidence.queries import summary_for
from apps.evidence.records import validate_trial
from apps.evidence.schemas import SummaryOut, TrialIn, TrialOut
from config.api_input import ErrorOut

router = Router(tags=["evidence"], auth=BearerToken())

#: Roles that may add a trial to the evidence base.
CURATORS = (Role.CLINICIAN, Role.ADMIN)


class SummaryQuery(Schema):
    outcome: str = "pain"


@router.get(
    "/evidence/summary",
    response={200: SummaryOut, 400: ErrorOut},
    summary="The living summary of one outcome (shipped trials plus clinician-added ones)",
)
def evidence_summary(request: HttpRequest, query: Query[SummaryQuery]) -> dict[str, Any]:
    return summary_for(request, query.outcome).to_dict()


@router.post(
    "/evidence/trials",
    response={201: TrialOut, 400: ErrorOut, 404: ErrorOut},
    summary="Add a trial and its outcome numbers; every summary includes it from the next request",
)
def create_trial(request: HttpRequest, payload: TrialIn) -> Status[dict[str, Any]]:
    user = request.user
    if not isinstance(user, User) or user.role not in CURATORS:
        raise Http404("Not found.")
    data = payload.dict()
    effects = data.pop("effects")
    trial = add_trial(Actor.from_request(request), validate_trial(data, effects))
    return Status(
        201,
        {
            **{f: getattr(trial, f) for f in TrialOut.model_fields if f != "effects"},
            "effects": list(
                trial.effects.values(
                    "outcome",
                    "measure",
                    "yi",
                    "vi",
                    "derived",
                    "how",
                    "reported_what",
                    "reported_value",
                )
            ),
        },
    )
