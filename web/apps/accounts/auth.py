"""Authentication for the REST API: bearer tokens, and for a few operations the pages' own
scripts call, the signed-in session with its CSRF token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from apps.accounts.models import ApiToken, User
from apps.accounts.two_factor import is_verified, two_factor_required

#: A token's last use is recorded to the hour: at most one write an hour per token, so a client
#: that reads all day costs one UPDATE an hour, not one per request (issue 14: a read writes at
#: most one audit event). Enough to see which tokens are in use and revoke the stale ones.
LAST_USE_RESOLUTION = timedelta(hours=1)


class BearerToken(HttpBearer):
    """A bearer token: one statement reads the token, its person and, for a patient, their own
    record, so an operation on that record needs no second read to find it
    (:func:`apps.accounts.access.get_patient_for_user` takes the record already read).

    ``related``: more of the person to read in the same statement, for an operation that needs
    it (the new check-in reads the patient's panel summary)."""

    def __init__(self, *, related: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.related = related

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user", "user__patient", *self.related)
            .filter(key_hash=ApiToken.hash(token), expires_at__gt=now, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USE_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        user: User = row.user
        request.user = user
        request.api_token = row  # type: ignore[attr-defined]  # the token in use (revoke, list)
        return user


def current_token(request: HttpRequest) -> ApiToken | None:
    """The API token the request authenticated with, if any."""
    token = getattr(request, "api_token", None)
    return token if isinstance(token, ApiToken) else None


class SignedInSession(SessionAuth):
    """The browser's own session, for the few operations the pages' scripts call (the offline
    check-in queue, notifications on this device): a signed-in, active person who passed
    two-factor where it is required, and a request carrying the CSRF token (django-ninja checks
    it before this runs; a missing or wrong token is a 403)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
            return None
        if two_factor_required(user) and not is_verified(request):
            return None
        return user
