"""Writes of notifications and reminder settings. Each takes an
:class:`~apps.audit.actor.Actor` and typed values, and writes its audit event in the same
transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.notifications.models import Notification, ReminderSettings
from lowdose.errors import InputError
from lowdose.reminders import QuietHours, ReminderError, ReminderKind, time_zone

__all__ = ["SettingsChange", "mark_read", "parse_wall_time", "update_reminder_settings"]


def parse_wall_time(text: str, field: str, what: str) -> time:
    """``"21:30"`` → 21:30; anything else an :class:`InputError` naming ``what`` and the form."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        hours, minutes = value.split(":")
        if len(hours) not in (1, 2) or len(minutes) != 2:
            raise ValueError(value)
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise InputError(
            f"{what}: write a time of day as hours and minutes, such as 21:30 "
            f"(got “{value}”). Nothing was changed.",
            field=field,
        ) from None


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """New values for some of a person's reminder settings; ``None`` leaves a value as it is.
    Quiet hours are set or cleared together (``clear_quiet=True`` clears them)."""

    checkin_time: time | None = None
    dose_time: time | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    clear_quiet: bool = False
    opt_out: frozenset[str] | None = None
    email: bool | None = None
    urgent_at_once: bool | None = None
    digest_time: time | None = None
    time_zone: str | None = None


def _check(change: SettingsChange) -> None:
    if (change.quiet_start is None) != (change.quiet_end is None):
        raise InputError(
            "Quiet hours need both a start and an end (for example 22:00 to 07:00). "
            "Nothing was changed.",
            field="quiet_start" if change.quiet_start is None else "quiet_end",
        )
    if change.quiet_start is not None and change.quiet_end is not None:
        if change.quiet_start == change.quiet_end:
            raise InputError(
                "Quiet hours start and end at the same time; choose different times, or turn "
                "quiet hours off. Nothing was changed.",
                field="quiet_end",
            )
        QuietHours(change.quiet_start, change.quiet_end)
    if change.opt_out is not None:
        unknown = sorted(change.opt_out - {k.value for k in ReminderKind})
        if unknown:
            kinds = ", ".join(k.value for k in ReminderKind)
            raise InputError(
                f"Unknown kind of reminder: {', '.join(unknown)}. Use {kinds}. "
                "Nothing was changed.",
                field="opt_out",
            )
    if change.time_zone:
        try:
            time_zone(change.time_zone)
        except ReminderError as exc:
            raise InputError(f"{exc} Nothing was changed.", field="time_zone") from None


def _text(value: Any) -> Any:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (list, frozenset, set)):
        return sorted(value)
    return value


def update_reminder_settings(
    actor: Actor, user: User, change: SettingsChange
) -> dict[str, dict[str, Any]]:
    """Apply ``change`` to ``user``'s settings (created with the defaults on first change). All
    values are checked before anything changes; the change and its audit event
    (``notifications.settings``, with what changed) commit together. Returns what changed."""
    _check(change)
    if user.is_patient and change.time_zone is not None:
        raise InputError(
            "Your time zone is set on your settings page (it also decides which day a check-in "
            "belongs to). Nothing was changed.",
            field="time_zone",
        )
    with transaction.atomic():
        prefs, _ = ReminderSettings.objects.select_for_update().get_or_create(user=user)
        wanted: dict[str, Any] = {}
        for f in fields(change):
            value = getattr(change, f.name)
            if f.name == "clear_quiet" or value is None:
                continue
            wanted[f.name] = sorted(value) if f.name == "opt_out" else value
        if change.clear_quiet:
            wanted["quiet_start"] = wanted["quiet_end"] = None
        changes = {
            name: {"from": _text(getattr(prefs, name)), "to": _text(value)}
            for name, value in wanted.items()
            if getattr(prefs, name) != value
        }
        if changes:
            for name in changes:
                setattr(prefs, name, wanted[name])
            prefs.updated_at = timezone.now()
            prefs.save()
            patient = getattr(user, "patient", None) if user.role == "patient" else None
            record_as(
                actor,
                "notifications.settings",
                patient_id=patient.pk if patient is not None else None,
                obj=prefs,
                detail=changes,
            )
    return changes


def mark_read(actor: Actor, notification: Notification) -> Notification:
    """Mark the notification read (the first time only; reading again changes nothing)."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if updated:
            record_as(actor, "notifications.read", obj=notification)
    notification.refresh_from_db(fields=["read_at"])
    return notification
