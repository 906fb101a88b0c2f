"""The research export for a clinic admin's API token."""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from apps.accounts.access import audit_access, request_actor
from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.research.export import research_export
from config.api_input import ErrorOut
from config.downloads import ZIP, attachment

router = Router(tags=["research"], auth=BearerToken())


@router.post(
    "/research-export",
    response={200: bytes, 404: ErrorOut},
    summary="The clinic's de-identified research export, as a ZIP (clinic admins)",
    description="A new archive each call: random study ids and per-patient date shifts are drawn "
    "afresh, so two exports cannot be joined. Only patients who said yes to research use are "
    "in it. Answers `application/zip`; anyone but a clinic admin gets 404. See "
    "docs/research-export.md.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The archive",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_archive(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_clinic_admin:
        audit_access(
            request_actor(request, user), "research.export", allowed=False, patient_id=None
        )
        raise Http404("No such export.")
    made = research_export(Actor.from_request(request), user)
    return attachment(made.data, ZIP, made.filename)
