"""Every object-level access rule of lowdose, in one place.

A rule answers "may this user do this action to this patient's data?". Views and API handlers never
test roles themselves: they call :func:`get_patient_for_user` (which raises ``Http404`` for a
patient the user may not act on, so nobody can probe which ids exist) or :func:`visible_patients`.

=====================  =========================  ===================================
action                 patient                    clinician
=====================  =========================  ===================================
``checkins.view``      own record                 patients of their care teams
``checkins.add``       own record                 —
``checkins.change``    own record                 — (change or delete, see below)
``checkins.export``    own record                 patients of their care teams
``checkins.import``    own record                 —
``patient.invite``     —                          patients of their care teams
``patient.settings``   own record                 patients of their care teams
``clinical.view``      —                          patients of their care teams
``clinical.edit``      —                          patients of their care teams
``clinical.card``      own record                 patients of their care teams
``prescriptions.view`` own record                 patients of their care teams
``prescriptions.sign`` —                          patients of their care teams
``prescriptions.cost`` own record                 patients of their care teams
``prescriptions.dispense`` —                      — (pharmacists only, see below)
``assessments.view``   own record                 patients of their care teams
``assessments.assign`` —                          patients of their care teams
``assessments.complete`` own record               patients of their care teams
``assessments.correct`` —                         patients of their care teams (see below)
``nof1.view``          own record (blinded)       patients of their care teams (blinded)
``nof1.manage``        —                          patients of their care teams
``nof1.kits``          —                          — (pharmacists only, see below)
``alerts.view``        —                          patients of their care teams
``alerts.acknowledge`` —                          patients of their care teams
``screening.resolve``  —                          patients of their care teams (and pharmacists)
=====================  =========================  ===================================

Pharmacists see only what is sent to their pharmacy, never check-ins: for
``prescriptions.view`` and ``prescriptions.dispense`` their scope is "patients with a signed
prescription routed to one of my pharmacies", and :func:`get_prescription_for_user` narrows that
to the prescriptions routed there (a prescription of the same patient sent elsewhere is a 404).
For ``nof1.kits`` — the allocation list of a blinded N-of-1 trial, the only place where arms
are visible before unblinding — the scope is "patients with a trial whose kits my pharmacy
prepares", and :func:`get_trial_for_user` narrows it to those trials.
For ``alerts.view`` and ``screening.resolve`` (settling a medicine the screen cannot identify) a
pharmacist's scope is both of the above (a routed prescription or a trial
whose kits their pharmacy prepares), and :func:`visible_alerts` narrows it to the alerts that
block dispensing or kit release: what stops their queue, nothing else of the patient's.
A check-in is changed or deleted only by its patient (``checkins.change``), through
:func:`get_checkin_for_user`: another patient's check-in, a deleted one, or one named under the
wrong patient is a 404; how long a change is allowed is the check-in actions' rule, not access.
``assessments.correct`` lets a clinician correct answers a clinician entered for the patient;
the patient's own answers are refused by the action, whoever asks
(:func:`apps.clinical.actions.correct_assessment`).
Clinic admins manage accounts but see no identifiable patient data and appear nowhere in the
table; they read their own clinic's audit log (:func:`visible_audit_events`).

What the audit log records for a check is named for what happened, not for the permission
checked (:func:`access_event_name`): a read (GET) records ``<thing>.view`` — opening the
new-prescription page is ``prescriptions.view``, not ``prescriptions.sign`` — unless the permission
is itself a read (:data:`READS`, e.g. ``checkins.export``); a refused read records the same name
with outcome ``denied``. For a write (POST, PATCH, DELETE) a refused check records the permission
with outcome ``denied`` (``prescriptions.sign denied``); an allowed one records the read it is
(``prescriptions.view ok``: the record was opened, even if the form is then refused), and the write
action records its own event once, in the transaction of the change (``prescriptions.sign ok``).
So a refused signing reads "view ok, sign denied", never "sign ok, sign denied".
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from apps.accounts.models import Patient, Role, User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.audit.models import AuditEvent

__all__ = [
    "ACTIONS",
    "READS",
    "access_event_name",
    "acts_on_any",
    "can",
    "get_alert_for_user",
    "get_checkin_for_user",
    "get_patient_for_user",
    "get_prescription_for_user",
    "get_trial_for_user",
    "visible_alerts",
    "visible_audit_events",
    "visible_patients",
    "visible_prescriptions",
    "visible_trials",
]

_OWN = "own"
_CARE_TEAM = "care_team"
_PHARMACY = "pharmacy"
_NOF1_PHARMACY = "nof1_pharmacy"
_ANY_PHARMACY = "any_pharmacy"

ACTIONS: dict[str, dict[str, str]] = {
    "checkins.view": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "checkins.add": {Role.PATIENT: _OWN},
    "checkins.change": {Role.PATIENT: _OWN},
    "checkins.export": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "checkins.import": {Role.PATIENT: _OWN},
    "patient.invite": {Role.CLINICIAN: _CARE_TEAM},
    "patient.settings": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "clinical.view": {Role.CLINICIAN: _CARE_TEAM},
    "clinical.edit": {Role.CLINICIAN: _CARE_TEAM},
    "clinical.card": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "prescriptions.view": {
        Role.PATIENT: _OWN,
        Role.CLINICIAN: _CARE_TEAM,
        Role.PHARMACIST: _PHARMACY,
    },
    "prescriptions.sign": {Role.CLINICIAN: _CARE_TEAM},
    "prescriptions.cost": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "prescriptions.dispense": {Role.PHARMACIST: _PHARMACY},
    "assessments.view": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "assessments.assign": {Role.CLINICIAN: _CARE_TEAM},
    "assessments.complete": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "assessments.correct": {Role.CLINICIAN: _CARE_TEAM},
    "nof1.view": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "nof1.manage": {Role.CLINICIAN: _CARE_TEAM},
    "nof1.kits": {Role.PHARMACIST: _NOF1_PHARMACY},
    "alerts.view": {Role.CLINICIAN: _CARE_TEAM, Role.PHARMACIST: _ANY_PHARMACY},
    "alerts.acknowledge": {Role.CLINICIAN: _CARE_TEAM},
    "screening.resolve": {Role.CLINICIAN: _CARE_TEAM, Role.PHARMACIST: _ANY_PHARMACY},
}

#: Permissions that are reads in themselves, recorded under their own name (the rest are writes,
#: recorded as ``<thing>.view`` when only their page is opened).
READS = frozenset(
    {
        "checkins.view",
        "checkins.export",
        "clinical.view",
        "clinical.card",
        "prescriptions.view",
        "prescriptions.cost",
        "assessments.view",
        "nof1.view",
        "nof1.kits",
        "alerts.view",
    }
)

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", ""})


def access_event_name(action: str, method: str, allowed: bool) -> str:
    """The name of the audit event an access check for ``action`` writes (module docstring):
    the permission itself for a refused write, else the read it amounts to."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; add it to ACTIONS in apps.accounts.access")
    if action in READS:
        return action
    if not allowed and method.upper() not in _SAFE_METHODS:
        return action
    return f"{action.split('.', 1)[0]}.view"


