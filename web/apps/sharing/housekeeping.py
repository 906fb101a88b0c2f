"""The hourly sweep of share links: an expired link's encrypted copy is deleted, even if nobody
ever tries it again (an attempt on it deletes it too, :func:`apps.sharing.actions.open_share_link`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.sharing.models import ShareLink

__all__ = ["drop_expired_packets"]


def drop_expired_packets(*, now: datetime | None = None, actor: Actor | None = None) -> int:
    """Empty the packet of every link expired at or before ``now``; returns how many. Idempotent:
    a second run finds none."""
    now = now or timezone.now()
    with transaction.atomic():
        dropped = ShareLink.objects.filter(expires_at__lte=now).exclude(packet="").update(packet="")
        if dropped:
            record_as(
                actor or Actor.system(),
                "housekeeping.share_links.drop",
                detail={"dropped": dropped},
            )
    return dropped
