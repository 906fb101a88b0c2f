"""Two workers racing on PostgreSQL send a patient at most one reminder of a kind a day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from apps.accounts.models import Patient
from apps.jobs.tests.racing import race
from apps.notifications.models import Notification, ReminderSent
from apps.notifications.reminders import send_due_reminders

NOW = datetime(2026, 6, 10, 18, 5, tzinfo=UTC)  # 19:05 BST: the 19:00 check-in is due


@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_send_one_reminder(patient: Patient) -> None:
    """PostgreSQL: both runs plan the same check-in reminder; the unique row lets one send it.
    (SQLite's in-memory test database cannot hold two real connections.)"""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections to one PostgreSQL database")
    results = race(lambda _: send_due_reminders(now=NOW))
    assert sum(r["sent"] for r in results) == 1
    assert ReminderSent.objects.filter(patient=patient, local_day=date(2026, 6, 10)).count() == 1
    assert Notification.objects.filter(recipient=patient.user, kind="checkin").count() == 1
