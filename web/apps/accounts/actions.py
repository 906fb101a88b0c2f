"""Writes to accounts: the clinic's set-up (clinic, staff accounts, care teams, patients,
pharmacies), invitations, API tokens (issue, revoke, prune), two-factor enrolment.

The set-up actions take an :class:`~apps.audit.actor.Actor` and typed values, own their
transaction and write their audit event in it, as every other action does; the demo loader
builds its clinic through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.housekeeping import prune_expired_api_tokens
from apps.accounts.models import (
    ApiToken,
    CareTeam,
    Clinic,
    Invitation,
    Patient,
    Pharmacy,
    Role,
    User,
)
from apps.audit.actor import Actor
from apps.audit.log import record_as
from lowdose.errors import InputError

__all__ = [
    "IssuedInvitation",
    "NewAccount",
    "accept_invitation",
    "add_patient",
    "confirm_totp_enrolment",
    "create_account",
    "create_care_team",
    "invite_patient",
    "issue_api_token",
    "new_recovery_codes",
    "open_clinic",
    "register_pharmacy",
    "revoke_api_token",
    "start_totp_enrolment",
    "turn_off_two_factor",
    "update_patient_settings",
]


def _name(text: str, field: str, what: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > 200:
        raise InputError(f"Enter the {what} (up to 200 characters).", field=field)
    return name


def open_clinic(actor: Actor, name: str) -> Clinic:
    """A new clinic; a name already taken is refused."""
    name = _name(name, "name", "clinic's name")
    if Clinic.objects.filter(name=name).exists():
        raise InputError("A clinic of that name exists already.", field="name")
    with transaction.atomic():
        clinic = Clinic.objects.create(name=name)
        record_as(actor, "clinic.create", obj=clinic, clinic_id=clinic.pk)
    return clinic


@dataclass(frozen=True, slots=True)
class NewAccount:
    """A staff or patient login to create: who, which role, the first password.

    ``mfa_exempt`` is for the demo's logins only (:attr:`User.mfa_exempt`); ``admin_site`` gives
    a clinic admin Django's admin site (staff and superuser).
    """

    username: str
    role: str
    password: str
    first_name: str = ""
    last_name: str = ""
    mfa_exempt: bool = False
    admin_site: bool = False


def create_account(actor: Actor, clinic: Clinic, account: NewAccount) -> User:
    """Create a login in ``clinic``; the password passes Django's validators, the username is
    free (case-insensitively) and the role is one lowdose knows. Audited as ``account.create``
    (the password never reaches the log)."""
    username = account.username.strip()
    if not username:
        raise InputError("Choose a username.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise InputError("That username is taken; choose another.", field="username")
    if account.role not in Role.values:
        raise InputError(f"Choose one of the roles: {', '.join(Role.values)}.", field="role")
    user = User(
        username=username,
        role=account.role,
        clinic=clinic,
        first_name=account.first_name,
        last_name=account.last_name,
        mfa_exempt=account.mfa_exempt,
        is_staff=account.admin_site,
        is_superuser=account.admin_site,
    )
    try:
        validate_password(account.password, user=user)
    except ValidationError as exc:
        raise InputError(" ".join(exc.messages), field="password") from None
    user.set_password(account.password)
    with transaction.atomic():
        user.save()
        record_as(
            actor,
            "account.create",
            obj=user,
            clinic_id=clinic.pk,
            detail={"username": username, "role": account.role},
        )
    return user


def create_care_team(
    actor: Actor, clinic: Clinic, name: str, clinicians: Sequence[User] = ()
) -> CareTeam:
    """A care team of ``clinic`` with these clinicians (each a clinician account)."""
    name = _name(name, "name", "care team's name")
    if CareTeam.objects.filter(clinic=clinic, name=name).exists():
        raise InputError("The clinic has a care team of that name already.", field="name")
    for person in clinicians:
        if person.role != Role.CLINICIAN:
            raise InputError(f"{person.get_username()} is not a clinician.", field="clinicians")
    with transaction.atomic():
        team = CareTeam.objects.create(clinic=clinic, name=name)
        team.clinicians.add(*clinicians)
        record_as(
            actor,
            "care_team.create",
            obj=team,
            clinic_id=clinic.pk,
            detail={"clinicians": [p.get_username() for p in clinicians]},
        )
    return team


def add_patient(
    actor: Actor, care_team: CareTeam, *, display_name: str, user: User | None = None
) -> Patient:
    """A patient on ``care_team``, with their login when they have one (``user``, a patient
    account not yet anyone's record); without one they are invited later
    (:func:`invite_patient` makes both at once)."""
    name = _name(display_name, "display_name", "patient's name")
    if user is not None and (
        user.role != Role.PATIENT or Patient.objects.filter(user=user).exists()
    ):
        raise InputError("That login is not a patient's, or already has a record.", field="user")
    with transaction.atomic():
        patient = Patient.objects.create(
            user=user, clinic=care_team.clinic, care_team=care_team, display_name=name
        )
        record_as(actor, "patient.create", patient_id=patient.pk, obj=patient)
    return patient


def register_pharmacy(
    actor: Actor, *, name: str, phone: str = "", pharmacists: Sequence[User] = ()
) -> Pharmacy:
    """A compounding pharmacy and its pharmacists (each a pharmacist account)."""
    name = _name(name, "name", "pharmacy's name")
    if Pharmacy.objects.filter(name=name).exists():
        raise InputError("A pharmacy of that name is registered already.", field="name")
    for person in pharmacists:
        if person.role != Role.PHARMACIST:
            raise InputError(f"{person.get_username()} is not a pharmacist.", field="pharmacists")
    with transaction.atomic():
        pharmacy = Pharmacy.objects.create(name=name, phone=phone.strip()[:40])
        pharmacy.pharmacists.add(*pharmacists)
        record_as(
            actor,
            "pharmacy.register",
            obj=pharmacy,
            detail={"pharmacists": [p.get_username() for p in pharmacists]},
        )
    return pharmacy


@dataclass(frozen=True)
class IssuedInvitation:
    patient: Patient
    invitation: Invitation
    token: str  # shown once, never stored


def invite_patient(actor: Actor, care_team: CareTeam, *, display_name: str) -> IssuedInvitation:
    """Create a patient on one of the acting clinician's care teams with a one-time invitation
    link."""
    name = display_name.strip()
    if not name or len(name) > 200:
        raise InputError("Enter the patient's name (up to 200 characters).", field="display_name")
    clinician = actor.user
    if clinician is None or not care_team.clinicians.filter(pk=clinician.pk).exists():
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
        record_as(actor, "patient.invite", patient_id=patient.pk, obj=invitation)
    return IssuedInvitation(patient, invitation, raw)


def find_invitation(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("patient")
        .filter(token_hash=Invitation.hash(token))
        .first()
    )
    return invitation if invitation and invitation.is_usable() else None


def accept_invitation(
    actor: Actor, *, token: str, username: str, password: str, email: str = ""
) -> User:
    """Create the patient's login from a valid, unused invitation; the link then stops working.

    ``actor`` is the visitor, not signed in yet; the audit event names the new login, from the
    visitor's address."""
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
        record_as(
            replace(actor, user=candidate, clinic_id=candidate.clinic_id),
            "patient.invite.accept",
            patient_id=patient.pk,
        )
    return candidate


def issue_api_token(actor: Actor, user: User, *, label: str = "") -> tuple[str, ApiToken]:
    """A new bearer token for ``user`` (shown once). Expired tokens are pruned first, and a user
    keeps at most ``API_TOKENS_PER_USER``: the oldest beyond that are revoked, so repeated logins
    through the API add no unbounded rows."""
    label = label.strip()
    if len(label) > 100:
        raise InputError("label: at most 100 characters.", field="label")
    raw, digest = ApiToken.new_token()
    now = timezone.now()
    with transaction.atomic():
        prune_expired_api_tokens(now=now, actor=actor)  # the housekeeping job, run early
        keep = settings.API_TOKENS_PER_USER - 1
        oldest = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")[keep:]
        ApiToken.objects.filter(pk__in=list(oldest.values_list("pk", flat=True))).delete()
        token = ApiToken.objects.create(
            user=user,
            key_hash=digest,
            label=label,
            created_at=now,
            expires_at=now + settings.API_TOKEN_TTL,
        )
        record_as(replace(actor, user=user, clinic_id=user.clinic_id), "api.token.issue", obj=token)
    return raw, token


def revoke_api_token(actor: Actor, token: ApiToken) -> None:
    """Revoke one of the actor's own tokens (the caller looked it up among theirs)."""
    with transaction.atomic():
        record_as(actor, "api.token.revoke", obj=token)
        token.delete()


def start_totp_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed authenticator of ``user`` (made once, so a reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def confirm_totp_enrolment(actor: Actor, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns fresh recovery codes (shown once).

    Raises :class:`InputError` when the code does not match.
    """
    user = actor.user
    if user is None or device.user_id != user.pk or device.confirmed:
        raise InputError("Start again from the two-factor page.", field="code")
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token("".join(code.split())):
            raise InputError(
                "That code did not match. Check the time on your phone and enter the code "
                "the app shows now.",
                field="code",
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        record_as(actor, "two_factor.enrol", obj=locked)
    device.confirmed = True
    return codes


def new_recovery_codes(actor: Actor) -> list[str]:
    """Replace the actor's recovery codes (the old ones stop working); returns the new ones."""
    user = actor.user
    if user is None or not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise InputError("Set up an authenticator app first.", field="code")
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        record_as(actor, "two_factor.recovery_codes")
    return codes


def turn_off_two_factor(actor: Actor) -> None:
    """A patient turns two-factor off (staff cannot: it is required of them)."""
    user = actor.user
    if user is None or not user.is_patient:
        raise InputError("Two-factor authentication is required for your role.", field="role")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record_as(actor, "two_factor.disable")


#: The longest medical record number kept (the column's width).
MRN_MAX = 64


def _mrn_problem(mrn: str) -> str | None:
    if len(mrn) > MRN_MAX:
        return f"Medical record number: at most {MRN_MAX} characters; check it against the EHR."
    if any(not c.isprintable() for c in mrn):
        return "Medical record number: letters, digits and punctuation only, on one line."
    return None


def update_patient_settings(
    actor: Actor, patient: Patient, *, time_zone: str, locale: str, mrn: str | None = None
) -> dict[str, dict[str, str]]:
    """Set the patient's time zone (which calendar day each check-in belongs to) and locale (how
    their pages write dates and times), and, when ``mrn`` is given (the clinician's form), the
    clinic's medical record number (it goes into the FHIR export). All are checked before
    anything changes, and every problem is named at once; the changes and their audit event
    commit together. Returns what changed (``{field: {"from": ..., "to": ...}}``)."""
    time_zone, locale = time_zone.strip(), locale.strip().lower()
    mrn = patient.mrn if mrn is None else mrn.strip()
    problems: list[tuple[str, str]] = []
    if time_zone not in available_timezones():
        problems.append(
            (
                "time_zone",
                (
                    f"Time zone: “{time_zone}” is not one lowdose knows; "
                    if time_zone
                    else "Time zone: "
                )
                + "choose one from the list (e.g. Europe/London, America/New_York).",
            )
        )
    if locale not in dict(settings.LANGUAGES):
        problems.append(("locale", "Dates and times: choose one of the ways in the list."))
    mrn_problem = _mrn_problem(mrn)
    if mrn_problem is not None:
        problems.append(("mrn", mrn_problem))
    if problems:
        raise InputError(
            " ".join(text for _, text in problems) + " Nothing was changed.", field=problems[0][0]
        )
    changes = {
        name: {"from": before, "to": after}
        for name, before, after in (
            ("time_zone", patient.time_zone, time_zone),
            ("locale", patient.locale, locale),
            ("mrn", patient.mrn, mrn),
        )
        if before != after
    }
    patient.time_zone, patient.locale, patient.mrn = time_zone, locale, mrn
    with transaction.atomic():  # the change and its audit event commit together
        patient.save(update_fields=["time_zone", "locale", "mrn"])
        record_as(actor, "patient.settings", patient_id=patient.pk, obj=patient, detail=changes)
    return changes
