"""The writes of the evidence app: a clinician or clinic admin adds a trial, and a second person
approves or rejects it.

The caller validates the input with the core first (:func:`apps.evidence.records.validate_trial`,
which returns the typed :class:`~apps.evidence.records.TrialInput`); the trial and its outcome
numbers are then stored in one transaction as a *draft* and the addition is audited (no patient
id: trials are not patient data). A draft changes no summary until another clinician of the
author's clinic or the clinic admin approves it with a note (:func:`review_trial`; who may is
:mod:`apps.evidence.access`); the approval stores what it changed (each outcome's verdict and
pooled estimate without and with the trial) and is audited in the same transaction.
"""

from __future__ import annotations

from typing import Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.evidence.models import Review, StoredEffect, StoredTrial
from apps.evidence.queries import trial_change
from apps.evidence.records import TrialInput
from lowdose.evidence import EvidenceInputError

__all__ = ["NOTE_LIMIT", "add_trial", "no_primary_source", "review_trial"]

#: The longest review note kept (characters).
NOTE_LIMIT = 2000


def no_primary_source(trial: StoredTrial) -> str:
    """Why ``trial`` (without a DOI, PubMed id or registry id of a known form) cannot be approved,
    and what to do."""
    given = ", ".join(repr(i) for i in trial.identifiers)
    found = f"its identifier {given} is not of a known form" if given else "it has no identifier"
    return (
        f"{trial.label} cannot be approved: {found}, so its numbers would link to no primary "
        "source. The clinic admin adds its DOI, PubMed id or trial-registry id (admin, "
        "clinician-added trials); then approve it. Or reject it, and the author adds it again "
        "with one under a new id."
    )


def add_trial(actor: Actor, checked: TrialInput) -> StoredTrial:
    """Store a trial the core has validated and its effects; audit ``evidence.trial_added``.

    Raises :class:`lowdose.evidence.EvidenceInputError` (naming the field) and stores nothing
    when the id was taken since it was validated.
    """
    try:
        return _store(actor, checked)
    except IntegrityError:  # the same id saved by someone else since validate_trial looked
        raise EvidenceInputError(
            f"trial_id {checked.trial_id!r} was just added by someone else; choose another id.",
            field="trial_id",
        ) from None


def _store(actor: Actor, checked: TrialInput) -> StoredTrial:
    with transaction.atomic():
        trial = StoredTrial.objects.create(
            trial_id=checked.trial_id,
            label=checked.label,
            year=checked.year,
            kind=checked.kind,
            n=checked.n,
            dose=checked.dose,
            citation=checked.citation,
            doi=checked.doi,
            pmid=checked.pmid,
            registry_id=checked.registry_id,
            url=checked.url,
            added_by=actor.user,
        )
        for rec, derived in zip(checked.effects, checked.derived, strict=True):
            reported = rec.reported[0]
            StoredEffect.objects.create(
                trial=trial,
                outcome=rec.outcome,
                measure=rec.measure,
                yi=rec.yi,
                vi=rec.vi,
                reported_what=reported.what,
                reported_value=reported.value,
                derived=derived,
                how=rec.how,
            )
        record_as(
            actor,
            "evidence.trial_added",
            obj=trial,
            detail={"trial_id": trial.trial_id, "outcomes": [r.outcome for r in checked.effects]},
        )
    return trial


def review_trial(
    actor: Actor, trial: StoredTrial, decision: Literal["approve", "reject"], note: str
) -> StoredTrial:
    """Approve or reject a draft the actor may review (the caller got it from
    :func:`apps.evidence.access.get_draft_for_reviewer`); audit ``evidence.trial_approved`` or
    ``evidence.trial_rejected`` in the same transaction.

    Raises :class:`lowdose.evidence.EvidenceInputError` and changes nothing when the note is
    blank or too long, the decision is unknown, the actor is the author, someone reviewed the
    trial since it was read, or it is approved without a primary identifier (DOI, PubMed id or
    trial-registry id: fail closed, :func:`no_primary_source`).
    """
    note = note.strip()
    if decision not in ("approve", "reject"):
        raise EvidenceInputError("Choose approve or reject.", field="decision")
    if not note:
        raise EvidenceInputError(
            "Write a note saying why you approve or reject this trial; nothing was changed.",
            field="note",
        )
    if len(note) > NOTE_LIMIT:
        raise EvidenceInputError(
            f"Shorten the note to {NOTE_LIMIT} characters or fewer; nothing was changed.",
            field="note",
        )
    user = actor.user
    if user is None:
        raise EvidenceInputError("Sign in to review a trial.", field="decision")
    with transaction.atomic():
        locked = StoredTrial.objects.select_for_update().get(pk=trial.pk)
        if locked.added_by_id is not None and locked.added_by_id == user.pk:
            raise EvidenceInputError(
                "You added this trial, so someone else must review it.", field="decision"
            )
        if locked.review != Review.DRAFT:
            raise EvidenceInputError(
                f"This trial was {locked.get_review_display().lower()} by someone else a moment "
                "ago; nothing was changed.",
                field="decision",
            )
        approve = decision == "approve"
        if approve and locked.provenance() is None:
            raise EvidenceInputError(
                f"{no_primary_source(locked)} Nothing was changed.", field="decision"
            )
        locked.review = Review.APPROVED if approve else Review.REJECTED
        locked.reviewed_by = user
        locked.reviewed_at = timezone.now()
        locked.review_note = note
        locked.review_change = trial_change(locked) if approve else []
        locked.save(
            update_fields=["review", "reviewed_by", "reviewed_at", "review_note", "review_change"]
        )
        record_as(
            actor,
            "evidence.trial_approved" if approve else "evidence.trial_rejected",
            obj=locked,
            detail={"trial_id": locked.trial_id, "note": note, "change": locked.review_change},
        )
    return locked
