"""The periodic jobs, in one place, and how they reach the worker.

Each entry names a job function by its dotted path (the function lives in the app that owns the
data) and how often it runs. :func:`sync_schedules` writes them into Django-Q2's ``Schedule``
table after every ``migrate`` (:mod:`apps.jobs.apps`): a schedule is found by its name, created
once and updated in place when this list changes, never duplicated; one whose name is no longer
here is left alone (an administrator may have added it in the admin).

The worker's scheduler enqueues a job when its ``next_run`` has passed and moves ``next_run`` on,
holding the schedule's row lock (``select_for_update``) while it does: on PostgreSQL two workers
never enqueue the same slot twice. SQLite ignores row locks, but one laptop runs one worker; and
every job here is idempotent anyway (at-least-once delivery, docs/decisions/0008-task-queue.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_q.models import Schedule

__all__ = ["PERIODIC_JOBS", "PeriodicJob", "sync_schedules"]


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A job function run every ``minutes``; ``name`` is its key in the schedule table and what
    the admin shows."""

    name: str
    func: str
    minutes: int


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    # Sessions last a clinic day (SESSION_COOKIE_AGE) and login counters 15 minutes: hourly keeps
    # both tables to about an hour's worth of dead rows.
    PeriodicJob("Prune expired sessions", "apps.accounts.housekeeping.prune_expired_sessions", 60),
    PeriodicJob(
        "Prune expired login limits", "apps.accounts.housekeeping.prune_expired_login_limits", 60
    ),
    # API tokens live 30 days and invitations 7: once a day is enough.
    PeriodicJob(
        "Prune expired API tokens", "apps.accounts.housekeeping.prune_expired_api_tokens", 1440
    ),
    PeriodicJob(
        "Prune expired invitations", "apps.accounts.housekeeping.prune_expired_invitations", 1440
    ),
    # The panel's 7-day means move with the date: once a day recomputes every summary (and
    # repairs any that a failed write left behind).
    PeriodicJob(
        "Rebuild panel summaries", "apps.checkins.summaries.rebuild_patient_summaries", 1440
    ),
    # Reminders are set to the minute and sent at most an hour late (docs/reminders.md): every
    # five minutes keeps them within five minutes of their time.
    PeriodicJob("Send due reminders", "apps.notifications.reminders.send_due_reminders", 5),
    # The clinicians' daily alert digests, each at its own time: checked as often.
    PeriodicJob("Send alert digests", "apps.notifications.dispatch.send_alert_digests", 5),
    # Share links expire to the hour (docs/sharing.md): hourly deletes an expired link's
    # encrypted copy within the hour, whether or not anyone tries it again.
    PeriodicJob(
        "Drop expired share-link copies", "apps.sharing.housekeeping.drop_expired_packets", 60
    ),
)


def sync_schedules(using: str = "default") -> None:
    """Create or update one ``Schedule`` per entry of :data:`PERIODIC_JOBS` (idempotent).

    A new schedule's first run is due at once (the next worker to start runs it); an existing
    one keeps its ``next_run``, so a ``migrate`` does not re-run every job."""
    with transaction.atomic(using=using):
        for job in PERIODIC_JOBS:
            found = Schedule.objects.using(using).select_for_update().filter(name=job.name)
            if not found.exists():
                Schedule.objects.using(using).create(
                    name=job.name,
                    func=job.func,
                    schedule_type=Schedule.MINUTES,
                    minutes=job.minutes,
                    repeats=-1,
                )
                continue
            keep = found.order_by("pk").values_list("pk", flat=True)[0]
            found.exclude(pk=keep).delete()  # two migrates at once may each have created one
            found.update(
                func=job.func, schedule_type=Schedule.MINUTES, minutes=job.minutes, repeats=-1
            )
