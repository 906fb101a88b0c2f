"""Reading alerts with permission (the rules: :mod:`apps.accounts.access`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from apps.accounts.access import audited_or_404, visible_patients
from apps.accounts.models import Role, User
from apps.alerts.models import Alert
from apps.audit.actor import Actor

__all__ = ["get_alert_for_user", "visible_alerts"]


def visible_alerts(user: User, action: str = "alerts.view") -> QuerySet[Alert]:
    """The alerts ``user`` may see (``alerts.view``) or acknowledge (``alerts.acknowledge``).

    Clinicians: every alert of the patients of their care teams. Pharmacists: only the alerts
    that block dispensing or kit release, of patients whose prescription or kits their pharmacy
    holds. Everyone else: none.
    """
    rows = Alert.objects.filter(patient__in=visible_patients(user, action)).select_related(
        "patient", "acknowledged_by", "resolved_by"
    )
    if user.is_authenticated and user.role == Role.PHARMACIST:
        rows = rows.filter(blocks_dispensing=True)
    return rows


def get_alert_for_user(actor: Actor, alert_id: int | str, action: str) -> Alert:
    """Return the alert if ``actor`` may perform ``action`` on it, else raise Http404 (audited
    either way, like :func:`~apps.accounts.access.get_patient_for_user`)."""
    user = actor.user
    if user is None:
        raise Http404("No such alert.")
    try:
        pk = int(alert_id)
    except (TypeError, ValueError):
        raise Http404("No such alert.") from None
    found = visible_alerts(user, action).filter(pk=pk).first()
    patient_id = (
        found.patient_id
        if found is not None
        else Alert.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
    )
    return audited_or_404(actor, action, found, patient_id=patient_id, missing="No such alert.")
