"""Test helper: approve a draft trial as a second person (what the review page does)."""

from __future__ import annotations

from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.evidence.access import get_draft_for_reviewer
from apps.evidence.actions import review_trial
from apps.evidence.models import StoredTrial


def approve(trial_id: str, by: User, note: str = "Checked against the paper.") -> StoredTrial:
    trial = get_draft_for_reviewer(by, trial_id=trial_id)
    return review_trial(Actor.of(by), trial, "approve", note)
