"""Reading prescriptions with permission (the rules: :mod:`apps.accounts.access`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from apps.accounts.access import (
    ROUTED_STATUSES,
    acting_user,
    audited_or_404,
    request_actor,
    routed_only,
    visible_patients,
)
from apps.accounts.models import Patient, User
from apps.clinical.models import Prescription

__all__ = ["get_prescription_for_user", "visible_prescriptions"]


def visible_prescriptions(
    user: User, action: str, patient: Patient | None = None
) -> QuerySet[Prescription]:
    """The prescriptions ``user`` may perform ``action`` on, optionally of one ``patient``.

    Clinicians see every prescription of the patients in their scope; patients their own once
    signed (a draft is not a prescription yet: it is neither shown nor offered as a download);
    pharmacists only the signed or dispensed ones routed to one of their pharmacies.
    """
    patients = visible_patients(user, action)
    if patient is not None:
        patients = patients.filter(pk=patient.pk)
    rows = Prescription.objects.filter(patient__in=patients)
    if routed_only(user, action):
        rows = rows.filter(pharmacy__pharmacists=user, status__in=ROUTED_STATUSES)
    elif user.is_patient:
        rows = rows.filter(status__in=ROUTED_STATUSES)
    return rows


def get_prescription_for_user(
    request: HttpRequest, patient_id: int | str | None, prescription_id: int | str, action: str
) -> Prescription:
    """Return the patient's prescription if ``request.user`` may perform ``action`` on it.

    Raises Http404 otherwise (a wrong patient id, another pharmacy's prescription, a draft for a
    pharmacist). ``patient_id=None`` looks the prescription up by its own id (the API's
    ``/prescriptions/{id}/...`` routes). Audited like
    :func:`~apps.accounts.access.get_patient_for_user`, with the prescription as the object.
    """
    actor = acting_user(request, "No such prescription.")
    try:
        pk = None if patient_id is None else int(patient_id)
        rx = int(prescription_id)
    except (TypeError, ValueError):
        raise Http404("No such prescription.") from None
    rows = visible_prescriptions(actor, action).filter(pk=rx)
    if pk is not None:
        rows = rows.filter(patient_id=pk)
    found = rows.first()
    if pk is None:
        pk = Prescription.objects.filter(pk=rx).values_list("patient_id", flat=True).first()
    return audited_or_404(
        request_actor(request, actor), action, found, patient_id=pk, missing="No such prescription."
    )
