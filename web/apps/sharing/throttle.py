"""The manifest endpoint's rate limit: the login throttle's rule for one address
(:mod:`apps.accounts.throttle`).

Each refused attempt from an address (an unknown link, a wrong passcode, a refused link, an
unreadable request) counts; after ``LOWDOSE_ADDRESS_FAILURES`` (20) within
``LOWDOSE_LOCKOUT_MINUTES`` (15) of the first, the address gets 429 until the window ends,
before any passcode is hashed. A single link locks on its own after five wrong passcodes
(:data:`apps.sharing.models.MAX_PASSCODE_FAILURES`), whatever the address.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from apps.audit.addresses import client_address

__all__ = ["record_failure", "refusal"]

_PREFIX = "lowdose:shl:address"


def _key(request: HttpRequest) -> str:
    return f"{_PREFIX}:{client_address(request) or 'unknown'}"


def _count(key: str, now: float) -> tuple[int, float]:
    value = cache.get(key)
    if isinstance(value, list | tuple) and len(value) == 2 and value[1] > now:
        return int(value[0]), float(value[1])
    return 0, now


def refusal(request: HttpRequest, *, now: float | None = None) -> float | None:
    """Seconds this address must wait before asking again; ``None``: go on."""
    now = time.time() if now is None else now
    failures, ends = _count(_key(request), now)
    if failures >= settings.LOGIN_FAILURES_PER_ADDRESS:
        return ends - now
    return None


def record_failure(request: HttpRequest, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    key = _key(request)
    count, ends = _count(key, now)
    if count == 0:
        ends = now + settings.LOGIN_LIMIT_WINDOW.total_seconds()
    cache.set(key, (count + 1, ends), timeout=max(1, math.ceil(ends - now)))
