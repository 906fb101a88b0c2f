"""Every URL and API route × every role × own and another patient's object.

``ROUTES`` is the specification: for each route, the status each role gets on its *own* patient
(the patient persona's record, which is on the clinician's care team) and on *another* patient's
(on a different care team). A guard test fails when a route exists that the table does not cover.
Every request that touches patient data must leave an audit event naming the actor and patient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from apps.accounts.models import ApiToken, Invitation, Patient, User
from apps.audit.models import AuditEvent

ROLES = ("anonymous", "patient", "clinician", "pharmacist", "admin")


@dataclass(frozen=True)
class Route:
    name: str  # the URL name, or "api:<operation>"
    method: str
    path: str  # "{pid}" is replaced by the patient's id
    own: dict[str, int]
    other: dict[str, int] | None = None  # None: the route takes no patient
    body: dict[str, Any] | None = None
    api: bool = False
    audited: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _all(status: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, status) for role in ROLES}


PATIENT_ONLY = _all(404, anonymous=302, patient=200)
CARE = _all(404, anonymous=302, patient=200, clinician=200)
DENIED = _all(404, anonymous=302)

ROUTES: tuple[Route, ...] = (
    Route("home", "GET", "/", _all(302)),
    Route("login", "GET", "/accounts/login/", _all(302, anonymous=200)),
    Route("logout", "POST", "/accounts/logout/", _all(302)),
    Route("health", "GET", "/health", _all(200)),
    Route("accounts:invite", "GET", "/invite/new/", _all(404, anonymous=302, clinician=200)),
    Route("accounts:accept", "GET", "/invite/{token}/", _all(200)),
    Route("accounts:pharmacy", "GET", "/pharmacy/", _all(404, anonymous=302, pharmacist=200)),
    Route("accounts:audit", "GET", "/audit/", _all(404, anonymous=302, admin=200)),
    Route("checkins:panel", "GET", "/panel/", _all(404, anonymous=302, clinician=200)),
    Route("checkins:dashboard", "GET", "/patients/{pid}/", CARE, DENIED, audited=True),
    Route("checkins:new", "GET", "/patients/{pid}/checkin/", PATIENT_ONLY, DENIED, audited=True),
    Route(
        "checkins:new",
        "POST",
        "/patients/{pid}/checkin/",
        _all(404, anonymous=302, patient=302),
        DENIED,
        body={"pain": "4", "fatigue": "4", "sleep": "6", "mood": "6", "dose_status": "missed"},
        audited=True,
    ),
    Route("checkins:export", "GET", "/patients/{pid}/checkins.csv", CARE, DENIED, audited=True),
    Route(
        "checkins:import",
        "POST",
        "/patients/{pid}/checkins/import/",
        _all(404, anonymous=302, patient=302),
        DENIED,
        audited=True,
    ),
    Route("checkins:chart", "GET", "/patients/{pid}/chart.svg", CARE, DENIED, audited=True),
    Route("admin:index", "GET", "/admin/", _all(302, admin=200)),
    Route("api:openapi-json", "GET", "/api/v1/openapi.json", _all(200), api=True),
    Route("api:openapi-view", "GET", "/api/v1/docs", _all(200), api=True),
    Route("api:api-root", "GET", "/api/v1/", _all(404), api=True),
    Route(
        "api:issue_token",
        "POST",
        "/api/v1/auth/token",
        _all(401),
        body={"username": "nobody", "password": "wrong"},
        api=True,
    ),
    Route("api:me", "GET", "/api/v1/me", _all(200, anonymous=401), api=True),
    Route(
        "api:list_checkins",
        "GET",
        "/api/v1/patients/{pid}/checkins",
        _all(404, anonymous=401, patient=200, clinician=200),
        _all(404, anonymous=401),
        api=True,
        audited=True,
    ),
    Route(
        "api:create_checkin",
        "POST",
        "/api/v1/patients/{pid}/checkins",
        _all(404, anonymous=401, patient=201),
        _all(404, anonymous=401),
        body={"pain": 3, "fatigue": 4, "sleep": 6, "mood": 7, "dose_mg": "4.5"},
        api=True,
        audited=True,
    ),
)


@pytest.fixture
def people(
    patient: Patient, other_patient: Patient, clinician: User, pharmacist: User, admin_user: User
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "patient": patient.user,
        "clinician": clinician,
        "pharmacist": pharmacist,
        "admin": admin_user,
    }


def _request(route: Route, user: User | None, pid: int, token: str) -> Any:
    client = Client()
    path = route.path.replace("{pid}", str(pid)).replace("{token}", token)
    headers: dict[str, str] = {}
    if route.api:
        if user is not None:
            raw, digest = ApiToken.new_token()
            ApiToken.objects.create(
                user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
            )
            headers["Authorization"] = f"Bearer {raw}"
        body = dict(route.body or {})
        if "pain" in body:
            body["client_id"] = str(uuid.uuid4())
        if route.method == "GET":
            return client.get(path, headers=headers)
        return client.post(path, body, content_type="application/json", headers=headers)
    if user is not None:
        client.force_login(user)
    if route.method == "GET":
        return client.get(path)
    body = dict(route.body or {})
    if "pain" in body:
        body["client_id"] = str(uuid.uuid4())
    return client.post(path, body)


CASES = [
    pytest.param(route, role, whose, id=f"{route.method}-{route.name}-{role}-{whose}")
    for route in ROUTES
    for role in ROLES
    for whose in (("own", "other") if route.other is not None else ("own",))
]


@pytest.mark.parametrize(("route", "role", "whose"), CASES)
def test_route_answers_each_role_as_specified(
    route: Route,
    role: str,
    whose: str,
    people: dict[str, User | None],
    patient: Patient,
    other_patient: Patient,
    clinician: User,
) -> None:
    target = patient if whose == "own" else other_patient
    raw, digest = Invitation.new_token()
    Invitation.objects.create(
        patient=other_patient,
        token_hash=digest,
        created_by=clinician,
        expires_at=timezone.now() + timedelta(days=1),
    )
    expected = (route.own if whose == "own" else route.other or {})[role]
    before = AuditEvent.objects.count()

    response = _request(route, people[role], target.pk, raw)

    assert response.status_code == expected, response.content[:300]
    if route.audited and role != "anonymous":
        event = AuditEvent.objects.order_by("-id").first()
        assert AuditEvent.objects.count() > before
        assert event is not None
        assert event.actor_username == people[role].username  # type: ignore[union-attr]
        assert event.patient_id == target.pk
        assert event.outcome == ("ok" if expected < 400 else "denied")
        assert event.ip_address == "127.0.0.1"


def _named_routes(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace
            if namespace == "admin":
                continue  # Django's admin: checked through admin:index (staff only)
            names |= _named_routes(entry, f"{namespace}:" if namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_route_is_in_the_access_matrix() -> None:
    covered = {route.name for route in ROUTES}
    exposed = _named_routes(get_resolver())
    assert exposed - covered == set()
