"""Reading N-of-1 trials with permission (the rules: :mod:`apps.accounts.access`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from apps.accounts.access import (
    acting_user,
    audited_or_404,
    kits_only,
    request_actor,
    visible_patients,
)
from apps.accounts.models import Patient, User
from apps.nof1.models import Nof1Trial

__all__ = ["get_trial_for_user", "visible_trials"]


def visible_trials(user: User, action: str, patient: Patient | None = None) -> QuerySet[Nof1Trial]:
    """The N-of-1 trials ``user`` may perform ``action`` on, optionally of one ``patient``.

    Pharmacists (``nof1.kits``) get only the trials whose kits one of their pharmacies prepares.
    """
    patients = visible_patients(user, action)
    if patient is not None:
        patients = patients.filter(pk=patient.pk)
    rows = Nof1Trial.objects.filter(patient__in=patients).select_related("patient", "pharmacy")
    if kits_only(user, action):
        rows = rows.filter(pharmacy__pharmacists=user)
    return rows


def get_trial_for_user(request: HttpRequest, trial_id: int | str, action: str) -> Nof1Trial:
    """Return the N-of-1 trial if ``request.user`` may perform ``action`` on it, else Http404.

    Audited like :func:`~apps.accounts.access.get_patient_for_user`, with the trial as the object.
    """
    actor = acting_user(request, "No such trial.")
    try:
        pk = int(trial_id)
    except (TypeError, ValueError):
        raise Http404("No such trial.") from None
    found = visible_trials(actor, action).filter(pk=pk).first()
    if found is None:
        patient_id = Nof1Trial.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
    else:
        patient_id = found.patient_id
    return audited_or_404(
        request_actor(request, actor),
        action,
        found,
        patient_id=patient_id,
        missing="No such trial.",
    )
