"""Reading one check-in with permission (the rules: :mod:`apps.accounts.access`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest

from apps.accounts.access import acting_user, audited_or_404, request_actor, visible_patients
from apps.checkins.models import Checkin
from config.api_input import row_id

__all__ = ["get_checkin_for_user"]


def get_checkin_for_user(
    request: HttpRequest, patient_id: int | str, checkin_ref: int | str, action: str
) -> Checkin:
    """Return the patient's check-in if ``request.user`` may perform ``action`` on it, else Http404.

    ``checkin_ref`` is the check-in's id or its ``client_id`` (a UUID). A deleted check-in, one of
    another patient, or one named under the wrong patient id is a 404. Audited like
    :func:`~apps.accounts.access.get_patient_for_user`, with the check-in as the object.
    """
    actor = acting_user(request, "No such check-in.")
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such check-in.") from None
    ref = str(checkin_ref).strip()
    if (number := row_id(ref)) is not None:
        lookup: dict[str, Any] = {"pk": number}
    else:
        try:
            lookup = {"client_id": uuid.UUID(ref)}
        except ValueError:
            raise Http404("No such check-in.") from None
    patients = visible_patients(actor, action).filter(pk=pk)
    found = (
        Checkin.objects.in_diary()
        .filter(patient__in=patients, patient_id=pk, **lookup)
        .select_related("patient")
        .first()
    )
    return audited_or_404(
        request_actor(request, actor),
        action,
        found,
        patient_id=pk,
        missing="No such check-in.",
        clinic_id=found.patient.clinic_id if found is not None else None,
    )
