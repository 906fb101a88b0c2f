"""Template context: the number of open alerts waiting for the signed-in clinician or pharmacist
(shown in the navigation), in one query; nothing for anyone else."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.accounts.models import Role, User
from apps.alerts.queries import open_count

__all__ = ["alert_count"]


def alert_count(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or user.role not in (Role.CLINICIAN, Role.PHARMACIST):
        return {}
    # Lazy: counted only when a page actually renders the navigation.
    return {"alert_count": SimpleLazyObject(lambda: open_count(user))}
