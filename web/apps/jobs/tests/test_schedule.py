"""The periodic jobs are in Django-Q2's schedule table after ``migrate``, once each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from apps.accounts.models import User
from apps.jobs.schedule import PERIODIC_JOBS, sync_schedules

EXPECTED = {
    "Prune expired sessions": ("apps.accounts.housekeeping.prune_expired_sessions", 60),
    "Prune expired login limits": ("apps.accounts.housekeeping.prune_expired_login_limits", 60),
    "Prune expired API tokens": ("apps.accounts.housekeeping.prune_expired_api_tokens", 1440),
    "Prune expired invitations": ("apps.accounts.housekeeping.prune_expired_invitations", 1440),
    "Rebuild panel summaries": ("apps.checkins.summaries.rebuild_patient_summaries", 1440),
    "Send due reminders": ("apps.notifications.reminders.send_due_reminders", 5),
    "Send alert digests": ("apps.notifications.dispatch.send_alert_digests", 5),
    "Drop expired share-link copies": ("apps.sharing.housekeeping.drop_expired_packets", 60),
}


def _schedules() -> dict[str, tuple[str, int | None]]:
    rows = Schedule.objects.order_by("name").values_list("name", "func", "minutes")
    names = [name for name, _, _ in rows]
    assert len(names) == len(set(names)), f"a schedule is duplicated: {names}"
    return {name: (func, minutes) for name, func, minutes in rows if name is not None}


@pytest.mark.django_db
def test_every_housekeeping_job_is_scheduled_after_migrate() -> None:
    assert _schedules() == EXPECTED
    for schedule in Schedule.objects.all():
        assert schedule.schedule_type == Schedule.MINUTES
        assert schedule.repeats == -1  # for ever
        assert callable(import_string(schedule.func))


@pytest.mark.django_db
def test_syncing_again_updates_in_place_and_never_duplicates() -> None:
    later = timezone.now() + timedelta(minutes=30)
    Schedule.objects.filter(name="Prune expired sessions").update(minutes=5, next_run=later)
    Schedule.objects.create(
        name="Prune expired API tokens",
        func="apps.accounts.housekeeping.prune_expired_api_tokens",
        schedule_type=Schedule.MINUTES,
        minutes=1440,
        repeats=-1,
    )

    sync_schedules()
    sync_schedules()

    assert _schedules() == EXPECTED
    sessions = Schedule.objects.get(name="Prune expired sessions")
    assert sessions.next_run == later  # a migrate does not make every job due again


@pytest.mark.django_db
def test_a_schedule_added_in_the_admin_is_left_alone() -> None:
    Schedule.objects.create(name="Someone's own", func="math.floor", args="1.5")
    sync_schedules()
    assert Schedule.objects.filter(name="Someone's own").count() == 1
    assert len(PERIODIC_JOBS) == len(EXPECTED)


def test_a_job_is_killed_before_its_lease_ends() -> None:
    """Django-Q2 hands a job out again when its lease (``retry``) ends: a job still running then
    would run twice at once, so the time-out must come first."""
    timeout, retry = settings.Q_CLUSTER["timeout"], settings.Q_CLUSTER["retry"]
    assert isinstance(timeout, int)
    assert isinstance(retry, int)
    assert timeout < retry
    assert settings.Q_CLUSTER["orm"] == "default"  # the app's own database: no Redis


@pytest.mark.django_db
def test_the_admin_lists_the_schedules_and_the_jobs(
    admin_user: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(admin_user)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Background jobs" in index.content.decode()
    schedules = client.get("/admin/django_q/schedule/")
    assert schedules.status_code == 200
    page = schedules.content.decode()
    for name in EXPECTED:
        assert name in page
    for jobs in ("/admin/django_q/success/", "/admin/django_q/failure/", "/admin/django_q/ormq/"):
        assert client.get(jobs).status_code == 200
