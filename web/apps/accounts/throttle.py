"""Login rate limits, checked before any password is hashed.

Argon2 is slow on purpose (tens of milliseconds of CPU per guess), so an unlimited login form lets
one address slow everyone down. Every password check — the login page, the admin's login and
``POST /api/v1/auth/token`` — goes through :class:`RateLimitedModelBackend`, the only
authentication backend, which asks :func:`refusal` first and hashes only when it answers ``None``.

The policy, counted over ``LOWDOSE_LOCKOUT_MINUTES`` (15) from the first failure:

* **one username from one address**: after ``LOWDOSE_LOGIN_FAILURES`` (5) failures, that pair is
  refused for the rest of the window. Typos cost the typist, nobody else.
* **one address, any usernames**: after ``LOWDOSE_ADDRESS_FAILURES`` (20) failures the address is
  refused: one machine cannot spray guesses across accounts, nor burn the server's CPU.
* **one username, any addresses**: after ``LOWDOSE_USERNAME_FAILURES`` (10) failures, attempts on
  that username are *spaced*: one per ``LOWDOSE_USERNAME_SPACING_SECONDS`` (10) after each failure.
  It is never refused outright, so guessing from many addresses is slowed to a few tries a minute
  while the real person, from their own address, gets in after a few seconds' wait. A successful
  login does not clear this counter (an attacker must not be able to reset it).

The client address is :func:`apps.audit.addresses.client_address` (trusted proxies only).
Counters live in Django's cache: the database cache (the default) is shared by every app server;
local memory counts per process.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts.models import User
from apps.audit.addresses import client_address

__all__ = ["RateLimitedModelBackend", "refusal", "reset_limits", "retry_after"]

_PREFIX = "lowdose:login"


def _keys(request: HttpRequest, username: str) -> tuple[str, str, str, str]:
    address = client_address(request) or "unknown"
    # Usernames are hashed: a cache key must be short and safe, whatever was typed.
    who = hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()[:32]
    return (
        f"{_PREFIX}:pair:{who}:{address}",
        f"{_PREFIX}:address:{address}",
        f"{_PREFIX}:username:{who}",
        f"{_PREFIX}:spacing:{who}",
    )


def _count(key: str, now: float) -> tuple[int, float]:
    """(failures, when the window ends) of a counter; (0, now) when there is none."""
    value = cache.get(key)
    if isinstance(value, list | tuple) and len(value) == 2 and value[1] > now:
        return int(value[0]), float(value[1])
    return 0, now


def _add_failure(key: str, now: float) -> int:
    count, ends = _count(key, now)
    if count == 0:
        ends = now + settings.LOGIN_LIMIT_WINDOW.total_seconds()
    # Set with the time left, so the window runs from the first failure (cache.incr would
    # restart the default timeout on some backends).
    cache.set(key, (count + 1, ends), timeout=max(1, math.ceil(ends - now)))
    return count + 1


def refusal(request: HttpRequest, username: str, *, now: float | None = None) -> float | None:
    """Seconds to wait before ``username`` may try from this request's address; ``None``: go on."""
    now = time.time() if now is None else now
    pair, address, by_name, spacing = _keys(request, username)
    waits = []
    failures, ends = _count(pair, now)
    if failures >= settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS:
        waits.append(ends - now)
    failures, ends = _count(address, now)
    if failures >= settings.LOGIN_FAILURES_PER_ADDRESS:
        waits.append(ends - now)
    failures, _ = _count(by_name, now)
    if failures >= settings.LOGIN_FAILURES_PER_USERNAME:
        next_try = cache.get(spacing)
        if isinstance(next_try, float | int) and next_try > now:
            waits.append(float(next_try) - now)
    return max(waits) if waits else None


def record_failure(request: HttpRequest, username: str, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    pair, address, by_name, spacing = _keys(request, username)
    _add_failure(pair, now)
    _add_failure(address, now)
    if _add_failure(by_name, now) >= settings.LOGIN_FAILURES_PER_USERNAME:
        gap = settings.LOGIN_USERNAME_SPACING.total_seconds()
        cache.set(spacing, now + gap, timeout=max(1, math.ceil(gap)))


def record_success(request: HttpRequest, username: str) -> None:
    """The person got in from here: their own typos from this address are forgiven."""
    pair, _, _, _ = _keys(request, username)
    cache.delete(pair)


def reset_limits(request: HttpRequest, username: str) -> None:
    """Forget every counter of ``username`` and this address (an admin unlocking someone)."""
    cache.delete_many(list(_keys(request, username)))


def retry_after(request: HttpRequest) -> float | None:
    """Seconds the last refused attempt of ``request`` must wait, if it was refused."""
    wait = getattr(request, "lowdose_login_refused_for", None)
    return float(wait) if wait is not None else None


class RateLimitedModelBackend(ModelBackend):
    """Django's username-and-password backend, behind :func:`refusal`.

    A refused attempt raises ``PermissionDenied``: ``authenticate()`` then stops without trying
    any password (and sends ``user_login_failed``); :func:`retry_after` tells the view.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if request is None or username is None or password is None:
            # No request (a shell, a management command): nothing to count against.
            return super().authenticate(request, username, password, **kwargs)
        wait = refusal(request, username)
        if wait is not None:
            request.lowdose_login_refused_for = wait  # type: ignore[attr-defined]
            raise PermissionDenied("Too many failed logins.")
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            record_failure(request, username)
        else:
            record_success(request, username)
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        """The same limits for async callers (ModelBackend's own would skip them)."""
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)
