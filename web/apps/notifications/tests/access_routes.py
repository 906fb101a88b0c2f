"""Access matrix rows for the notifications and reminder settings (a person's own only)."""

from __future__ import annotations

from typing import Any

from apps.accounts.tests.matrix import Route, every_role
from apps.notifications.models import Notification


def _notification(*, target: Any, whose: str, people: Any) -> dict[str, str]:
    """A notification of the target patient (own: the patient persona's; other: another
    patient's, which nobody else may read)."""
    row = Notification.objects.create(recipient=target.user, kind="checkin", title="Check in")
    return {"{n}": str(row.pk)}


ROUTES: tuple[Route, ...] = (
    Route("notifications:list", "GET", "/notifications/", every_role(200, anonymous=302)),
    Route(
        "notifications:read",
        "POST",
        "/notifications/{n}/read",
        every_role(404, anonymous=302, patient=302),
        every_role(404, anonymous=302),
        extra={"setup": _notification},
    ),
    Route("notifications:settings", "GET", "/me/reminders/", every_role(200, anonymous=302)),
    Route(
        "notifications:settings",
        "POST",
        "/me/reminders/",
        every_role(302),
        body={"checkin_time": "19:30", "dose_time": "21:30", "digest_time": "08:00"},
    ),
    Route(
        "api:list_notifications",
        "GET",
        "/api/v1/notifications",
        every_role(200, anonymous=401),
        api=True,
    ),
    Route(
        "api:read_notification",
        "POST",
        "/api/v1/notifications/{n}/read",
        every_role(404, anonymous=401, patient=200),
        every_role(404, anonymous=401),
        api=True,
        extra={"setup": _notification},
    ),
    Route(
        "api:get_reminder_settings",
        "GET",
        "/api/v1/me/reminders",
        every_role(200, anonymous=401),
        api=True,
    ),
    Route(
        "api:put_reminder_settings",
        "PUT",
        "/api/v1/me/reminders",
        every_role(200, anonymous=401),
        body={"checkin_time": "19:30"},
        api=True,
    ),
)