def _audit_check(
    actor: Actor,
    action: str,
    *,
    allowed: bool,
    patient_id: int | None,
    obj: Any | None = None,
    clinic_id: int | None = None,
) -> None:
    record_as(
        actor,
        access_event_name(action, actor.method, allowed),
        patient_id=patient_id,
        outcome="ok" if allowed else "denied",
        obj=obj,
        clinic_id=clinic_id,
    )


def _request_actor(request: HttpRequest, user: User) -> Actor:
    seen = Actor.from_request(request)
    return Actor(
        user=user,
        clinic_id=user.clinic_id,
        address=seen.address,
        user_agent=seen.user_agent,
        method=seen.method,
        path=seen.path,
    )


#: Prescription states a pharmacist may see (a draft is the clinician's alone).
ROUTED_STATUSES = ("signed", "dispensed")


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
    if scope == _PHARMACY:
        return Patient.objects.filter(
            prescriptions__pharmacy__pharmacists=user,
            prescriptions__status__in=ROUTED_STATUSES,
        ).distinct()
    if scope == _NOF1_PHARMACY:
        return Patient.objects.filter(nof1_trials__pharmacy__pharmacists=user).distinct()
    if scope == _ANY_PHARMACY:
        routed = Patient.objects.filter(
            prescriptions__pharmacy__pharmacists=user,
            prescriptions__status__in=ROUTED_STATUSES,
        ).values("pk")
        kits = Patient.objects.filter(nof1_trials__pharmacy__pharmacists=user).values("pk")
        return Patient.objects.filter(models.Q(pk__in=routed) | models.Q(pk__in=kits))
    return Patient.objects.none()


