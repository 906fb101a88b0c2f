"""Every URL and API route × every role × own and another patient's object.

Each app's ``tests/access_routes.py`` specifies its routes (``apps/accounts/tests/matrix.py``);
a route about one object gives ``extra={"setup": fn}``, where ``fn(target=, whose=, people=)``
creates the object and returns placeholders for the path and body (``{"{rx}": "12"}``).
A guard test fails when a route exists that no table covers. Every request that touches patient
data must leave an audit event naming the actor and the patient.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import apps
from apps.accounts.models import ApiToken, Invitation, Patient, User
from apps.accounts.tests.matrix import ROLES, Route
from apps.audit.models import AuditEvent


def _collect_routes() -> tuple[Route, ...]:
    routes: list[Route] = []
    for app in pkgutil.iter_modules(apps.__path__):
        try:
            module = importlib.import_module(f"apps.{app.name}.tests.access_routes")
        except ModuleNotFoundError as missing:
            if missing.name != f"apps.{app.name}.tests.access_routes":
                raise
            continue
        routes.extend(module.ROUTES)
    return tuple(routes)


ROUTES = _collect_routes()


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


def _fill(value: object, objects: dict[str, str], *, json: bool) -> object:
    """A body value with its placeholder filled: an id stays a string in a form and becomes a
    number in a JSON body (the API reads types strictly)."""
    if not isinstance(value, str) or value not in objects:
        return value
    filled = objects[value]
    return int(filled) if json and filled.isdigit() else filled


def _request(
    route: Route, user: User | None, pid: int, token: str, objects: dict[str, str] | None = None
) -> Any:
    client = Client()
    path = route.path.replace("{pid}", str(pid)).replace("{token}", token)
    for placeholder, value in (objects or {}).items():
        path = path.replace(placeholder, value)
    if objects and route.body:
        route = replace(
            route,
            body={k: _fill(v, objects, json=route.api) for k, v in route.body.items()},
        )
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
        send = {
            "POST": client.post,
            "PUT": client.put,
            "PATCH": client.patch,
            "DELETE": client.delete,
        }
        return send[route.method](path, body, content_type="application/json", headers=headers)
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
    # A route about one object (e.g. a prescription) names a setup that creates it for the
    # target patient and returns its placeholders, e.g. {"{rx}": "12"}.
    setup = route.extra.get("setup")
    objects = setup(target=target, whose=whose, people=people) if setup else None
    before = AuditEvent.objects.count()

    response = _request(route, people[role], target.pk, raw, objects)

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
