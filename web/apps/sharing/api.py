"""Share links for the patient's bearer token: ``/api/v1/patients/{patient_id}/share-links``."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from apps.accounts.access import get_patient_for_user
from apps.accounts.auth import BearerToken
from apps.audit.actor import Actor
from apps.sharing import links
from apps.sharing.access import get_link_for_user
from apps.sharing.actions import create_share_link, revoke_link
from apps.sharing.models import ShareLink
from apps.sharing.views import DEFAULT_HOURS, share_urls
from config.api_input import BodyIn, ErrorOut, ObjectId

router = Router(tags=["share links"], auth=BearerToken())


class ShareLinkIn(BodyIn):
    expires_in_hours: int = Field(
        DEFAULT_HOURS,
        ge=links.MIN_HOURS,
        le=links.MAX_HOURS,
        description="How long the link works, in hours: 1 to 720 (30 days); default 168 (7 days).",
    )
    passcode: str = Field(
        "",
        max_length=100,
        description=f"The passcode the receiver must type (at least {links.PASSCODE_MIN_LENGTH} "
        "characters); left empty, one is generated and returned once.",
    )
    label: str = Field("", max_length=80, description="What the receiver sees the link called.")


class OpeningOut(Schema):
    at: datetime
    recipient: str = Field(description="The name the opener typed.")
    outcome: str = Field(
        description="`opened`, `wrong_passcode`, or refused: `locked`, `expired`, `revoked`."
    )


class ShareLinkOut(Schema):
    id: int
    label: str
    audience: str = Field(description="The version of the visit report the link opens.")
    created_at: datetime
    expires_at: datetime
    status: str = Field(description="`active`, `expired`, `revoked` or `locked`.")
    failed_attempts: int
    openings: list[OpeningOut]

    @staticmethod
    def from_row(row: ShareLink) -> ShareLinkOut:
        return ShareLinkOut(
            id=row.pk,
            label=row.label,
            audience=row.audience,
            created_at=row.created_at,
            expires_at=row.expires_at,
            status=row.state(),
            failed_attempts=row.failed_attempts,
            openings=[
                OpeningOut(at=o.at, recipient=o.recipient, outcome=o.outcome)
                for o in row.openings.all()
            ],
        )


class CreatedOut(ShareLinkOut):
    shlink: str = Field(description="The `shlink:/…` text (SMART Health Links), shown only now.")
    viewer_url: str = Field(description="This server's viewer page with the link in its fragment.")
    passcode: str = Field(description="The passcode (the chosen one, or the one generated).")
    passcode_generated: bool


@router.post(
    "/patients/{patient_id}/share-links",
    response={201: CreatedOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Share the visit report with another doctor: a new SMART Health Link (patient only)",
    description="Encrypts the care team's version of the visit report under a new key and "
    "answers the link (`shlink`, `viewer_url`) and the passcode. The key, the link and the "
    "passcode are not kept by the server and are answered only here. docs/sharing.md.",
)
def create_link(
    request: HttpRequest, patient_id: ObjectId, body: ShareLinkIn
) -> Status[CreatedOut]:
    patient = get_patient_for_user(request, patient_id, "sharing.manage")
    created = create_share_link(
        Actor.from_request(request),
        patient,
        expires_in_hours=body.expires_in_hours,
        passcode=body.passcode,
        label=body.label,
    )
    base = ShareLinkOut.from_row(created.link)
    urls = share_urls(request, created)
    return Status(
        201,
        CreatedOut(
            **base.model_dump(),
            shlink=urls["shlink"],
            viewer_url=urls["viewer_url"],
            passcode=created.passcode,
            passcode_generated=created.passcode_generated,
        ),
    )


@router.get(
    "/patients/{patient_id}/share-links",
    response={200: list[ShareLinkOut], 404: ErrorOut},
    summary="The patient's share links, newest first, with every attempt to open each",
)
def list_links(request: HttpRequest, patient_id: ObjectId) -> list[ShareLinkOut]:
    patient = get_patient_for_user(request, patient_id, "sharing.manage")
    rows = ShareLink.objects.filter(patient=patient).prefetch_related("openings")
    return [ShareLinkOut.from_row(row) for row in rows]


@router.delete(
    "/patients/{patient_id}/share-links/{link_id}",
    response={204: None, 404: ErrorOut},
    summary="Withdraw a share link at once (its encrypted copy is deleted); another patient's "
    "link is a 404",
)
def delete_link(request: HttpRequest, patient_id: ObjectId, link_id: ObjectId) -> Status[None]:
    patient = get_patient_for_user(request, patient_id, "sharing.manage")
    revoke_link(Actor.from_request(request), get_link_for_user(request, patient, link_id))
    return Status(204, None)
