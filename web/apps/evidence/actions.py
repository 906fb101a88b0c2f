"""The one write of the evidence app: a clinician or clinic admin adds a trial.

The core validates the input first (:func:`apps.evidence.records.validate_trial`); the trial and
its outcome numbers are then stored in one transaction and the addition is audited (no patient
id: trials are not patient data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from apps.accounts.models import User
from apps.audit.log import record
from apps.evidence.models import StoredEffect, StoredTrial
from apps.evidence.records import TrialInput, validate_trial
from lowdose.evidence import EvidenceInputError

__all__ = ["add_trial"]


def add_trial(
    request: HttpRequest, data: Mapping[str, Any], effects: Sequence[Mapping[str, Any]]
) -> StoredTrial:
    """Validate with the core, store the trial and its effects, audit ``evidence.trial_added``.

    Raises :class:`lowdose.evidence.EvidenceInputError` (naming the field) and stores nothing
    when the input cannot be used.
    """
    checked = validate_trial(data, effects)
    user = request.user if isinstance(request.user, User) else None
    try:
        return _store(request, checked, user)
    except IntegrityError:  # the same id saved by someone else since validate_trial looked
        raise EvidenceInputError(
            f"trial_id {checked.trial_id!r} was just added by someone else; choose another id.",
            field="trial_id",
        ) from None


def _store(request: HttpRequest, checked: TrialInput, user: User | None) -> StoredTrial:
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
            added_by=user,
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
        record(
            request,
            "evidence.trial_added",
            obj=trial,
            detail={"trial_id": trial.trial_id, "outcomes": [r.outcome for r in checked.effects]},
        )
    return trial
