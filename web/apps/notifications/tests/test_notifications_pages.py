"""The notification list with the bell's count, and the reminder settings page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.notifications.models import Notification, ReminderSettings
from config.keyset import DEFAULT_LIMIT

ClientFor = Callable[[User | None], Client]


def test_the_bell_counts_unread_and_the_list_shows_them(
    client_for: ClientFor, patient: Patient, other_patient: Patient
) -> None:
    assert patient.user is not None
    assert other_patient.user is not None
    Notification.objects.create(
        recipient=patient.user, kind="dose", title="Bedtime dose", link="/x/"
    )
    Notification.objects.create(recipient=patient.user, kind="checkin", title="Check in")
    Notification.objects.create(recipient=other_patient.user, kind="checkin", title="Not yours")
    page = client_for(patient.user).get("/notifications/").content.decode()
    assert '<span class="count" aria-label="2 unread">2</span>' in page
    assert "Bedtime dose" in page
    assert "Not yours" not in page
    assert "notification-" in page


def test_reading_from_the_page_opens_the_link_or_returns_to_the_list(
    client_for: ClientFor, patient: Patient, other_patient: Patient
) -> None:
    assert patient.user is not None
    assert other_patient.user is not None
    note = Notification.objects.create(
        recipient=patient.user, kind="dose", title="Bedtime dose", link="/somewhere/"
    )
    theirs = Notification.objects.create(recipient=other_patient.user, kind="dose", title="x")
    client = client_for(patient.user)
    assert client.post(f"/notifications/{note.pk}/read", {"open": "1"})["Location"] == "/somewhere/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.post(f"/notifications/{theirs.pk}/read").status_code == 404
    evil = Notification.objects.create(
        recipient=patient.user, kind="dose", title="x", link="//evil.example/"
    )
    assert client.post(f"/notifications/{evil.pk}/read", {"open": "1"})["Location"] == (
        "/notifications/"
    )


def test_a_bad_cursor_on_the_page_says_what_to_do(client_for: ClientFor, patient: Patient) -> None:
    answer = client_for(patient.user).get("/notifications/?cursor=zzz")
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Use the “Older notifications” link" in page
    assert "cursor" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_older_notifications_are_a_link_away(client_for: ClientFor, patient: Patient) -> None:
    assert patient.user is not None
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    for i in range(DEFAULT_LIMIT + 1):
        Notification.objects.create(
            recipient=patient.user,
            kind="checkin",
            title=f"Note {i}",
            created_at=start + timedelta(minutes=i),
        )
    client = client_for(patient.user)
    first = client.get("/notifications/").content.decode()
    assert "Note 50" in first
    assert "Note 0<" not in first
    older = re.search(r'<a href="([^"]+)">Older notifications</a>', first)
    assert older is not None
    second = client.get(html.unescape(older.group(1))).content.decode()
    assert "Note 0<" in second
    assert "Note 50" not in second
    assert "Older notifications" not in second


def test_the_patient_sets_reminders_on_the_page(client_for: ClientFor, patient: Patient) -> None:
    client = client_for(patient.user)
    settings_page = client.get(f"/patients/{patient.pk}/settings/").content.decode()
    assert 'href="/me/reminders/"' in settings_page
    form = client.get("/me/reminders/").content.decode()
    assert "Bedtime dose reminder at" in form
    assert "opt_out" not in form  # no internal names as words
    posted = client.post(
        "/me/reminders/",
        {
            "checkin_time": "18:30",
            "dose_time": "22:00",
            "quiet": "on",
            "quiet_start": "22:30",
            "quiet_end": "07:00",
            "want_checkin": "on",
            "want_dose": "on",
            "email": "on",
        },
    )
    assert posted.status_code == 302
    stored = ReminderSettings.objects.get(user=patient.user)
    assert (stored.checkin_time, stored.quiet_start, stored.quiet_end) == (
        time(18, 30),
        time(22, 30),
        time(7, 0),
    )
    assert sorted(stored.opt_out) == ["nof1_switch", "nudge", "questionnaire", "titration_step"]
    assert AuditEvent.objects.filter(action="notifications.settings").count() == 1


def test_a_bad_time_on_the_page_is_a_400_that_changes_nothing(
    client_for: ClientFor, patient: Patient
) -> None:
    answer = client_for(patient.user).post(
        "/me/reminders/", {"checkin_time": "7 o'clock", "dose_time": "22:00"}
    )
    assert answer.status_code == 400
    assert "such as 21:30" in answer.content.decode()
    assert not ReminderSettings.objects.exists()


def test_a_clinician_sees_alert_delivery_not_patient_reminders(
    client_for: ClientFor, clinician: User
) -> None:
    page = client_for(clinician).get("/me/reminders/").content.decode()
    assert "Tell me about urgent alerts at once" in page
    assert "Bedtime dose reminder" not in page
