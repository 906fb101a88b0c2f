"""The notifications API: the caller's own notifications and reminder settings."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Status

from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.notifications.access import get_notification_for_user
from apps.notifications.actions import (
    SettingsChange,
    mark_read,
    parse_wall_time,
    update_reminder_settings,
)
from apps.notifications.models import ReminderSettings
from apps.notifications.queries import notifications_of
from apps.notifications.schemas import (
    NotificationOut,
    NotificationPageOut,
    ReminderSettingsIn,
    ReminderSettingsOut,
)
from config.api_input import ErrorOut, ObjectId
from config.keyset import PAGED, PageIn, keyset_page
from lowdose.errors import InputError

router = Router(tags=["notifications"], auth=BearerToken())


@router.get(
    "/notifications",
    response={200: NotificationPageOut, 400: ErrorOut},
    summary="Your notifications, newest first, a page at a time",
    description=PAGED,
)
def list_notifications(request: HttpRequest, page: Query[PageIn]) -> Status[dict[str, object]]:
    rows, link = keyset_page(request, notifications_of(cast(User, request.user)), page)
    return Status(200, {"items": [NotificationOut.from_row(n) for n in rows], "next": link})


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut},
    summary="Mark one of your notifications read (again: no change)",
)
def read_notification(request: HttpRequest, notification_id: ObjectId) -> Status[dict[str, object]]:
    actor = Actor.from_request(request)
    row = mark_read(actor, get_notification_for_user(actor, notification_id))
    return Status(200, NotificationOut.from_row(row))


def _zone(user: User, row: ReminderSettings) -> str:
    patient = getattr(user, "patient", None) if user.is_patient else None
    if patient is not None:
        return str(patient.time_zone)
    return row.time_zone or str(settings.DEFAULT_PATIENT_TIME_ZONE)


def _settings_of(user: User) -> ReminderSettings:
    return ReminderSettings.objects.filter(user=user).first() or ReminderSettings(user=user)


@router.get(
    "/me/reminders",
    response={200: ReminderSettingsOut},
    summary="Your reminder settings (the defaults until you change them)",
)
def get_reminder_settings(request: HttpRequest) -> Status[dict[str, object]]:
    user = cast(User, request.user)
    row = _settings_of(user)
    return Status(200, ReminderSettingsOut.from_row(row, _zone(user, row)))


def change_from(payload: ReminderSettingsIn) -> SettingsChange:
    """The typed change from the body: every time checked (400 naming the field)."""
    sent = payload.model_fields_set

    def wall(name: str, what: str) -> object:
        value = getattr(payload, name)
        return None if value is None else parse_wall_time(value, name, what)

    quiet_cleared = {"quiet_start", "quiet_end"} <= sent and (
        payload.quiet_start is None and payload.quiet_end is None
    )
    if payload.time_zone is not None and not payload.time_zone.strip():
        raise InputError("time_zone: choose a place name such as Europe/London.", field="time_zone")
    return SettingsChange(
        checkin_time=wall("checkin_time", "Check-in reminder"),  # type: ignore[arg-type]
        dose_time=wall("dose_time", "Dose reminder"),  # type: ignore[arg-type]
        quiet_start=wall("quiet_start", "Quiet hours start"),  # type: ignore[arg-type]
        quiet_end=wall("quiet_end", "Quiet hours end"),  # type: ignore[arg-type]
        clear_quiet=quiet_cleared,
        opt_out=frozenset(payload.opt_out) if payload.opt_out is not None else None,
        email=payload.email,
        urgent_at_once=payload.urgent_at_once,
        digest_time=wall("digest_time", "Digest time"),  # type: ignore[arg-type]
        time_zone=payload.time_zone,
    )


@router.put(
    "/me/reminders",
    response={200: ReminderSettingsOut, 400: ErrorOut},
    summary="Change your reminder settings (fields left out keep their value)",
    description="Times are HH:MM in your time zone. Quiet hours may run overnight (22:00 to "
    "07:00); a reminder inside them is sent when they end, or not that day if they end the "
    "next day. A bad value is a 400 naming the field; nothing is changed.",
)
def put_reminder_settings(
    request: HttpRequest, payload: ReminderSettingsIn
) -> Status[dict[str, object]]:
    user = cast(User, request.user)
    update_reminder_settings(Actor.from_request(request), user, change_from(payload))
    row = _settings_of(user)
    return Status(200, ReminderSettingsOut.from_row(row, _zone(user, row)))
