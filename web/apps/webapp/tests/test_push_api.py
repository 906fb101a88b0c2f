"""POST and DELETE /api/v1/me/push-subscriptions: for each role, with a token or the session and
its CSRF token; another person's subscription; values that are refused change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD, bearer
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.webapp.models import PushSubscription

from .pushes import FakeBrowser, b64url

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/push-subscriptions"
ENDPOINT = "https://push.example.net/send/abc123"


def session(user: User) -> tuple[Client, dict[str, str]]:
    """A browser signed in as ``user`` (two-factor passed where needed) and the CSRF header its
    page's script sends."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/", follow=True)  # a page with a form (log out) sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    return client, {"X-CSRFToken": token}


def post(client: Client, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.post(URL, body, content_type="application/json", headers=headers or {})


def delete(client: Client, endpoint: str, headers: dict[str, str] | None = None) -> Any:
    return client.delete(
        URL, {"endpoint": endpoint}, content_type="application/json", headers=headers or {}
    )


@pytest.fixture
def people(patient: Patient, clinician: User, pharmacist: User) -> dict[str, User]:
    assert patient.user is not None
    return {"patient": patient.user, "clinician": clinician, "pharmacist": pharmacist}


@pytest.mark.parametrize("role", ["patient", "clinician", "pharmacist"])
def test_each_role_turns_notifications_on_and_off_from_its_page(
    people: dict[str, User], role: str
) -> None:
    user = people[role]
    client, csrf = session(user)
    browser = FakeBrowser(ENDPOINT)

    created = post(client, browser.subscription(), csrf)
    assert created.status_code == 201, created.content
    row = PushSubscription.objects.get()
    assert (row.user, row.endpoint, row.p256dh) == (user, ENDPOINT, browser.p256dh)
    assert row.auth == b64url(browser.auth)
    assert created.json() == {
        "id": row.pk,
        "created_at": created.json()["created_at"],
        "last_success_at": None,
        "failures": 0,
    }
    assert "endpoint" not in created.json()  # a capability: it never leaves the server

    again = post(client, browser.subscription(), csrf)
    assert again.status_code == 200
    assert PushSubscription.objects.count() == 1

    removed = delete(client, ENDPOINT, csrf)
    assert removed.status_code == 204
    assert not PushSubscription.objects.exists()
    assert delete(client, ENDPOINT, csrf).status_code == 404
    actions = list(
        AuditEvent.objects.filter(action__startswith="push.")
        .order_by("pk")
        .values_list("action", "actor_id")
    )
    assert actions == [("push.subscribe", user.pk), ("push.unsubscribe", user.pk)]


def test_a_token_works_as_well_as_the_session(patient: Patient) -> None:
    assert patient.user is not None
    client = Client(headers=bearer(patient.user))
    assert post(client, FakeBrowser(ENDPOINT).subscription()).status_code == 201
    assert PushSubscription.objects.get().user == patient.user


def test_anonymous_is_refused_and_nothing_is_stored() -> None:
    response = post(Client(), FakeBrowser(ENDPOINT).subscription())
    assert response.status_code == 401
    assert delete(Client(), ENDPOINT).status_code == 401
    assert not PushSubscription.objects.exists()


def test_the_session_without_its_csrf_token_is_refused(patient: Patient) -> None:
    assert patient.user is not None
    client, _ = session(patient.user)
    response = post(client, FakeBrowser(ENDPOINT).subscription(), {"X-CSRFToken": "wrong" * 8})
    assert response.status_code == 403
    assert response.json()["detail"].endswith("reload the page and try again.")
    assert not PushSubscription.objects.exists()


def test_staff_who_have_not_passed_two_factor_are_refused(clinician: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="clinician", password=PASSWORD)  # password only
    client.get("/", follow=True)  # the two-factor set-up page
    csrf = {"X-CSRFToken": client.cookies["csrftoken"].value}
    assert post(client, FakeBrowser(ENDPOINT).subscription(), csrf).status_code == 401
    assert not PushSubscription.objects.exists()


def test_another_persons_subscription_cannot_be_removed(
    patient: Patient, other_patient: Patient
) -> None:
    assert patient.user is not None
    assert other_patient.user is not None
    mine, my_csrf = session(patient.user)
    assert post(mine, FakeBrowser(ENDPOINT).subscription(), my_csrf).status_code == 201

    theirs, their_csrf = session(other_patient.user)
    assert delete(theirs, ENDPOINT, their_csrf).status_code == 404
    assert PushSubscription.objects.get().user == patient.user


def test_a_browser_reaches_the_last_person_who_turned_notifications_on_in_it(
    patient: Patient, other_patient: Patient
) -> None:
    assert patient.user is not None
    assert other_patient.user is not None
    browser = FakeBrowser(ENDPOINT)
    first, first_csrf = session(patient.user)
    post(first, browser.subscription(), first_csrf)

    shared, shared_csrf = session(other_patient.user)
    assert post(shared, browser.subscription(), shared_csrf).status_code == 201
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [other_patient.user.pk]


def _with(**changes: Any) -> dict[str, Any]:
    body = FakeBrowser(ENDPOINT).subscription()
    keys = {**body["keys"], **changes.pop("keys", {})}
    return {**body, **changes, "keys": keys}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_with(endpoint="http://push.example.net/send/1"), "endpoint"),
        (_with(endpoint="http://127.0.0.1:9/send"), "endpoint"),  # not unless settings allow
        (_with(endpoint="https://127.0.0.1/send"), "endpoint"),
        (_with(endpoint="https://10.1.2.3/send"), "endpoint"),
        (_with(endpoint="https://localhost/send"), "endpoint"),
        (_with(endpoint="https://user:pw@push.example.net/send"), "endpoint"),
        (_with(endpoint="ftp://push.example.net/send"), "endpoint"),
        (_with(keys={"p256dh": b64url(b"\x04" + b"\x01" * 63)}), "keys.p256dh"),  # 64 bytes
        (_with(keys={"p256dh": b64url(b"\x04" + b"\x01" * 64)}), "keys.p256dh"),  # off the curve
        (_with(keys={"p256dh": "not base64!"}), "keys.p256dh"),
        (_with(keys={"auth": b64url(b"x" * 15)}), "keys.auth"),
        (_with(keys={"auth": b64url(b"x" * 17)}), "keys.auth"),
    ],
)
def test_a_subscription_that_cannot_be_a_browsers_is_refused(
    patient: Patient, body: dict[str, Any], field: str
) -> None:
    assert patient.user is not None
    client, csrf = session(patient.user)
    response = post(client, body, csrf)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert "send" in response.json()["detail"]  # it says what to do
    assert not PushSubscription.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="push.").exists()


def test_plain_http_to_127_0_0_1_only_when_the_settings_allow_it(
    patient: Patient, settings: Any
) -> None:
    assert patient.user is not None
    client, csrf = session(patient.user)
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    assert post(client, _with(endpoint="http://127.0.0.1:9/send"), csrf).status_code == 201
    assert post(client, _with(endpoint="http://localhost:9/send"), csrf).status_code == 400


def test_unknown_fields_are_refused(patient: Patient) -> None:
    assert patient.user is not None
    client, csrf = session(patient.user)
    assert post(client, {**_with(), "user": 1}, csrf).status_code == 422
    assert not PushSubscription.objects.exists()


def test_the_api_lists_who_may_call_it(client_for: Callable[..., Client]) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["post"]
    assert {"201", "200", "400", "401"} <= set(operation["responses"])
