"""Who may review a clinician-added trial (issue 16, item 2).

A trial is reviewed by a second person of the author's clinic: another clinician or the clinic
admin, never its author. Everyone else — patients, pharmacists, the author, people of another
clinic — gets a 404 for it, so nobody can probe which drafts exist.

=======================  ============================================================
who                      may review
=======================  ============================================================
clinician                drafts added by someone else of their clinic
clinic admin             drafts added by someone else of their clinic, and drafts whose
                         author is unknown (rows from before authors were recorded)
author                   — (never their own trial)
patient, pharmacist      —
=======================  ============================================================
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts.models import Role, User
from apps.evidence.models import Review, StoredTrial

__all__ = ["REVIEWERS", "get_draft_for_reviewer", "may_review", "reviewable_drafts"]

#: Roles that may add and review trials.
REVIEWERS = (Role.CLINICIAN, Role.ADMIN)


def may_review(user: object) -> bool:
    """Whether ``user`` reviews trials at all (a clinician or clinic admin with a clinic)."""
    return isinstance(user, User) and user.role in REVIEWERS and user.clinic_id is not None


def reviewable_drafts(user: User) -> QuerySet[StoredTrial]:
    """The drafts ``user`` may approve or reject: added by someone else of their clinic."""
    if not may_review(user):
        return StoredTrial.objects.none()
    mine = Q(added_by__clinic_id=user.clinic_id)
    if user.role == Role.ADMIN:
        mine |= Q(added_by__isnull=True)
    return (
        StoredTrial.objects.filter(mine, review=Review.DRAFT)
        .exclude(added_by=user)
        .select_related("added_by")
        .prefetch_related("effects")
        .order_by("added_at", "pk")
    )


def get_draft_for_reviewer(
    user: User, pk: int | None = None, *, trial_id: str | None = None
) -> StoredTrial:
    """The draft ``pk`` (or with ``trial_id``) if ``user`` may review it; ``Http404`` otherwise
    (also once it is reviewed)."""
    found = reviewable_drafts(user)
    found = found.filter(trial_id=trial_id) if trial_id is not None else found.filter(pk=pk or 0)
    trial = found.first()
    if trial is None:
        raise Http404("No such trial waiting for your review.")
    return trial
