"""Every object-level access rule of lowdose, in one place.

A rule answers "may this user do this action to this patient's data?". Views and API handlers never
test roles themselves: they call :func:`get_patient_for_user` (which raises ``Http404`` for a
patient the user may not act on, so nobody can probe which ids exist) or :func:`visible_patients`.
The getters of each app's records live with the app and return its typed rows
(:mod:`apps.checkins.access`, :mod:`apps.clinical.access`, :mod:`apps.nof1.access`,
:mod:`apps.alerts.access`); they narrow :func:`visible_patients` with :func:`routed_only` and
:func:`kits_only` and audit through :func:`audit_access`, so the rules stay here.

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
``reports.patient``    own record                 patients of their care teams
``reports.clinician``  —                          patients of their care teams
``fhir.export``        own record (no drafts)     patients of their care teams
``fhir.import``        own record                 patients of their care teams (per resource kind,
                                                  see :mod:`apps.fhir.importing`)
``sharing.manage``     own record                 —
=====================  =========================  ===================================

Pharmacists see only what is sent to their pharmacy, never check-ins: for
``prescriptions.view`` and ``prescriptions.dispense`` their scope is "patients with a signed
prescription routed to one of my pharmacies", and
:func:`apps.clinical.access.get_prescription_for_user` narrows that
to the prescriptions routed there (a prescription of the same patient sent elsewhere is a 404).
For ``nof1.kits`` — the allocation list of a blinded N-of-1 trial, the only place where arms
are visible before unblinding — the scope is "patients with a trial whose kits my pharmacy
prepares", and :func:`apps.nof1.access.get_trial_for_user` narrows it to those trials.
For ``alerts.view`` and ``screening.resolve`` (settling a medicine the screen cannot identify) a
pharmacist's scope is both of the above (a routed prescription or a trial
whose kits their pharmacy prepares), and :func:`apps.alerts.access.visible_alerts` narrows it to
the alerts that block dispensing or kit release: what stops their queue, nothing else of the
patient's. A check-in is changed or deleted only by its patient (``checkins.change``), through
:func:`apps.checkins.access.get_checkin_for_user`: another patient's check-in, a deleted one, or
one named under the wrong patient is a 404; how long a change is allowed is the check-in
actions' rule, not access.
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

from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.models import Patient, Role, User
from apps.audit.actor import Actor
from apps.audit.log import record, record_as
from apps.audit.models import AuditEvent

_Row = TypeVar("_Row", bound=models.Model)

__all__ = [
    "ACTIONS",
    "READS",
    "ROUTED_STATUSES",
    "access_event_name",
    "acting_user",
    "acts_on_any",
    "audit_access",
    "audit_allowed_access",
    "can",
    "get_patient_for_user",
    "kits_only",
    "request_actor",
    "routed_only",
    "visible_audit_events",
    "visible_patients",
]

_OWN = "own"
_CARE_TEAM = "care_team"
_PHARMACY = "pharmacy"
_NOF1_PHARMACY = "nof1_pharmacy"
_ANY_PHARMACY = "any_pharmacy"
_CLINIC = "clinic"

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
    "research.consent": {Role.PATIENT: _OWN},
    "research.export": {Role.ADMIN: _CLINIC},
    # The visit report (apps.reports): the patient's plain-language version, and the care
    # team's, which also shows open alerts and the safety screen's findings.
    "reports.patient": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    "reports.clinician": {Role.CLINICIAN: _CARE_TEAM},
    "fhir.export": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    # The FHIR import (apps.fhir.importing) narrows it per resource kind: check-ins only by
    # the patient (checkins.import), a clinician-completed form only by the clinician.
    "fhir.import": {Role.PATIENT: _OWN, Role.CLINICIAN: _CARE_TEAM},
    # The whole record in one download (FHIR, CSV and the visit report): the patient's own.
    "record.download": {Role.PATIENT: _OWN},
    # Share links (apps.sharing): the patient's own choice to share, so the patient alone.
    "sharing.manage": {Role.PATIENT: _OWN},
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
        "reports.patient",
        "reports.clinician",
        "fhir.export",
        "record.download",
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


def audit_access(
    actor: Actor,
    action: str,
    *,
    allowed: bool,
    patient_id: int | None,
    obj: Any | None = None,
    clinic_id: int | None = None,
) -> None:
    """Record an access check of ``action`` (named by :func:`access_event_name`), allowed or
    denied, with the object reached when there is one. Each app's ``get_<thing>_for_user``
    calls it, so every access to patient data is audited the same way."""
    record_as(
        actor,
        access_event_name(action, actor.method, allowed),
        patient_id=patient_id,
        outcome="ok" if allowed else "denied",
        obj=obj,
        clinic_id=clinic_id,
    )


def audited_or_404(
    actor: Actor,
    action: str,
    found: _Row | None,
    *,
    patient_id: int | None,
    missing: str,
    clinic_id: int | None = None,
) -> _Row:
    """The end of every app's ``get_<thing>_for_user``: audit the check (allowed when a row was
    found, with the row as the object) and return the row, or raise ``Http404(missing)``."""
    audit_access(
        actor,
        action,
        allowed=found is not None,
        patient_id=patient_id,
        obj=found,
        clinic_id=clinic_id,
    )
    if found is None:
        raise Http404(missing)
    return found


def denied_page(request: HttpRequest, action: str) -> HttpResponse:
    """A page the signed-in person's role may not open: the refusal of ``action`` is audited, and
    they see the not-found page (a role that may not open it never learns what is there)."""
    record(request, action, outcome="denied")
    return render(request, "404.html", status=404)


def request_actor(request: HttpRequest, user: User) -> Actor:
    """The actor of an access check: ``user`` with the request's address, agent and path."""
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
    if scope == _CLINIC:
        if user.clinic_id is None:
            return Patient.objects.none()
        return Patient.objects.filter(clinic_id=user.clinic_id)
    if scope == _ANY_PHARMACY:
        routed = Patient.objects.filter(
            prescriptions__pharmacy__pharmacists=user,
            prescriptions__status__in=ROUTED_STATUSES,
        ).values("pk")
        kits = Patient.objects.filter(nof1_trials__pharmacy__pharmacists=user).values("pk")
        return Patient.objects.filter(models.Q(pk__in=routed) | models.Q(pk__in=kits))
    return Patient.objects.none()


