"""GET /api/v1/notifications, POST /api/v1/notifications/{id}/read, GET/PUT
/api/v1/me/reminders: the caller's own only, pages by cursor, bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from conftest import bearer
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.notifications.models import Notification, ReminderSettings


def api(user: User | None) -> Client:
    return Client() if user is None else Client(headers=bearer(user))


def _notes(user: User, n: int) -> list[Notification]:
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    return [
        Notification.objects.create(
            recipient=user,
            kind="checkin",
            title=f"Note {i}",
            # two share a time: the cursor must still neither skip nor repeat
            created_at=start + timedelta(minutes=i // 2),
        )
        for i in range(n)
    ]


def test_the_list_is_the_callers_own_newest_first_page_by_page(
    patient: Patient, other_patient: Patient
) -> None:
    assert patient.user is not None
    assert other_patient.user is not None
    mine = _notes(patient.user, 5)
    _notes(other_patient.user, 3)
    client = api(patient.user)
    first = client.get("/api/v1/notifications?limit=2").json()
    assert [i["title"] for i in first["items"]] == ["Note 4", "Note 3"]
    seen = [i["id"] for i in first["items"]]
    following = first["next"]
    while following:
        page = client.get(following).json()
        seen += [i["id"] for i in page["items"]]
        following = page["next"]
    assert seen == [n.pk for n in reversed(mine)]
    whole = client.get("/api/v1/notifications").json()
    assert whole["next"] is None
    assert set(whole["items"][0]) == {
        "id", "kind", "title", "body", "link", "created_at", "read_at"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=0", 400),
        ("limit=201", 400),
        ("limit=x", 400),
        ("limit=200", 200),
        ("cursor=bm9wZQ", 400),
    ],
)
def test_limit_and_cursor_are_checked(patient: Patient, query: str, status: int) -> None:
    response = api(patient.user).get(f"/api/v1/notifications?{query}")
    assert response.status_code == status, response.content
    if status == 400:
        detail = response.json()["detail"]
        assert ("Follow the `next` URL" in detail) if "cursor" in query else ("1 to 200" in detail)


def test_reading_marks_once_and_anothers_notification_is_404(
    patient: Patient, other_patient: Patient, clinician: User
) -> None:
    assert patient.user is not None
    assert other_patient.user is not None
    (mine,) = _notes(patient.user, 1)
    (theirs,) = _notes(other_patient.user, 1)
    client = api(patient.user)
    answer = client.post(f"/api/v1/notifications/{mine.pk}/read")
    assert answer.status_code == 200
    first_read = answer.json()["read_at"]
    assert first_read is not None
    assert client.post(f"/api/v1/notifications/{mine.pk}/read").json()["read_at"] == first_read
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert api(clinician).post(f"/api/v1/notifications/{mine.pk}/read").status_code == 404
    assert api(None).post(f"/api/v1/notifications/{mine.pk}/read").status_code == 401
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert AuditEvent.objects.filter(action="notifications.read").count() == 1


def test_settings_read_and_change_with_an_audit_of_what_changed(patient: Patient) -> None:
    client = api(patient.user)
    assert client.get("/api/v1/me/reminders").json() == {
        "checkin_time": "19:00",
        "dose_time": "21:30",
        "quiet_start": None,
        "quiet_end": None,
        "opt_out": [],
        "email": True,
        "urgent_at_once": True,
        "digest_time": "08:00",
        "time_zone": patient.time_zone,
    }
    body = {
        "dose_time": "22:15",
        "quiet_start": "23:00",
        "quiet_end": "07:00",
        "opt_out": ["nudge"],
    }
    answer = client.put("/api/v1/me/reminders", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["dose_time"] == "22:15"
    stored = ReminderSettings.objects.get(user=patient.user)
    assert (stored.dose_time, stored.quiet_start, stored.opt_out) == (
        time(22, 15),
        time(23),
        ["nudge"],
    )
    event = AuditEvent.objects.get(action="notifications.settings")
    assert event.patient_id == patient.pk
    assert event.detail is not None
    assert event.detail["dose_time"] == {"from": "21:30", "to": "22:15"}
    assert event.detail["opt_out"] == {"from": [], "to": ["nudge"]}
    # both quiet hours null: turned off
    off = {"quiet_start": None, "quiet_end": None}
    assert (
        client.put("/api/v1/me/reminders", off, content_type="application/json").json()[
            "quiet_start"
        ]
        is None
    )


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        ({"dose_time": "25:00"}, 400, "dose_time", "such as 21:30"),
        ({"dose_time": "9pm"}, 400, "dose_time", "such as 21:30"),
        ({"quiet_start": "22:00"}, 400, "quiet_end", "both a start and an end"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, 400, "quiet_end", "same time"),
        ({"opt_out": ["sms"]}, 400, "opt_out", "Unknown kind of reminder: sms"),
        ({"time_zone": "Europe/Paris"}, 400, "time_zone", "settings page"),
        ({"dose_time": 2130}, 422, None, "dose_time"),
        ({"bedtime": "22:00"}, 422, None, "bedtime"),
    ],
)
def test_bad_settings_are_refused_with_what_to_do_and_change_nothing(
    patient: Patient, body: dict[str, object], status: int, field: str | None, words: str
) -> None:
    client = api(patient.user)
    answer = client.put("/api/v1/me/reminders", body, content_type="application/json")
    assert answer.status_code == status, answer.content
    assert words in answer.json()["detail"]
    if field:
        assert answer.json()["field"] == field
    assert not ReminderSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="notifications.settings").exists()


def test_a_clinician_sets_alert_delivery_and_zone(clinician: User) -> None:
    client = api(clinician)
    body = {"urgent_at_once": False, "digest_time": "07:45", "time_zone": "Australia/Sydney"}
    answer = client.put("/api/v1/me/reminders", body, content_type="application/json").json()
    assert (answer["urgent_at_once"], answer["digest_time"], answer["time_zone"]) == (
        False,
        "07:45",
        "Australia/Sydney",
    )
    bad = {"time_zone": "Mars/Base"}
    refused = client.put("/api/v1/me/reminders", bad, content_type="application/json")
    assert refused.status_code == 400
    assert "Europe/London" in refused.json()["detail"]
