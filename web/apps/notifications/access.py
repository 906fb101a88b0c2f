"""Reading notifications with permission: a person sees only their own (anyone else's is 404)."""

from __future__ import annotations

from django.http import Http404

from apps.audit.actor import Actor
from apps.notifications.models import Notification

__all__ = ["get_notification_for_user"]


def get_notification_for_user(actor: Actor, notification_id: int | str) -> Notification:
    """The notification if it is ``actor``'s own, else Http404 (another person's and a missing
    one answer alike, so ids reveal nothing)."""
    if actor.user is None:
        raise Http404("No such notification.")
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise Http404("No such notification.") from None
    found = Notification.objects.filter(pk=pk, recipient=actor.user).first()
    if found is None:
        raise Http404("No such notification.")
    return found
