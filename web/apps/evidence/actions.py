"""The one write of the evidence app: a clinician or clinic admin adds a trial.

The caller validates the input with the core first (:func:`apps.evidence.records.validate_trial`,
which returns the typed :class:`~apps.evidence.records.TrialInput`); the trial and its outcome
numbers are then stored in one transaction and the addition is audited (no patient
id: trials are not patient data).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.evidence.models import StoredEffect, StoredTrial
from apps.evidence.records import TrialInput
from lowdose.evidence import EvidenceInputError

__all__ = ["add_trial"]


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
