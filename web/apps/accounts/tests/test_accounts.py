"""Invitations, lockout, password hashing, security headers, and the health check."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from apps.accounts.models import CareTeam, Invitation, Patient, User
from apps.audit.models import AuditEvent


def test_a_clinician_invites_a_patient_who_then_creates_a_login_once(
    client_for: Callable[[User | None], Client], clinician: User, team: CareTeam
) -> None:
    page = (
        client_for(clinician)
        .post("/invite/new/", {"display_name": "Jo Bloggs", "care_team": team.pk})
        .content.decode()
    )
    link = re.search(r'id="invite-link">(http://testserver/invite/[^<]+/)<', page)
    assert link is not None
    path = link.group(1).removeprefix("http://testserver")
    newcomer = Client()
    response = newcomer.post(path, {"username": "jo", "password": "a-long-passphrase-42"})
    assert response.status_code == 302
    patient = Patient.objects.get(display_name="Jo Bloggs")
    assert patient.user is not None
    assert patient.user.username == "jo"
    assert patient.care_team == team
    assert Client().get(path).status_code == 404  # the link works once
    assert AuditEvent.objects.filter(action="patient.invite.accept", patient_id=patient.pk).exists()
    assert Invitation.objects.get().token_hash not in path  # only the hash is stored


def test_a_clinician_cannot_invite_onto_another_team(
    client_for: Callable[[User | None], Client], clinician: User, other_team: CareTeam
) -> None:
    response = client_for(clinician).post(
        "/invite/new/", {"display_name": "X", "care_team": other_team.pk}
    )
    assert response.status_code == 400
    assert Patient.objects.count() == 0


def test_a_weak_password_is_refused_with_the_reason(
    client_for: Callable[[User | None], Client], clinician: User, team: CareTeam
) -> None:
    page = (
        client_for(clinician)
        .post("/invite/new/", {"display_name": "Jo", "care_team": team.pk})
        .content.decode()
    )
    path = re.search(r"http://testserver(/invite/[^<]+/)<", page).group(1)  # type: ignore[union-attr]
    response = Client().post(path, {"username": "jo", "password": "123"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="jo").exists()


def test_repeated_failed_logins_lock_the_account(patient: Patient) -> None:
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS):
        client.post("/accounts/login/", {"username": "patient", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "patient", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    api = Client().post(
        "/api/v1/auth/token",
        {"username": "patient", "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429


def test_a_correct_login_works_before_the_limit(patient: Patient) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "patient", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "patient", "password": PASSWORD})
    assert response.status_code == 302


def test_passwords_are_hashed_with_argon2_by_default(settings: Any, patient: Patient) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    from config import settings as real_settings

    assert real_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = User.objects.get(username="patient")
    user.set_password("another-long-passphrase")
    assert identify_hasher(user.password).algorithm == "argon2"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_safe_headers() -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_and_csrf_cookies_are_secure_and_debug_is_off_by_default() -> None:
    from config import settings as real_settings

    assert real_settings.SESSION_COOKIE_HTTPONLY is True
    assert real_settings.SESSION_COOKIE_SECURE is True  # LOWDOSE_HTTPS defaults to 1
    assert real_settings.CSRF_COOKIE_SECURE is True
    assert real_settings.DEBUG is False


@pytest.mark.django_db
def test_health_reports_the_database() -> None:
    assert Client().get("/health").json() == {"status": "ok", "database": "ok"}


def test_a_patient_sets_their_time_zone_and_a_bad_one_changes_nothing(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    client = client_for(patient.user)
    bad = client.post(f"/patients/{patient.pk}/settings/", {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "Time zone: “Mars/Olympus” is not one lowdose knows" in bad.content.decode()
    patient.refresh_from_db()
    assert patient.time_zone == "Europe/London"
    client.post(f"/patients/{patient.pk}/settings/", {"time_zone": "America/New_York"})
    patient.refresh_from_db()
    assert patient.time_zone == "America/New_York"
    event = AuditEvent.objects.filter(action="patient.settings", detail__isnull=False).get()
    assert event.detail == {"time_zone": {"from": "Europe/London", "to": "America/New_York"}}
