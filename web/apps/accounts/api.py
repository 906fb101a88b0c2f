from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from typing import cast

from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest
from django.utils import timezone
from django_otp import user_has_device
from ninja import Field, Query, Router, Schema, Status

from apps.accounts.actions import issue_api_token, revoke_api_token
from apps.accounts.auth import BearerToken, current_token
from apps.accounts.models import ApiToken, Patient, User
from apps.accounts.throttle import retry_after
from apps.accounts.two_factor import two_factor_required, verify_code
from apps.audit.actor import Actor
from apps.audit.log import record_as
from config.api_input import BodyIn, ErrorOut, ObjectId
from config.keyset import PAGED, PageIn, keyset_page, page_schema
from lowdose.errors import InputError

router = Router(tags=["accounts"])


class TokenIn(BodyIn):
    username: str
    password: str
    code: str | None = Field(
        None,
        description="The 6-digit code of your authenticator app (or a recovery code): required "
        "for clinicians, pharmacists, clinic admins and patients who turned two-factor on.",
    )
    label: str = Field("", max_length=100, description="What the token is for, e.g. 'phone'.")


class TokenOut(Schema):
    token: str
    expires_at: datetime


class TokenInfoOut(Schema):
    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    current: bool = Field(description="The token this request was sent with.")


class MeOut(Schema):
    id: int
    username: str
    role: str
    patient_id: int | None = None


@router.post(
    "/auth/token",
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Exchange a username and password (and a two-factor code) for a bearer token",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    # Rate limits are checked inside authenticate(), before the password is hashed.
    user = authenticate(request, username=payload.username, password=payload.password)
    wait = retry_after(request)
    if wait is not None:
        record_as(Actor.from_request(request), "api.token.issue", outcome="denied")
        minutes = max(1, math.ceil(wait / 60))
        return Status(
            429,
            {
                "detail": f"Too many failed logins; wait {minutes} minute{'s' * (minutes > 1)} "
                "or ask your clinic admin."
            },
        )
    if not isinstance(user, User):
        record_as(Actor.from_request(request), "api.token.issue", outcome="denied")
        return Status(401, {"detail": "Wrong username or password."})
    if two_factor_required(user):
        denied = replace(Actor.from_request(request), user=user, clinic_id=user.clinic_id)
        if not user_has_device(user):
            record_as(denied, "api.token.issue", outcome="denied")
            return Status(
                403,
                {
                    "detail": "Two-factor authentication is required for your login: log in on "
                    "the website once to set up an authenticator app."
                },
            )
        if verify_code(user, payload.code or "") is None:
            record_as(denied, "api.token.issue", outcome="denied")
            return Status(
                401,
                {
                    "detail": "Send the 6-digit code of your authenticator app (or a recovery "
                    "code) as 'code'."
                },
            )
    raw, token = issue_api_token(Actor.from_request(request), user, label=payload.label)
    return Status(200, {"token": raw, "expires_at": token.expires_at})


@router.get(
    "/auth/tokens",
    response={200: page_schema(TokenInfoOut), 400: ErrorOut},
    auth=BearerToken(),
    summary="Your API tokens that have not expired (never the secrets), newest first",
    description=PAGED,
)
def list_tokens(request: HttpRequest, page: Query[PageIn]) -> dict[str, object]:
    user = cast(User, request.user)
    in_use = current_token(request)
    rows = ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())
    found, link = keyset_page(request, rows.order_by("-created_at", "-pk"), page)
    items = [
        {
            "id": t.pk,
            "label": t.label,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "current": in_use is not None and t.pk == in_use.pk,
        }
        for t in found
    ]
    return {"items": items, "next": link}


@router.delete(
    "/auth/tokens/{token_id}",
    response={204: None, 404: ErrorOut},
    auth=BearerToken(),
    summary="Revoke one of your API tokens",
)
def revoke_token(request: HttpRequest, token_id: ObjectId) -> Status[None]:
    user = cast(User, request.user)
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    revoke_api_token(Actor.from_request(request), token)
    return Status(204, None)


@router.delete(
    "/auth/token",
    response={204: None},
    auth=BearerToken(),
    summary="Revoke the token this request was sent with (log out of the API)",
)
def revoke_current_token(request: HttpRequest) -> Status[None]:
    token = current_token(request)
    if token is None:  # pragma: no cover - BearerToken always sets it
        raise InputError("Send the token to revoke as 'Authorization: Bearer <token>'.")
    revoke_api_token(Actor.from_request(request), token)
    return Status(204, None)


@router.get("/me", response=MeOut, auth=BearerToken(), summary="Who the token belongs to")
def me(request: HttpRequest) -> dict[str, object]:
    user = cast(User, request.user)
    patient = Patient.objects.filter(user=user).only("pk").first() if user.is_patient else None
    return {
        "id": user.pk,
        "username": user.username,
        "role": user.role,
        "patient_id": patient.pk if patient else None,
    }
