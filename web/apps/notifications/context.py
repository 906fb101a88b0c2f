"""Template context: the signed-in person's unread notifications (the bell in the header),
counted only when a page renders it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.accounts.models import User
from apps.notifications.queries import unread_count

__all__ = ["unread_notifications"]


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
