"""The in-app list: a person's notifications newest first, a page at a time (an opaque cursor),
and the unread count for the header."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from apps.accounts.models import User
from apps.notifications.models import Notification
from lowdose.errors import InputError

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "page_of", "unread_count"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Notification]
    next_cursor: str | None


def _encode(row: Notification) -> str:
    raw = json.dumps([row.created_at.isoformat(), row.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, pk = json.loads(raw)
        created = datetime.fromisoformat(when)
        if created.tzinfo is None or not isinstance(pk, int):
            raise ValueError(cursor)
        return created, pk
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InputError(
            "This cursor is not one lowdose gave out; use the 'next' address of the previous "
            "page, or leave cursor out to start from the newest.",
            field="cursor",
        ) from None


def page_of(user: User, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Page:
    """Up to ``limit`` of ``user``'s notifications, newest first, after ``cursor``; two rows
    share a time only with different ids, so no row is skipped or repeated between pages."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit: choose 1 to {MAX_LIMIT}.", field="limit")
    rows = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    if cursor:
        created, pk = _decode(cursor)
        rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    found = list(rows[: limit + 1])
    more = len(found) > limit
    items = found[:limit]
    return Page(items, _encode(items[-1]) if more and items else None)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
