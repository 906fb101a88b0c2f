"""Every API list is paged: ``?limit=`` (default 50, at most 200) and a keyset ``next`` URL that
items added meanwhile do not shift (issue 14, item 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import bearer
from django.test import Client

from apps.accounts.models import Patient, User
from config.keyset import DEFAULT_LIMIT, MAX_LIMIT

pytestmark = pytest.mark.django_db

#: Every list the API answers, with who may read it (the path's {pk}: the patient's id).
LISTS = [
    ("/api/v1/patients/{pk}/checkins", "patient"),
    ("/api/v1/patients/{pk}/prescriptions", "clinician"),
    ("/api/v1/patients/{pk}/medications", "clinician"),
    ("/api/v1/patients/{pk}/nof1", "clinician"),
    ("/api/v1/alerts", "clinician"),
    ("/api/v1/audit", "admin_user"),
    ("/api/v1/auth/tokens", "patient"),
]


def _walk(client: Client, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        body = page.json()
        assert set(body) == {"items", "next"}
        items += body["items"]
        url = body["next"]
    return items


@pytest.mark.parametrize(("path", "reader"), LISTS)
@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", "99999999999", "²", "٣"])
def test_a_bad_limit_is_400_and_says_what_to_send(
    request: pytest.FixtureRequest, patient: Patient, path: str, reader: str, limit: str
) -> None:
    user: User = patient.user if reader == "patient" else request.getfixturevalue(reader)  # type: ignore[assignment]
    answer = Client(headers=bearer(user)).get(path.format(pk=patient.pk), {"limit": limit})
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": f"limit: send a whole number from 1 to {MAX_LIMIT} (items per page; "
        f"{DEFAULT_LIMIT} when left out).",
        "field": "limit",
    }


@pytest.mark.parametrize(("path", "reader"), LISTS)
def test_every_list_answers_items_and_next(
    request: pytest.FixtureRequest, patient: Patient, path: str, reader: str
) -> None:
    user: User = patient.user if reader == "patient" else request.getfixturevalue(reader)  # type: ignore[assignment]
    answer = Client(headers=bearer(user)).get(path.format(pk=patient.pk), {"limit": "200"})
    assert answer.status_code == 200
    assert set(answer.json()) == {"items", "next"}


def test_pages_default_to_fifty_and_walk_every_checkin_once(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    made = [make_checkin(patient, days_ago=d) for d in range(60, 0, -1)]
    assert patient.user is not None
    client = Client(headers=bearer(patient.user))
    first = client.get(f"/api/v1/patients/{patient.pk}/checkins").json()
    assert len(first["items"]) == DEFAULT_LIMIT
    assert [c["id"] for c in _walk(client, f"/api/v1/patients/{patient.pk}/checkins")] == [
        row.pk for row in made
    ]


def test_the_cursor_is_stable_under_inserts(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    """A check-in added while a client walks the pages neither repeats nor hides another."""
    for d in range(10, 0, -1):
        make_checkin(patient, days_ago=d)
    assert patient.user is not None
    client = Client(headers=bearer(patient.user))
    url = f"/api/v1/patients/{patient.pk}/checkins?limit=3"
    first = client.get(url).json()
    # an older entry (it sorts before the page already read) and a newer one arrive
    older = make_checkin(patient, days_ago=20)
    newer = make_checkin(patient, days_ago=0)
    rest = _walk(client, first["next"])
    seen = [c["id"] for c in first["items"] + rest]
    assert len(seen) == len(set(seen)) == 11  # the ten, then today's; none twice
    assert newer.pk in seen
    assert older.pk not in seen  # it sorts before the first page: the next walk finds it


def test_another_patients_list_is_404_and_a_forged_cursor_400(
    patient: Patient, other_patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    assert patient.user is not None
    client = Client(headers=bearer(patient.user))
    assert client.get(f"/api/v1/patients/{other_patient.pk}/checkins").status_code == 404
    forged = client.get(f"/api/v1/patients/{patient.pk}/checkins", {"cursor": "not-a-cursor"})
    assert forged.status_code == 400
    assert forged.json()["field"] == "cursor"
    wrong_type = client.get(
        f"/api/v1/patients/{patient.pk}/checkins",
        {"cursor": "WyJub3QgYSBkYXkiLCJ4IiwxXQ"},  # ["not a day","x",1]
    )
    assert wrong_type.status_code == 400


def test_an_alert_page_audits_the_patients_it_shows_only(
    clinician: User, patient: Patient, other_patient: Patient
) -> None:
    from apps.alerts.actions import raise_alert
    from apps.audit.actor import Actor
    from apps.audit.models import AuditEvent

    for key in ("a", "b"):
        raise_alert(Actor.system(), patient, kind="test", key=key, severity="warning", message="m")
    client = Client(headers=bearer(clinician))
    page = client.get("/api/v1/alerts", {"limit": "1"}).json()
    assert len(page["items"]) == 1
    event = AuditEvent.objects.filter(action="alerts.view").latest("pk")
    assert event.detail == {"patient_ids": [patient.pk]}