def routed_only(user: User, action: str) -> bool:
    """True when ``user`` reaches ``action`` only through prescriptions routed to their pharmacy
    (a pharmacist's ``prescriptions.view``/``dispense``): the getters narrow to those."""
    return ACTIONS[action].get(user.role) == _PHARMACY


def kits_only(user: User, action: str) -> bool:
    """True when ``user`` reaches ``action`` only through trials whose kits their pharmacy
    prepares (a pharmacist's ``nof1.kits``): the getters narrow to those trials."""
    return ACTIONS[action].get(user.role) == _NOF1_PHARMACY


def acting_user(request: HttpRequest, missing: str) -> User:
    """The signed-in user of ``request``; ``Http404(missing)`` for anyone else (an anonymous
    request never learns whether a record exists)."""
    if not isinstance(request.user, User):
        raise Http404(missing)
    return request.user


def acts_on_any(user: User, action: str) -> bool:
    """May ``user``'s role perform ``action`` on anyone at all? (Pages that list many patients,
    such as the alert inbox, answer 404 to a role the table does not name.)"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; add it to ACTIONS in apps.accounts.access")
    return user.is_authenticated and user.is_active and user.role in ACTIONS[action]


def can(user: User, action: str, patient: Patient) -> bool:
    return visible_patients(user, action).filter(pk=patient.pk).exists()


def _own_record(user: User, action: str, pk: int) -> Patient | None:
    """The patient's own record when this request has read it already (the reader's locale
    reads it) and ``action`` is one a patient performs on their own record; else None."""
    if ACTIONS[action].get(user.role) != _OWN or not User.patient.is_cached(user):
        return None
    own: Patient = user.patient
    return own if own.pk == pk and user.is_active else None


def get_patient_for_user(
    request: HttpRequest,
    patient_id: int | str,
    action: str,
    *,
    user: User | None = None,
    audited_by_write: bool = False,
) -> Patient:
    """Return the patient if ``request.user`` may perform ``action`` on them, else raise Http404.

    The access is audited (see :func:`access_event_name` for the name and when).
    ``audited_by_write``: the caller is a write whose own audit event, in its transaction, names
    the same person, patient and clinic (a new check-in's ``checkins.add``); an allowed access
    then writes no second event. A refused one is always recorded.
    """
    actor = user or request.user
    if not isinstance(actor, User):
        raise Http404("No such patient.")
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; add it to ACTIONS in apps.accounts.access")
    patient = _own_record(actor, action, pk)
    if patient is None:
        patient = visible_patients(actor, action).filter(pk=pk).first()
    if patient is not None and audited_by_write:
        return patient
    audit_access(
        request_actor(request, actor),
        action,
        allowed=patient is not None,
        patient_id=pk,
        clinic_id=patient.clinic_id if patient is not None else None,
    )
    if patient is None:
        raise Http404("No such patient.")
    return patient


def audit_allowed_access(request: HttpRequest, patient: Patient, action: str) -> None:
    """Record the allowed access of a write that was checked with ``audited_by_write`` but did
    not happen (refused input): the access stays in the record."""
    if isinstance(request.user, User):
        audit_access(
            request_actor(request, request.user),
            action,
            allowed=True,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
        )


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
