"""Template context: the number of clinician-added trials waiting for the signed-in clinician's or
clinic admin's review (shown in the navigation beside "Trials to review"), in one query when a
page renders it; nothing for anyone else."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.accounts.models import User
from apps.evidence.access import may_review, reviewable_drafts

__all__ = ["trials_waiting"]


def trials_waiting(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not may_review(user):
        return {}
    # Lazy: counted only when a page actually renders the navigation.
    return {"trials_waiting": SimpleLazyObject(lambda: reviewable_drafts(user).count())}
