"""Input and output schemas of the notifications API: only these fields cross the boundary."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from apps.notifications.models import Notification, ReminderSettings
from config.api_input import BodyIn

__all__ = ["NotificationOut", "NotificationPageOut", "ReminderSettingsIn", "ReminderSettingsOut"]


class NotificationOut(Schema):
    id: int
    kind: str = Field(
        description="checkin, dose, titration_step, nof1_switch, questionnaire, nudge, alert "
        "or alert_digest"
    )
    title: str
    body: str
    link: str = Field(description="A path on this site the notification leads to, or empty")
    created_at: datetime = Field(description="ISO 8601, UTC")
    read_at: datetime | None

    @staticmethod
    def from_row(row: Notification) -> dict[str, object]:
        return {
            "id": row.pk,
            "kind": row.kind,
            "title": row.title,
            "body": row.body,
            "link": row.link,
            "created_at": row.created_at,
            "read_at": row.read_at,
        }


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next: str | None = Field(description="The address of the next (older) page, or null")


class ReminderSettingsOut(Schema):
    checkin_time: str = Field(description="HH:MM, the patient's local time")
    dose_time: str = Field(description="HH:MM, the patient's local time")
    quiet_start: str | None = Field(description="HH:MM, or null: no quiet hours")
    quiet_end: str | None = Field(description="HH:MM (may be earlier than the start: overnight)")
    opt_out: list[str] = Field(description="Kinds of reminder turned off")
    email: bool = Field(description="Also by e-mail (when the account has an address)")
    urgent_at_once: bool = Field(description="Clinicians: urgent alerts at once")
    digest_time: str = Field(description="Clinicians: HH:MM of the daily alert digest")
    time_zone: str = Field(description="The zone the times are in")

    @staticmethod
    def from_row(row: ReminderSettings, zone: str) -> dict[str, object]:
        def hm(value: object) -> str | None:
            return None if value is None else value.strftime("%H:%M")  # type: ignore[attr-defined]

        return {
            "checkin_time": hm(row.checkin_time),
            "dose_time": hm(row.dose_time),
            "quiet_start": hm(row.quiet_start),
            "quiet_end": hm(row.quiet_end),
            "opt_out": sorted(row.opt_out),
            "email": row.email,
            "urgent_at_once": row.urgent_at_once,
            "digest_time": hm(row.digest_time),
            "time_zone": zone,
        }


class ReminderSettingsIn(BodyIn):
    """Every field is optional: a field left out keeps its value. Quiet hours are set with both
    ``quiet_start`` and ``quiet_end``, and turned off with both ``null``."""

    checkin_time: str | None = Field(None, description="HH:MM")
    dose_time: str | None = Field(None, description="HH:MM")
    quiet_start: str | None = Field(None, description="HH:MM, or null with quiet_end: none")
    quiet_end: str | None = Field(None, description="HH:MM, or null with quiet_start: none")
    opt_out: list[str] | None = Field(None, description="Kinds of reminder to turn off")
    email: bool | None = None
    urgent_at_once: bool | None = Field(None, description="Clinicians only")
    digest_time: str | None = Field(None, description="Clinicians only: HH:MM")
    time_zone: str | None = Field(
        None, description="Clinicians only (a patient's zone is set in their settings)"
    )
