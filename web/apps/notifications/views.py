"""The notification list (the bell in the header) and the reminder settings page: a person's
own, for every role; the settings page shows each role only what applies to it."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

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
from config.keyset import PageIn, keyset_page
from lowdose.errors import InputError
from lowdose.reminders import ReminderKind

__all__ = ["notification_list", "read", "reminder_settings"]

#: The kinds a patient can turn off, in the order the page lists them.
PATIENT_KINDS = [(k.value, k.label) for k in ReminderKind]


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    error = ""
    rows = notifications_of(user)
    try:
        items, older = keyset_page(
            request, rows, PageIn(limit=None, cursor=request.GET.get("cursor") or None)
        )
    except InputError:
        error = (
            "That link to older notifications was not made by lowdose, so the newest are shown. "
            "Use the “Older notifications” link at the bottom of the page."
        )
        items, older = keyset_page(request, rows, PageIn(limit=None, cursor=None))
    return render(
        request,
        "notifications/list.html",
        {"items": items, "older": older, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    row = mark_read(actor, get_notification_for_user(actor, notification_id))
    if request.POST.get("open") and row.link.startswith("/") and not row.link.startswith("//"):
        return redirect(row.link)
    return redirect("notifications:list")


def _change(request: HttpRequest, user: User) -> SettingsChange:
    post = request.POST

    def wall(name: str, what: str) -> object:
        value = post.get(name, "").strip()
        return parse_wall_time(value, name, what) if value else None

    quiet_on = post.get("quiet") == "on"
    if user.is_patient:
        return SettingsChange(
            checkin_time=wall("checkin_time", "Check-in reminder"),  # type: ignore[arg-type]
            dose_time=wall("dose_time", "Dose reminder"),  # type: ignore[arg-type]
            quiet_start=wall("quiet_start", "Quiet hours start") if quiet_on else None,  # type: ignore[arg-type]
            quiet_end=wall("quiet_end", "Quiet hours end") if quiet_on else None,  # type: ignore[arg-type]
            clear_quiet=not quiet_on,
            opt_out=frozenset(k for k, _ in PATIENT_KINDS if post.get(f"want_{k}") != "on"),
            email=post.get("email") == "on",
        )
    return SettingsChange(
        email=post.get("email") == "on",
        urgent_at_once=post.get("urgent_at_once") == "on",
        digest_time=wall("digest_time", "Digest time"),  # type: ignore[arg-type]
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    error: InputError | None = None
    if request.method == "POST":
        try:
            changes = update_reminder_settings(
                Actor.from_request(request), user, _change(request, user)
            )
        except InputError as exc:
            error = exc
        else:
            messages.success(
                request, "Reminder settings saved." if changes else "Nothing to change."
            )
            return redirect("notifications:settings")
    prefs = ReminderSettings.objects.filter(user=user).first() or ReminderSettings(user=user)
    return render(
        request,
        "notifications/settings.html",
        {
            "prefs": prefs,
            "kinds": [(k, label, k not in prefs.opt_out) for k, label in PATIENT_KINDS],
            "patient": getattr(user, "patient", None) if user.is_patient else None,
            "error": error,
        },
        status=400 if error else 200,
    )
