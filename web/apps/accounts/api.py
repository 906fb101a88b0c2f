from __future__ import annotations

from datetime import datetime
from typing import cast

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema, Status

from apps.accounts.actions import issue_api_token
from apps.accounts.auth import BearerToken
from apps.accounts.models import Patient, User
from apps.audit.log import record

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ErrorOut(Schema):
    detail: str


class MeOut(Schema):
    id: int
    username: str
    role: str
    patient_id: int | None = None


@router.post(
    "/auth/token",
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Exchange a username and password for a bearer token",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        record(request, "api.token.issue", outcome="denied")
        return Status(
            429, {"detail": "Too many failed logins; wait 15 minutes or ask your clinic admin."}
        )
    if user is None:
        record(request, "api.token.issue", outcome="denied")
        return Status(401, {"detail": "Wrong username or password."})
    raw, token = issue_api_token(request, user)
    return Status(200, {"token": raw, "expires_at": token.expires_at})


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
