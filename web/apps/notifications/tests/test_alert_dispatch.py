"""Alerts reach the patient's clinicians: urgent at once (in-app and e-mail, no patient data in
the e-mail), the rest in the daily digest at each clinician's time; each at most once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.core import mail
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.alerts.actions import raise_alert
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.notifications.dispatch import notify_alert, send_alert_digests
from apps.notifications.models import AlertNotice, Notification, ReminderSettings

Capture = Callable[..., Any]


def _alert(patient: Patient, severity: str, kind: str = "self_harm_risk") -> Alert:
    row, _ = raise_alert(
        Actor.system(), patient, kind=kind, severity=severity, message=f"{kind}: call today."
    )
    return row


def _with_email(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save()


def test_an_urgent_alert_reaches_the_care_team_at_once(
    patient: Patient,
    clinician: User,
    other_clinician: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _with_email(clinician, other_clinician)
    with django_capture_on_commit_callbacks(execute=True):
        alert = _alert(patient, "urgent")
    note = Notification.objects.get(recipient=clinician)
    assert note.kind == "alert"
    assert note.title == "Urgent alert: Patient"
    assert note.body == "self_harm_risk: call today."
    assert note.link == "/alerts/"
    # the other care team's clinician hears nothing
    assert not Notification.objects.filter(recipient=other_clinician).exists()
    (email,) = mail.outbox
    assert email.to == ["clinician@example.org"]
    assert email.subject == "Urgent alert waiting in lowdose"
    assert "Patient" not in f"{email.subject} {email.body}"  # no patient data in e-mail
    assert "self_harm" not in email.body
    assert AlertNotice.objects.get().mode == "at_once"
    event = AuditEvent.objects.get(action="notifications.alert")
    assert (event.patient_id, event.detail) == (patient.pk, {"clinicians": 1, "mode": "at_once"})
    # a retried job tells nobody twice
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_alert(alert.pk) == 0
    assert len(mail.outbox) == 1


def test_an_alert_rolled_back_notifies_nobody(
    patient: Patient, clinician: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _alert(patient, "urgent")
    assert len(callbacks) == 1  # queued only on commit
    assert not Notification.objects.exists()


def test_a_warning_waits_for_the_digest_at_the_clinicians_time(
    patient: Patient, clinician: User, django_capture_on_commit_callbacks: Capture
) -> None:
    _with_email(clinician)
    ReminderSettings.objects.create(
        user=clinician, digest_time=time(8, 0), time_zone="America/New_York"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _alert(patient, "warning", kind="pain_up")
        _alert(patient, "info", kind="no_checkin")
    assert not Notification.objects.exists()  # not at once
    eight_ny = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # 08:00 EDT
    Alert.objects.update(raised_at=eight_ny - timedelta(hours=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_alert_digests(now=eight_ny - timedelta(minutes=1)) == 0  # not yet
        assert send_alert_digests(now=eight_ny) == 1
        assert send_alert_digests(now=eight_ny + timedelta(minutes=5)) == 0  # once a day
    digest = Notification.objects.get(recipient=clinician)
    assert digest.title == "2 alerts waiting (1 patient)"
    assert "Patient: pain_up: call today." in digest.body
    (email,) = mail.outbox
    assert "Patient" not in f"{email.subject} {email.body}"
    assert AlertNotice.objects.filter(clinician=clinician, mode="digest").count() == 2


def test_a_clinician_who_wants_urgent_alerts_in_the_digest_gets_them_there(
    patient: Patient, clinician: User, django_capture_on_commit_callbacks: Capture
) -> None:
    ReminderSettings.objects.create(user=clinician, urgent_at_once=False, digest_time=time(0, 0))
    with django_capture_on_commit_callbacks(execute=True):
        _alert(patient, "urgent")
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_alert_digests(now=timezone.now()) == 1
    assert Notification.objects.get(recipient=clinician).kind == "alert_digest"


def test_an_alert_told_at_once_is_not_in_the_digest(
    patient: Patient, clinician: User, django_capture_on_commit_callbacks: Capture
) -> None:
    ReminderSettings.objects.create(user=clinician, digest_time=time(0, 0))
    with django_capture_on_commit_callbacks(execute=True):
        _alert(patient, "urgent")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_alert_digests(now=timezone.now()) == 0
    assert Notification.objects.filter(recipient=clinician).count() == 1
