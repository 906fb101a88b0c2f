"""Personas shared by every web test: patient, other_patient, clinician, other_clinician,
pharmacist, admin — one clinic, two care teams, one pharmacy."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import ApiToken, CareTeam, Clinic, Patient, Pharmacy, Role, User
from apps.accounts.two_factor import two_factor_required
from apps.audit.actor import Actor
from apps.checkins.actions import store_checkin
from lowdose.diary import Checkin as CoreCheckin

PASSWORD = "correct-horse-battery"  # noqa: S105 - test-only


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that check hashing itself re-enable it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _web_push_key() -> Iterator[None]:
    """Web Push on, with one throwaway VAPID key for the whole run, whichever database the tests
    use: a laptop generates its key in ``var/``, but with ``DATABASE_URL`` (``make test-postgres``)
    the settings leave push off unless a server key is given. Tests of the off state set the
    setting to "" themselves."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
        .strip()
    )
    with override_settings(VAPID_PRIVATE_KEY_PEM=pem):
        yield


@pytest.fixture(autouse=True, scope="session")
def _plain_http_test_client() -> Iterator[None]:
    """Django's test client and the browser tests' live server speak plain HTTP; production
    settings (``LOWDOSE_HTTPS=1``) redirect that to HTTPS. Every other HTTPS setting (Secure
    cookies, HSTS) stays as in production; ``test_hardening`` checks the redirect in a
    subprocess."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True, scope="session")
def _static_files_from_the_source_folders() -> Iterator[None]:
    """Pages link static files by their plain names, served from ``web/static`` (WhiteNoise's
    finders, the live server's static handler), so the tests need no ``collectstatic``.
    Production's hashed, compressed storage is checked in ``web/tests/test_static_files.py``."""
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": plain},
        },
        WHITENOISE_USE_FINDERS=True,
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _test_flush_steps_around_audit_triggers() -> Iterator[None]:
    """Let the test runner's flush empty the audit table; production's ``manage.py flush`` fails.

    The database refuses DELETE (SQLite) and TRUNCATE (PostgreSQL) of audit events, which is what
    ``flush`` runs; ``transaction=True`` tests flush every table after each test. Only here, the
    flush statements are wrapped: on PostgreSQL ``SET LOCAL session_replication_role = replica``
    (triggers do not fire for the rest of the flush's transaction; it needs a superuser, which
    the test cluster is and the application's role must not be), on SQLite the DELETE trigger is
    dropped and created again in the flush's transaction. The triggers stay in the schema.
    """
    from apps.audit.triggers import AUDIT_TABLE, SQLITE_NO_DELETE

    operations = type(connections["default"].ops)
    original = operations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = original(self, style, tables, **kwargs)
        if AUDIT_TABLE not in tables or not statements:
            return statements
        if self.connection.vendor == "postgresql":
            return ["SET LOCAL session_replication_role = replica", *statements]
        if self.connection.vendor == "sqlite":
            return ["DROP TRIGGER IF EXISTS audit_event_no_delete", *statements, SQLITE_NO_DELETE]
        return statements

    sql_flush.__wrapped__ = original  # type: ignore[attr-defined]  # what production runs
    operations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    operations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _background_jobs_run_at_once() -> Iterator[None]:
    """Django-Q2's synchronous mode: a job sent to the queue runs at once, in the caller's
    process and transaction, so no test needs a worker. (Django-Q2 reads ``Q_CLUSTER`` once, at
    import, into ``Conf``: overriding the setting would not reach it.)"""
    from django_q.conf import Conf

    original = Conf.SYNC
    Conf.SYNC = True
    yield
    Conf.SYNC = original


@pytest.fixture
def clinic(db: None) -> Clinic:
    return Clinic.objects.create(name="Test clinic")


@pytest.fixture
def team(clinic: Clinic) -> CareTeam:
    return CareTeam.objects.create(clinic=clinic, name="Team A")


@pytest.fixture
def other_team(clinic: Clinic) -> CareTeam:
    return CareTeam.objects.create(clinic=clinic, name="Team B")


def _user(username: str, role: str, clinic: Clinic) -> User:
    user = User(username=username, role=role, clinic=clinic)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def clinician(clinic: Clinic, team: CareTeam) -> User:
    user = _user("clinician", Role.CLINICIAN, clinic)
    team.clinicians.add(user)
    return user


@pytest.fixture
def other_clinician(clinic: Clinic, other_team: CareTeam) -> User:
    user = _user("other_clinician", Role.CLINICIAN, clinic)
    other_team.clinicians.add(user)
    return user


@pytest.fixture
def pharmacist(clinic: Clinic) -> User:
    user = _user("pharmacist", Role.PHARMACIST, clinic)
    Pharmacy.objects.create(name="Test pharmacy").pharmacists.add(user)
    return user


@pytest.fixture
def admin_user(clinic: Clinic) -> User:
    user = _user("admin", Role.ADMIN, clinic)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _patient(username: str, clinic: Clinic, team: CareTeam) -> Patient:
    user = _user(username, Role.PATIENT, clinic)
    return Patient.objects.create(
        user=user, clinic=clinic, care_team=team, display_name=username.title()
    )


@pytest.fixture
def patient(clinic: Clinic, team: CareTeam, clinician: User) -> Patient:
    return _patient("patient", clinic, team)


@pytest.fixture
def other_patient(clinic: Clinic, other_team: CareTeam, other_clinician: User) -> Patient:
    return _patient("other_patient", clinic, other_team)


@pytest.fixture
def make_checkin() -> Callable[..., Any]:
    def make(patient: Patient, days_ago: int = 0, **values: Any) -> Any:
        now = timezone.now()
        fields: dict[str, Any] = {
            "client_id": uuid.uuid4(),
            # the patient's calendar day, as the dashboards count days
            "day": (now.astimezone(ZoneInfo(patient.time_zone)) - timedelta(days=days_ago)).date(),
            "recorded_at": now - timedelta(days=days_ago),
            "pain": 5,
            "fatigue": 5,
            "sleep": 5,
            "mood": 5,
            "dose_status": "taken",
            "dose_mg": Decimal("4.50"),
            "dose_time": None,
            "side_effects": (),
            "note": "",
        }
        fields.update(values)
        assert patient.user is not None
        row, _ = store_checkin(Actor.of(patient.user), patient, CoreCheckin(**fields))
        return row

    return make


def bearer(user: User) -> dict[str, str]:
    """Headers of a fresh API token of ``user`` (valid for a day), as the token endpoint issues."""
    raw, digest = ApiToken.new_token()
    ApiToken.objects.create(
        user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
    )
    return {"Authorization": f"Bearer {raw}"}


def pass_two_factor(client: Client, user: User) -> None:
    """Mark ``client``'s session as having passed two-factor with a confirmed device of ``user``
    (created if needed), as django-otp's own login does after a correct code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _personas_pass_two_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Client.force_login`` of a persona who needs two-factor (staff) also passes it, so pages
    can be tested as the person sees them after logging in. Tests of two-factor itself log in
    with ``Client.login`` or the login page, which never skip it."""
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        if isinstance(user, User) and two_factor_required(user):
            pass_two_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
