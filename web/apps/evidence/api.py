"""Evidence API: the living summary (any logged-in user), adding a trial and reviewing another
person's (clinicians and clinic admins; everyone else gets 404, as for any route they may not
use). An added trial is a draft: it enters the summaries once a second person approves it."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from apps.accounts.auth import BearerToken
from apps.accounts.models import Role, User
from apps.audit.actor import Actor
from apps.evidence.access import get_draft_for_reviewer, may_review, reviewable_drafts
from apps.evidence.actions import add_trial, review_trial
from apps.evidence.models import StoredTrial
from apps.evidence.queries import summary_for
from apps.evidence.records import validate_trial
from apps.evidence.schemas import ReviewIn, SummaryOut, TrialIn, TrialOut
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


def _trial_out(trial: StoredTrial) -> dict[str, Any]:
    return {
        **{f: getattr(trial, f) for f in TrialOut.model_fields if f in _PLAIN},
        "reviewed_by": trial.reviewed_by.username if trial.reviewed_by else None,
        "reviewed_at": trial.reviewed_at.isoformat() if trial.reviewed_at else None,
        "provenance": prov.to_dict() if (prov := trial.provenance()) else None,
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
    }


_PLAIN = (
    *("trial_id", "label", "year", "kind", "n", "dose", "citation"),
    *("doi", "pmid", "registry_id", "url"),
    *("review", "review_note", "review_change"),
)


def _curator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in CURATORS:
        raise Http404("Not found.")
    return user


@router.post(
    "/evidence/trials",
    response={201: TrialOut, 400: ErrorOut, 404: ErrorOut},
    summary="Add a trial and its outcome numbers, as a draft until a second person approves it",
)
def create_trial(request: HttpRequest, payload: TrialIn) -> Status[dict[str, Any]]:
    _curator(request)
    data = payload.dict()
    effects = data.pop("effects")
    trial = add_trial(Actor.from_request(request), validate_trial(data, effects))
    return Status(201, _trial_out(trial))


@router.get(
    "/evidence/review",
    response={200: list[TrialOut], 404: ErrorOut},
    summary="The drafts waiting for your review (added by someone else of your clinic)",
)
def waiting_for_review(request: HttpRequest) -> list[dict[str, Any]]:
    user = _curator(request)
    if not may_review(user):
        return []
    return [_trial_out(t) for t in reviewable_drafts(user).select_related("reviewed_by")]


@router.post(
    "/evidence/trials/{trial_id}/review",
    response={200: TrialOut, 400: ErrorOut, 404: ErrorOut},
    summary="Approve or reject another person's draft with a note (approving adds it to summaries)",
)
def review_draft(request: HttpRequest, trial_id: str, payload: ReviewIn) -> dict[str, Any]:
    user = _curator(request)
    trial = get_draft_for_reviewer(user, trial_id=trial_id)
    done = review_trial(Actor.from_request(request), trial, payload.decision, payload.note)
    return _trial_out(done)
