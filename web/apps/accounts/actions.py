"""Writes to accounts: inviting a patient, accepting an invitation, issuing API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import ApiToken, CareTeam, Invitation, Patient, Role, User
from apps.audit.log import record
from lowdose.errors import InputError

__all__ = [
    "IssuedInvitation",
    "accept_invitation",
    "invite_patient",
    "issue_api_token",
    "set_time_zone",
]


@dataclass(frozen=True)
class IssuedInvitation:
    patient: Patient
    invitation: Invitation
    token: str  # shown once, never stored


def invite_patient(
    request: HttpRequest, *, clinician: User, care_team: CareTeam, display_name: str
) -> IssuedInvitation:
    """Create a patient on one of the clinician's care teams with a one-time invitation link."""
    name = display_name.strip()
    if not name or len(name) > 200:
        raise InputError("Enter the patient's name (up to 200 characters).", field="display_name")
    if not care_team.clinicians.filter(pk=clinician.pk).exists():
        raise InputError("Choose one of your own care teams.", field="care_team")
    raw, digest = Invitation.new_token()
    with transaction.atomic():
        patient = Patient.objects.create(
            clinic=care_team.clinic, care_team=care_team, display_name=name
        )
        invitation = Invitation.objects.create(
            patient=patient,
            token_hash=digest,
            created_by=clinician,
            expires_at=timezone.now() + settings.INVITATION_TTL,
        )
        record(request, "patient.invite", patient_id=patient.pk, obj=invitation)
    return IssuedInvitation(patient, invitation, raw)


def find_invitation(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("patient")
        .filter(token_hash=Invitation.hash(token))
        .first()
    )
    return invitation if invitation and invitation.is_usable() else None


def accept_invitation(
    request: HttpRequest, *, token: str, username: str, password: str, email: str = ""
) -> User:
    """Create the patient's login from a valid, unused invitation; the link then stops working."""
    username = username.strip()
    if not username:
        raise InputError("Choose a username.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise InputError("That username is taken; choose another.", field="username")
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("patient")
            .filter(token_hash=Invitation.hash(token))
            .first()
        )
        if invitation is None or not invitation.is_usable():
            raise InputError(
                "This invitation link has expired or was already used; "
                "ask your clinic for a new one.",
                field="token",
            )
        candidate = User(username=username, email=email, role=Role.PATIENT)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise InputError(" ".join(exc.messages), field="password") from None
        candidate.clinic = invitation.patient.clinic
        candidate.set_password(password)
        candidate.save()
        patient = invitation.patient
        patient.user = candidate
        patient.save(update_fields=["user"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        record(request, "patient.invite.accept", patient_id=patient.pk, actor=candidate)
    return candidate


def issue_api_token(request: HttpRequest, user: User) -> tuple[str, ApiToken]:
    raw, digest = ApiToken.new_token()
    with transaction.atomic():  # the token and its audit event commit together
        token = ApiToken.objects.create(
            user=user, key_hash=digest, expires_at=timezone.now() + settings.API_TOKEN_TTL
        )
        record(request, "api.token.issue", actor=user)
    return raw, token


def set_time_zone(request: HttpRequest, patient: Patient, name: str) -> None:
    """Set the patient's time zone: it decides which calendar day each check-in belongs to."""
    name = name.strip()
    if name not in available_timezones():
        raise InputError(
            f"time_zone: {name!r} is not a time zone lowdose knows; choose one from the list "
            "(e.g. Europe/London, America/New_York).",
            field="time_zone",
        )
    previous = patient.time_zone
    patient.time_zone = name
    with transaction.atomic():  # the change and its audit event commit together
        patient.save(update_fields=["time_zone"])
        record(
            request,
            "patient.settings",
            patient_id=patient.pk,
            obj=patient,
            detail={"time_zone": {"from": previous, "to": name}},
        )
