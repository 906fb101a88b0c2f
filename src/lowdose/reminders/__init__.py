"""Reminders that bring a patient back: what is due on a local day, when, and in which words.

Pure and Django-free. The web layer (``apps.notifications``) gathers each patient's
:class:`ReminderPreferences` and :class:`DayFacts` and delivers what :func:`plan_day` returns.
See ``docs/reminders.md``.
"""

from __future__ import annotations

from lowdose.errors import ReminderError
from lowdose.reminders.plan import (
    NUDGE_AFTER_DAYS,
    DayFacts,
    DayPlan,
    Reminder,
    ReminderKind,
    ReminderPreferences,
    Skipped,
    plan_day,
    plan_days,
)
from lowdose.reminders.walltime import QuietHours, local_instant, time_zone

__all__ = [
    "NUDGE_AFTER_DAYS",
    "DayFacts",
    "DayPlan",
    "QuietHours",
    "Reminder",
    "ReminderError",
    "ReminderKind",
    "ReminderPreferences",
    "Skipped",
    "local_instant",
    "plan_day",
    "plan_days",
    "time_zone",
]
