"""Every object-level access rule of lowdose, in one place.

A rule answers "may this user do this action to this patient's data?". Views and API handlers never
test roles themselves: they call :func:`get_patient_for_user` (which raises ``Http404`` for a
patient the user may not act on, so nobody can probe which ids exist) or :func:`visible_patients`.

=====================  =========================  ===================================
action                 patient                    clinician
=====================  =========================  ===================================
``checkins.view``      own record                 patients of their care teams
``checkins.add``       own record                 —
``checkins.export``    own record                 patients of their care teams
``checkins.import``    own record                 —
``patient.invite``     —                          patients of their care teams
=====================  =========================  ===================================

Pharmacists see only what is sent to their pharmacy (prescriptions; never check-ins) and clinic
admins manage accounts but see no identifiable patient data: neither role appears in the table.
Every decision, allowed or denied, is written to the audit log.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from apps.accounts.models import Patient, Role, User
from apps.audit.log import record

__all__ = ["ACTIONS", "can", "get_patient_for_user", "visible_patients"]

_OWN = "own"
_CARE_TEAM = "care_team"

ACTIONS: dict[str, dict[str, str]] = {
    "checkins.view": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "checkins.add": {Role.PATIENT: _OWN},
    "checkins.export": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "checkins.import": {Role.PATIENT: _OWN},
    "patient.invite": {Role.CLINICIAN: _CARE_TEAM},
}


def visible_patients(user: User, action: str = "checkins.view") -> QuerySet[Patient]:
    """The patients ``user`` may perform ``action`` on (an empty queryset for everyone else)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; add it to ACTIONS in apps.accounts.access")
    if not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    scope = ACTIONS[action].get(user.role)
    if scope == _OWN:
        return Patient.objects.filter(user=user)
    if scope == _CARE_TEAM:
        return Patient.objects.filter(care_team__clinicians=user).distinct()
    return Patient.objects.none()


def can(user: User, action: str, patient: Patient) -> bool:
    return visible_patients(user, action).filter(pk=patient.pk).exists()


def get_patient_for_user(
    request: HttpRequest, patient_id: int | str, action: str, *, user: User | None = None
) -> Patient:
    """Return the patient if ``request.user`` may perform ``action`` on them, else raise Http404.

    The access is audited either way (``outcome`` "ok" or "denied").
    """
    actor = user or request.user
    if not isinstance(actor, User):
        raise Http404("No such patient.")
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    patient = visible_patients(actor, action).filter(pk=pk).first()
    record(request, action, patient_id=pk, outcome="ok" if patient else "denied", actor=actor)
    if patient is None:
        raise Http404("No such patient.")
    return patient
