"""Bearer-token authentication for the REST API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from apps.accounts.models import ApiToken, User

#: A token's last use is recorded to the hour: at most one write an hour per token, so a client
#: that reads all day costs one UPDATE an hour, not one per request (issue 14: a read writes at
#: most one audit event). Enough to see which tokens are in use and revoke the stale ones.
LAST_USE_RESOLUTION = timedelta(hours=1)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user")
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
