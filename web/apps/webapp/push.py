"""Web Push: a short message to every browser where a person turned notifications on.

:func:`send_push` is what a notification channel calls. The message is encrypted for each
browser (RFC 8291, ``aes128gcm``) and signed with the server's VAPID key (RFC 8292); the push
service (Google's, Mozilla's, Apple's…) sees neither the words nor the link. A browser that is
gone (the push service answers 404 or 410) loses its subscription; any other failure is counted
on the subscription and the next message tries again.
"""

from __future__ import annotations

import base64
import json
import logging
from functools import lru_cache

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from apps.accounts.models import User
from apps.webapp.models import PushSubscription

__all__ = ["GONE", "TIMEOUT_SECONDS", "TTL_SECONDS", "enabled", "public_key", "send_push"]

logger = logging.getLogger(__name__)

#: A push service's answers that mean the browser's subscription no longer exists (RFC 8030 §7.3).
GONE = frozenset({404, 410})
#: How long a push service keeps a message for a browser that is off: a day, after which a
#: reminder is stale (RFC 8030 §5.2).
TTL_SECONDS = 24 * 3600
#: One push service that does not answer must not hold up a job for long.
TIMEOUT_SECONDS = 10.0
#: The longest title and body shown; a notification shows a line or two anyway, and a push
#: message may carry at most 4 kB (RFC 8291 §4).
MAX_TITLE = 100
MAX_BODY = 500


def enabled() -> bool:
    """Is Web Push set up on this server (a VAPID key, see docs/deployment.md)?"""
    return bool(settings.VAPID_PRIVATE_KEY_PEM)


@lru_cache(maxsize=4)
def _vapid(pem: str) -> Vapid:
    return Vapid.from_pem(pem.encode("ascii"))


def public_key() -> str:
    """The VAPID public key as the browser's ``applicationServerKey`` wants it: the uncompressed
    P-256 point, base64url without padding; "" when Web Push is off."""
    if not enabled():
        return ""
    point = _vapid(settings.VAPID_PRIVATE_KEY_PEM).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode("ascii")


def send_push(user: User, *, title: str, body: str, url: str) -> int:
    """Show ``title`` and ``body`` on every browser where ``user`` turned notifications on;
    a click opens ``url`` (a path on this site, e.g. ``/patients/3/checkin/``).

    Returns how many push services accepted the message. Safe to call again (a job that runs
    twice shows the notification twice at worst); with Web Push off it sends nothing and
    returns 0.
    """
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"url must be a path on this site, such as /patients/3/checkin/: {url!r}")
    if not enabled():
        return 0
    payload = json.dumps({"title": title[:MAX_TITLE], "body": body[:MAX_BODY], "url": url})
    delivered = 0
    for subscription in PushSubscription.objects.filter(user=user):
        if _deliver(subscription, payload):
            delivered += 1
    return delivered


def _deliver(subscription: PushSubscription, payload: str) -> bool:
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        webpush(
            info,
            data=payload,
            vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY_PEM),
            vapid_claims={"sub": settings.VAPID_SUBJECT},  # a new dict: webpush adds aud and exp
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        if exc.status_code in GONE:
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            return False
        logger.warning("Web Push to subscription %s failed: %s", subscription.pk, exc.status_code)
    except requests.RequestException as exc:
        logger.warning(
            "Web Push to subscription %s failed: %s", subscription.pk, type(exc).__name__
        )
    else:
        PushSubscription.objects.filter(pk=subscription.pk).update(
            last_success_at=timezone.now(), failures=0
        )
        return True
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)
    return False