def acts_on_any(user: User, action: str) -> bool:
    """May ``user``'s role perform ``action`` on anyone at all? (Pages that list many patients,
    such as the alert inbox, answer 404 to a role the table does not name.)"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; add it to ACTIONS in apps.accounts.access")
    return user.is_authenticated and user.is_active and user.role in ACTIONS[action]


def can(user: User, action: str, patient: Patient) -> bool:
    return visible_patients(user, action).filter(pk=patient.pk).exists()


def get_patient_for_user(
    request: HttpRequest, patient_id: int | str, action: str, *, user: User | None = None
) -> Patient:
    """Return the patient if ``request.user`` may perform ``action`` on them, else raise Http404.

    The access is audited (see :func:`access_event_name` for the name and when).
    """
    actor = user or request.user
    if not isinstance(actor, User):
        raise Http404("No such patient.")
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    patient = visible_patients(actor, action).filter(pk=pk).first()
    _audit_check(
        _request_actor(request, actor),
        action,
        allowed=patient is not None,
        patient_id=pk,
        clinic_id=patient.clinic_id if patient is not None else None,
    )
    if patient is None:
        raise Http404("No such patient.")
    return patient


def get_checkin_for_user(
    request: HttpRequest, patient_id: int | str, checkin_ref: int | str, action: str
) -> Any:
    """Return the patient's check-in if ``request.user`` may perform ``action`` on it, else Http404.

    ``checkin_ref`` is the check-in's id or its ``client_id`` (a UUID). A deleted check-in, one of
    another patient, or one named under the wrong patient id is a 404. Audited like
    :func:`get_patient_for_user`, with the check-in as the object.
    """
    from apps.checkins.models import Checkin  # the check-in app builds on accounts

    actor = request.user
    if not isinstance(actor, User):
        raise Http404("No such check-in.")
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such check-in.") from None
    ref = str(checkin_ref).strip()
    if ref.isascii() and ref.isdigit() and len(ref) <= 18:  # a database integer, never overflowing
        lookup: dict[str, Any] = {"pk": int(ref)}
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
    _audit_check(
        _request_actor(request, actor),
        action,
        allowed=found is not None,
        patient_id=pk,
        obj=found,
        clinic_id=found.patient.clinic_id if found is not None else None,
    )
    if found is None:
        raise Http404("No such check-in.")
    return found


def visible_prescriptions(user: User, action: str, patient: Patient | None = None) -> QuerySet[Any]:
    """The prescriptions ``user`` may perform ``action`` on, optionally of one ``patient``.

    Clinicians and patients see every prescription of the patients in their scope; pharmacists
    only the signed or dispensed ones routed to one of their pharmacies.
    """
    from apps.clinical.models import Prescription  # the clinical app builds on accounts

    patients = visible_patients(user, action)
    if patient is not None:
        patients = patients.filter(pk=patient.pk)
    rows = Prescription.objects.filter(patient__in=patients)
    if ACTIONS[action].get(user.role) == _PHARMACY:
        rows = rows.filter(pharmacy__pharmacists=user, status__in=ROUTED_STATUSES)
    return rows


def get_prescription_for_user(
    request: HttpRequest, patient_id: int | str | None, prescription_id: int | str, action: str
) -> Any:
    """Return the patient's prescription if ``request.user`` may perform ``action`` on it.

    Raises Http404 otherwise (a wrong patient id, another pharmacy's prescription, a draft for a
    pharmacist). ``patient_id=None`` looks the prescription up by its own id (the API's
    ``/prescriptions/{id}/...`` routes). Audited like :func:`get_patient_for_user`, with the
    prescription as the object.
    """
    actor = request.user
    if not isinstance(actor, User):
        raise Http404("No such prescription.")
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
        from apps.clinical.models import Prescription

        pk = Prescription.objects.filter(pk=rx).values_list("patient_id", flat=True).first()
    _audit_check(
        _request_actor(request, actor),
        action,
        allowed=found is not None,
        patient_id=pk,
        obj=found,
    )
    if found is None:
        raise Http404("No such prescription.")
    return found


def visible_trials(user: User, action: str, patient: Patient | None = None) -> QuerySet[Any]:
    """The N-of-1 trials ``user`` may perform ``action`` on, optionally of one ``patient``.

    Pharmacists (``nof1.kits``) get only the trials whose kits one of their pharmacies prepares.
    """
    from apps.nof1.models import Nof1Trial  # the N-of-1 app builds on accounts

    patients = visible_patients(user, action)
    if patient is not None:
        patients = patients.filter(pk=patient.pk)
    rows = Nof1Trial.objects.filter(patient__in=patients).select_related("patient", "pharmacy")
    if ACTIONS[action].get(user.role) == _NOF1_PHARMACY:
        rows = rows.filter(pharmacy__pharmacists=user)
    return rows


def get_trial_for_user(request: HttpRequest, trial_id: int | str, action: str) -> Any:
    """Return the N-of-1 trial if ``request.user`` may perform ``action`` on it, else Http404.

    Audited like :func:`get_patient_for_user`, with the trial as the object.
    """
    actor = request.user
    if not isinstance(actor, User):
        raise Http404("No such trial.")
    try:
        pk = int(trial_id)
    except (TypeError, ValueError):
        raise Http404("No such trial.") from None
    found = visible_trials(actor, action).filter(pk=pk).first()
    if found is None:
        from apps.nof1.models import Nof1Trial

        patient_id = Nof1Trial.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
    else:
        patient_id = found.patient_id
    _audit_check(
        _request_actor(request, actor),
        action,
        allowed=found is not None,
        patient_id=patient_id,
        obj=found,
    )
    if found is None:
        raise Http404("No such trial.")
    return found


def visible_alerts(user: User, action: str = "alerts.view") -> QuerySet[Any]:
    """The alerts ``user`` may see (``alerts.view``) or acknowledge (``alerts.acknowledge``).

    Clinicians: every alert of the patients of their care teams. Pharmacists: only the alerts
    that block dispensing or kit release, of patients whose prescription or kits their pharmacy
    holds. Everyone else: none.
    """
    from apps.alerts.models import Alert  # the alerts app builds on accounts

    rows = Alert.objects.filter(patient__in=visible_patients(user, action)).select_related(
        "patient", "acknowledged_by", "resolved_by"
    )
    if user.is_authenticated and user.role == Role.PHARMACIST:
        rows = rows.filter(blocks_dispensing=True)
    return rows


def get_alert_for_user(actor: Actor, alert_id: int | str, action: str) -> Any:
    """Return the alert if ``actor`` may perform ``action`` on it, else raise Http404 (audited
    either way, like :func:`get_patient_for_user`)."""
    from apps.alerts.models import Alert

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
    _audit_check(actor, action, allowed=found is not None, patient_id=patient_id, obj=found)
    if found is None:
        raise Http404("No such alert.")
    return found


def visible_audit_events(user: User) -> QuerySet[AuditEvent]:
    """The audit events ``user`` may read: a clinic admin, their own clinic's; everyone else, none.

    Events of no clinic (a failed login with an unknown username, a sweep of lowdose itself) are
    read by the operator in Django's admin, not by a clinic admin.
    """
    if not user.is_authenticated or not user.is_active:
        return AuditEvent.objects.none()
    if user.role != Role.ADMIN or user.clinic_id is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(clinic_id=user.clinic_id)
