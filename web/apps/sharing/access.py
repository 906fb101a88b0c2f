"""The getter of share links: a patient's own link, named under their own record, or 404."""

from __future__ import annotations

from django.http import HttpRequest

from apps.accounts.access import acting_user, audited_or_404, request_actor
from apps.accounts.models import Patient
from apps.sharing.models import ShareLink

__all__ = ["get_link_for_user"]


def get_link_for_user(request: HttpRequest, patient: Patient, link_id: int) -> ShareLink:
    """``patient``'s link ``link_id`` (``patient`` already checked with ``sharing.manage``);
    another patient's link, or an id that does not exist, is a 404 (audited as refused)."""
    user = acting_user(request, "No such share link.")
    found = ShareLink.objects.filter(pk=link_id, patient=patient).first()
    return audited_or_404(
        request_actor(request, user),
        "sharing.manage",
        found,
        patient_id=patient.pk,
        missing="No such share link.",
        clinic_id=patient.clinic_id,
    )
