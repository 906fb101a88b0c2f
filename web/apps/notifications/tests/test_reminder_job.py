"""send_due_reminders with a controlled clock: a whole DST day, quiet hours, opt-outs, e-mail
against the locmem outbox, at most once, late reminders dropped and counted, bounded queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Patient, Pharmacy, Role, User
from apps.audit.models import AuditEvent
from apps.clinical.models import Assignment
from apps.clinical.tests.factories import make_prescription
from apps.notifications import facts
from apps.notifications.models import Notification, ReminderSent, ReminderSettings
from apps.notifications.reminders import send_due_reminders

Capture = Callable[..., Any]


def _rx(patient: Patient, clinician: User, start: date) -> None:
    pharmacy, _ = Pharmacy.objects.get_or_create(name="Reminder pharmacy")
    make_prescription(patient, clinician, pharmacy=pharmacy, start=start)


def _run(capture: Capture, now: datetime) -> dict[str, int]:
    with capture(execute=True):  # e-mail goes out when the job's transaction commits
        return send_due_reminders(now=now)


def _every_five_minutes(capture: Capture, start: datetime, end: datetime) -> list[dict[str, int]]:
    runs, now = [], start
    while now <= end:
        runs.append(_run(capture, now))
        now += timedelta(minutes=5)
    return runs


def _sent(patient: Patient, day: date) -> list[tuple[str, datetime, str]]:
    rows = ReminderSent.objects.filter(patient=patient, local_day=day).order_by("due_at", "kind")
    return [(r.kind, r.due_at, r.outcome) for r in rows]


@pytest.fixture
def london(patient: Patient) -> Patient:
    assert patient.user is not None
    patient.user.email = "patient@example.org"
    patient.user.save()
    patient.time_zone = "Europe/London"
    patient.save()
    return patient


def test_a_whole_spring_forward_day_in_london(
    london: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """29 March 2026: the clocks jump from 01:00 to 02:00. A check-in reminder set for 01:30
    comes at 02:00 BST (01:00 UTC); the titration step to 2.5 mg (the standard plan started on
    1 March) comes at the dose time, 21:30 BST (20:30 UTC), in place of the plain dose reminder."""
    user = london.user
    assert user is not None
    ReminderSettings.objects.create(user=user, checkin_time=time(1, 30), dose_time=time(21, 30))
    _rx(london, clinician, date(2026, 3, 1))
    make_checkin(london, day=date(2026, 3, 28))
    day = date(2026, 3, 29)
    start = datetime(2026, 3, 28, 23, 55, tzinfo=UTC)  # 23:55 GMT on the 28th
    runs = _every_five_minutes(
        django_capture_on_commit_callbacks, start, start + timedelta(hours=24)
    )

    assert _sent(london, day) == [
        ("checkin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "sent"),
        ("titration_step", datetime(2026, 3, 29, 20, 30, tzinfo=UTC), "sent"),
    ]
    notes = list(Notification.objects.filter(recipient=user).order_by("created_at"))
    assert [(n.title, n.created_at) for n in notes[-2:]] == [
        ("Time for today's check-in", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("From tonight: 2.5 mg", datetime(2026, 3, 29, 20, 30, tzinfo=UTC)),
    ]
    assert [m.subject for m in mail.outbox][-2:] == [
        "Time for today's check-in",
        "From tonight: 2.5 mg",
    ]
    assert mail.outbox[-1].to == ["patient@example.org"]
    # each reminder went out once, on the first run at or after its time
    assert sum(r["sent"] for r in runs) == len(notes)


def test_a_fall_back_day_in_new_york_sends_once_at_the_first_occurrence(
    patient: Patient, django_capture_on_commit_callbacks: Capture
) -> None:
    """1 November 2026: 01:30 happens twice (EDT, then EST); the reminder comes at the first."""
    patient.time_zone = "America/New_York"
    patient.save()
    assert patient.user is not None
    ReminderSettings.objects.create(user=patient.user, checkin_time=time(1, 30))
    start = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 00:00 EDT
    _every_five_minutes(django_capture_on_commit_callbacks, start, start + timedelta(hours=4))
    assert _sent(patient, date(2026, 11, 1)) == [
        ("checkin", datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "sent")  # 01:30 EDT
    ]


def test_quiet_hours_and_opt_outs_are_respected(
    london: Patient, clinician: User, django_capture_on_commit_callbacks: Capture
) -> None:
    assert london.user is not None
    ReminderSettings.objects.create(
        user=london.user,
        checkin_time=time(6, 0),
        dose_time=time(22, 30),
        quiet_start=time(22, 0),
        quiet_end=time(7, 15),
        opt_out=["questionnaire"],
    )
    _rx(london, clinician, date(2026, 6, 1))
    Assignment.objects.create(
        patient=london, instrument="phq9", start=date(2026, 6, 10), assigned_by=clinician
    )
    start = datetime(2026, 6, 9, 23, 0, tzinfo=UTC)
    _every_five_minutes(django_capture_on_commit_callbacks, start, start + timedelta(hours=24))
    # the 06:00 check-in moved to the end of quiet hours, 07:15 BST; the 22:30 dose falls in
    # quiet hours that end the next day: not sent; the questionnaire is turned off
    assert _sent(london, date(2026, 6, 10)) == [
        ("checkin", datetime(2026, 6, 10, 6, 15, tzinfo=UTC), "sent")
    ]


def test_email_only_with_an_address_and_not_turned_off(
    patient: Patient, django_capture_on_commit_callbacks: Capture
) -> None:
    assert patient.user is not None
    patient.user.email = ""
    patient.user.save()
    now = datetime(2026, 6, 10, 18, 5, tzinfo=UTC)  # 19:05 BST: the 19:00 check-in is due
    assert _run(django_capture_on_commit_callbacks, now)["sent"] == 1
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=patient.user).count() == 1

    patient.user.email = "p@example.org"
    patient.user.save()
    ReminderSettings.objects.create(user=patient.user, email=False)
    assert _run(django_capture_on_commit_callbacks, now + timedelta(days=1))["sent"] == 1
    assert mail.outbox == []


def test_running_again_sends_nothing_new(
    patient: Patient, django_capture_on_commit_callbacks: Capture
) -> None:
    now = datetime(2026, 6, 10, 18, 5, tzinfo=UTC)
    assert _run(django_capture_on_commit_callbacks, now) == {"sent": 1, "dropped": 0}
    assert _run(django_capture_on_commit_callbacks, now) == {"sent": 0, "dropped": 0}
    assert _run(django_capture_on_commit_callbacks, now + timedelta(minutes=5))["sent"] == 0
    assert Notification.objects.count() == 1


def test_a_reminder_more_than_an_hour_late_is_dropped_and_counted(
    patient: Patient, django_capture_on_commit_callbacks: Capture
) -> None:
    """The worker was down: at 20:01 BST the 19:00 check-in is 61 minutes late."""
    now = datetime(2026, 6, 10, 19, 1, tzinfo=UTC)
    assert _run(django_capture_on_commit_callbacks, now) == {"sent": 0, "dropped": 1}
    assert _sent(patient, date(2026, 6, 10)) == [
        ("checkin", datetime(2026, 6, 10, 18, 0, tzinfo=UTC), "dropped")
    ]
    assert not Notification.objects.exists()
    event = AuditEvent.objects.filter(action="reminders.send").get()
    assert event.detail == {"sent": 0, "dropped": 1}
    assert event.actor_username == "system"
    # exactly an hour late is still sent
    assert (
        _run(django_capture_on_commit_callbacks, now + timedelta(days=1) - timedelta(minutes=1))[
            "sent"
        ]
        == 1
    )


def test_a_nudge_after_two_silent_days(
    patient: Patient, make_checkin: Callable[..., Any], django_capture_on_commit_callbacks: Capture
) -> None:
    make_checkin(patient, day=date(2026, 6, 8))
    _run(django_capture_on_commit_callbacks, datetime(2026, 6, 10, 18, 5, tzinfo=UTC))
    note = Notification.objects.get()
    assert note.kind == "nudge"
    assert "2 days ago" in note.body
    assert note.link == f"/patients/{patient.pk}/checkin/"


def test_a_kit_switch_names_the_kit_not_what_it_holds(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    from apps.nof1.tests.factories import trial_in
    from lowdose.outcomes.trial_states import TrialState

    trial = trial_in(TrialState.RUNNING, patient, clinician, pharmacist)
    period = next(p for p in trial.schedule if date.fromisoformat(p["start"]) > trial.start)
    switch_day = date.fromisoformat(period["start"])
    found = facts.kit_switches([patient.pk], switch_day)
    assert found == {patient.pk: period["kit"]}
    assert facts.kit_switches([patient.pk], switch_day + timedelta(days=1)) == {}


def test_the_reads_do_not_grow_with_the_number_of_patients(
    patient: Patient, clinician: User, django_capture_on_commit_callbacks: Capture
) -> None:
    """Reads only: each fact is asked once for all patients of a local day."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # nothing due at 13:00 BST

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _run(django_capture_on_commit_callbacks, now)
        return len(queries)

    count()  # handles (drops) what the look-back finds late: writes, once
    few = count()
    for i in range(8):
        user = User.objects.create(username=f"p{i}", role=Role.PATIENT, clinic=patient.clinic)
        other = Patient.objects.create(
            user=user, clinic=patient.clinic, care_team=patient.care_team, display_name=f"P{i}"
        )
        _rx(other, clinician, date(2026, 6, 1))
    count()
    assert count() == few


def test_without_a_provider_the_job_fails_closed(
    patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facts, "_plans", [])
    with pytest.raises(ImproperlyConfigured, match="titration plans"):
        send_due_reminders(now=datetime(2026, 6, 10, 18, 5, tzinfo=UTC))
