"""Append events to the audit log: who, what, which patient, which clinic, when, from where.

Call these inside the ``transaction.atomic()`` block of the change they record, so that the
change and its event commit or roll back together (lowdose does not use ``ATOMIC_REQUESTS``:
each write action opens its own block, and reads are recorded in autocommit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps as django_apps
from django.http import HttpRequest

from apps.audit.actor import Actor
from apps.audit.addresses import client_address
from apps.audit.models import AuditEvent

__all__ = ["PATIENT_MODEL", "client_ip", "record", "record_as", "record_many"]

#: The model whose ``clinic_id`` an event about a patient belongs to (``AuditEvent.patient_id``
#: holds its primary key).
PATIENT_MODEL = "accounts.Patient"


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, behind the trusted proxies only
    (:func:`apps.audit.addresses.client_address`)."""
    return client_address(request)


def _clinic_of(actor: Actor, patient_id: int | None) -> int | None:
    """The patient's clinic when the event is about a patient who exists, else the actor's."""
    if patient_id is not None:
        # Reached by name, as a foreign key would ("accounts.Patient"): accounts builds on audit.
        patients = django_apps.get_model(PATIENT_MODEL)._default_manager
        found = patients.filter(pk=patient_id).values_list("clinic_id", flat=True).first()
        if found is not None:
            return int(found)
    return actor.clinic_id


def _append(
    actor: Actor,
    action: str,
    *,
    patient_id: int | None,
    outcome: str,
    obj: Any | None,
    detail: dict[str, Any] | None,
    clinic_id: int | None,
    nobody: str,
) -> AuditEvent:
    user = actor.user
    event = AuditEvent(
        actor_id=user.pk if user is not None else None,
        actor_username=user.get_username() if user is not None else nobody,
        actor_role=getattr(user, "role", "") if user is not None else nobody,
        clinic_id=clinic_id if clinic_id is not None else _clinic_of(actor, patient_id),
        action=action,
        outcome=outcome,
        patient_id=patient_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "")) if obj is not None else "",
        ip_address=actor.address,
        user_agent=actor.user_agent,
        method=actor.method,
        path=actor.path,
        detail=detail,
    )
    event.save()  # appends to the hash chain (apps.audit.chain)
    return event


def _request_actor(request: HttpRequest, user: Any | None) -> Actor:
    actor = Actor.from_request(request)
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(
            user=user,
            clinic_id=getattr(user, "clinic_id", None),
            address=actor.address,
            user_agent=actor.user_agent,
            method=actor.method,
            path=actor.path,
        )
    return actor


def record(
    request: HttpRequest,
    action: str,
    *,
    patient_id: int | None = None,
    outcome: str = "ok",
    obj: Any | None = None,
    actor: Any | None = None,
    detail: dict[str, Any] | None = None,
    clinic_id: int | None = None,
) -> AuditEvent:
    """Append one event for ``request.user`` (or ``actor``, a user acting in this request, e.g.
    the patient an invitation has just created). An anonymous request is recorded with an empty
    username. New code: prefer :func:`record_as` with an :class:`Actor`."""
    return _append(
        _request_actor(request, actor),
        action,
        patient_id=patient_id,
        outcome=outcome,
        obj=obj,
        detail=detail,
        clinic_id=clinic_id,
        nobody="",
    )


def record_many(
    request: HttpRequest, action: str, patient_ids: Iterable[int], *, actor: Any | None = None
) -> AuditEvent:
    """One event for a page that shows many patients at once (the clinician's panel, the
    pharmacy queue): ``detail={"patient_ids": [...]}``, sorted, each id once."""
    return record(
        request, action, actor=actor, detail={"patient_ids": sorted({int(p) for p in patient_ids})}
    )


def record_as(
    actor: Actor,
    action: str,
    *,
    patient_id: int | None = None,
    outcome: str = "ok",
    obj: Any | None = None,
    detail: dict[str, Any] | None = None,
    clinic_id: int | None = None,
    anonymous: bool = False,
) -> AuditEvent:
    """Append one event for ``actor`` (no request needed). Call it inside the transaction of the
    change it records, so that the change and its audit row commit or roll back together.
    ``actor.user=None`` is recorded as ``system`` (lowdose itself), or with an empty name when
    ``anonymous`` (someone not signed in, e.g. a failed sign-in)."""
    return _append(
        actor,
        action,
        patient_id=patient_id,
        outcome=outcome,
        obj=obj,
        detail=detail,
        clinic_id=clinic_id,
        nobody="" if anonymous else "system",
    )
