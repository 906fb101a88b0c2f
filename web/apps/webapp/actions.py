"""Turning Web Push on and off for one browser. Each write takes an
:class:`~apps.audit.actor.Actor` and typed values, and writes its audit event in the same
transaction; a refused value changes nothing (:class:`lowdose.errors.InputError`, a 400)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.webapp.models import PushSubscription
from lowdose.errors import InputError

__all__ = ["MAX_ENDPOINT", "subscribe", "unsubscribe", "validate_subscription"]

#: Endpoints of the big push services are under 500 characters; 2000 leaves room and bounds a row.
MAX_ENDPOINT = 2000
#: RFC 8291: the browser's key is an uncompressed P-256 point, its auth secret 16 bytes.
P256DH_BYTES = 65
AUTH_BYTES = 16


def _url_bytes(value: str, field: str, length: int) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise InputError(
            f"{field}: send the browser's key as it gives it (base64url of {length} bytes); "
            "subscribe again in the browser and send its subscription unchanged.",
            field=field,
        )
    return raw


def _check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    loopback_http = (
        settings.PUSH_ALLOW_LOOPBACK_HTTP
        and parts.scheme == "http"
        and parts.hostname == "127.0.0.1"
    )
    problem = ""
    if len(endpoint) > MAX_ENDPOINT:
        problem = f"is longer than {MAX_ENDPOINT} characters"
    elif parts.scheme != "https" and not loopback_http:
        problem = "must be an https:// address of a push service"
    elif not parts.hostname or parts.username or parts.password:
        problem = "must name a push service's host, without a user name or password"
    elif not loopback_http and _local_host(parts.hostname):
        problem = "must be a push service on the internet, not this network"
    if problem:
        raise InputError(
            f"endpoint {problem}; send the subscription the browser's PushManager gives.",
            field="endpoint",
        )


def _local_host(host: str) -> bool:
    """A host this server must not be made to post to (loopback, private or link-local)."""
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def validate_subscription(endpoint: str, p256dh: str, auth: str) -> None:
    """Raise :class:`InputError` unless the three values can be a browser's subscription: an
    https endpoint on the internet (plain http://127.0.0.1 only when
    ``settings.PUSH_ALLOW_LOOPBACK_HTTP``), a P-256 point and a 16-byte secret."""
    _check_endpoint(endpoint)
    point = _url_bytes(p256dh, "keys.p256dh", P256DH_BYTES)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise InputError(
            "keys.p256dh is not a point on the P-256 curve; send the browser's subscription "
            "unchanged.",
            field="keys.p256dh",
        ) from None
    _url_bytes(auth, "keys.auth", AUTH_BYTES)


def subscribe(
    actor: Actor, *, endpoint: str, p256dh: str, auth: str
) -> tuple[PushSubscription, bool]:
    """Keep the subscription of the browser ``actor`` uses; returns ``(row, created)``.

    Sending the same subscription again changes nothing (``created`` false). An endpoint stored
    for someone else moves to ``actor``: a browser reaches one person, the last to turn
    notifications on in it, so a shared computer never shows the previous person's messages.
    """
    user = _person(actor)
    validate_subscription(endpoint, p256dh, auth)
    with transaction.atomic():
        row = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        if row is not None and row.user_id == user.pk:
            if (row.p256dh, row.auth) == (p256dh, auth):
                return row, False
            row.p256dh, row.auth, row.failures = p256dh, auth, 0
            row.save(update_fields=["p256dh", "auth", "failures"])
            record_as(actor, "push.subscribe", obj=row, detail=_detail(endpoint, renewed=True))
            return row, False
        moved = row is not None
        if row is not None:
            row.delete()
        row = PushSubscription.objects.create(
            user=user, endpoint=endpoint, p256dh=p256dh, auth=auth
        )
        record_as(actor, "push.subscribe", obj=row, detail=_detail(endpoint, moved=moved))
    return row, True


def unsubscribe(actor: Actor, *, endpoint: str) -> bool:
    """Stop Web Push to the browser of ``endpoint`` if it is ``actor``'s; someone else's
    subscription is left alone. Returns whether one was removed."""
    user = _person(actor)
    with transaction.atomic():
        row = PushSubscription.objects.filter(endpoint=endpoint, user=user).first()
        if row is None:
            return False
        record_as(actor, "push.unsubscribe", obj=row, detail=_detail(endpoint))
        row.delete()
    return True


def _detail(endpoint: str, **flags: bool) -> dict[str, object]:
    # The push service's host only: the endpoint itself is a capability and stays out of the log.
    return {"service": urlsplit(endpoint).hostname or "", **{k: v for k, v in flags.items() if v}}


def _person(actor: Actor) -> User:
    if actor.user is None:
        raise InputError("Only a signed-in person can turn notifications on or off.")
    return actor.user
