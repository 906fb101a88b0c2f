"""The in-app list: a person's notifications newest first (paged by :mod:`config.keyset`, like
every list), and the unread count for the header."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.notifications.models import Notification

__all__ = ["notifications_of", "unread_count"]


def notifications_of(user: User) -> QuerySet[Notification]:
    """``user``'s notifications, newest first; two made at one instant in id order, so a page
    boundary between them neither skips nor repeats one."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
