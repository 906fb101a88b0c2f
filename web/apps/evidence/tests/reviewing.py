"""Test helpers for the evidence app: approve a draft as a second person (what the review page
does), call the API as a user, and store a trial row directly (as older releases left them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from apps.accounts.models import ApiToken, User
from apps.audit.actor import Actor
from apps.evidence.access import get_draft_for_reviewer
from apps.evidence.actions import review_trial
from apps.evidence.models import StoredTrial

TRIALS_URL = "/api/v1/evidence/trials"


def approve(trial_id: str, by: User, note: str = "Checked against the paper.") -> StoredTrial:
    trial = get_draft_for_reviewer(by, trial_id=trial_id)
    return review_trial(Actor.of(by), trial, "approve", note)


def api_headers(user: User) -> dict[str, str]:
    """A bearer token for ``user``, valid for a day."""
    raw, digest = ApiToken.new_token()
    ApiToken.objects.create(
        user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
    )
    return {"Authorization": f"Bearer {raw}"}


def post_trial(user: User, body: dict[str, Any]) -> Any:
    """``POST /api/v1/evidence/trials`` as ``user``."""
    return Client().post(
        TRIALS_URL, body, content_type="application/json", headers=api_headers(user)
    )


def stored_trial(trial_id: str = "old2020", **fields: Any) -> StoredTrial:
    """A trial row saved directly, with one pain outcome (SMD −0.5, variance 0.05): what a
    migration leaves, without going through the checks of the add-a-trial action."""
    values: dict[str, Any] = {
        "label": "Old 2020",
        "year": 2020,
        "kind": "rct_parallel",
        "citation": "Old O. Test J 2020;1:1.",
        **fields,
    }
    trial = StoredTrial.objects.create(trial_id=trial_id, **values)
    trial.effects.create(
        outcome="pain",
        measure="SMD",
        yi=-0.5,
        vi=0.05,
        reported_what="SMD",
        reported_value="-0.5",
        how="yi and vi as published",
    )
    return trial


def admin_form(
    trial: dict[str, str] | None = None, effect: dict[str, str] | None = None
) -> dict[str, str]:
    """The Django admin's add-a-trial form with one pain outcome, PMID 19453963 as its primary
    source; ``trial`` and ``effect`` override fields (``effect`` without the inline prefix)."""
    form = {
        "trial_id": "admin2027",
        "label": "Admin 2027",
        "year": "2026",
        "kind": "rct_parallel",
        "n": "40",
        "dose": "4.5 mg",
        "citation": "Admin B. Test J 2026;2:3-4.",
        "doi": "",
        "pmid": "19453963",
        "registry_id": "",
        "url": "https://example.org/admin2027",
        "effects-TOTAL_FORMS": "1",
        "effects-INITIAL_FORMS": "0",
        "effects-MIN_NUM_FORMS": "1",
        "effects-MAX_NUM_FORMS": "1000",
        "effects-0-outcome": "pain",
        "effects-0-yi": "-0.3",
        "effects-0-vi": "0.05",
        "effects-0-reported_what": "pain SMD",
        "effects-0-reported_value": "-0.3 (SE 0.22)",
        "effects-0-how": "",
    }
    form.update(trial or {})
    form.update({f"effects-0-{k}": v for k, v in (effect or {}).items()})
    return form
