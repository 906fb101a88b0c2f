"""Append events to the audit log: who, what, which patient, when, from where."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from apps.audit.actor import Actor
from apps.audit.models import AuditEvent

__all__ = ["client_ip", "record", "record_as", "record_many"]


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, behind the trusted proxies only
    (:func:`apps.accounts.addresses.client_address`)."""
    from apps.accounts.addresses import client_address  # accounts builds on audit

    return client_address(request)


def _event(
    request: HttpRequest,
    action: str,
    *,
    patient_id: int | None,
    outcome: str,
    obj: Any | None,
    actor: Any | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    user = actor if actor is not None else getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        user_id, username, role = None, "", ""
    else:
        user_id, username, role = user.pk, user.get_username(), getattr(user, "role", "")
    return AuditEvent(
        actor_id=user_id,
        actor_username=username,
        actor_role=role,
        action=action,
        outcome=outcome,
        patient_id=patient_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "")) if obj is not None else "",
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        method=request.method or "",
        path=request.get_full_path()[:500],
        detail=detail,
    )


def record(
    request: HttpRequest,
    action: str,
    *,
    patient_id: int | None = None,
    outcome: str = "ok",
    obj: Any | None = None,
    actor: Any | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = _event(
        request,
        action,
        patient_id=patient_id,
        outcome=outcome,
        obj=obj,
        actor=actor,
        detail=detail,
    )
    event.save()
    return event


def record_many(
    request: HttpRequest, action: str, patient_ids: Iterable[int], *, actor: Any | None = None
) -> None:
    """One event per patient, in one INSERT (the clinician's panel reads many patients at once)."""
    AuditEvent.objects.bulk_create(
        [
            _event(request, action, patient_id=pid, outcome="ok", obj=None, actor=actor)
            for pid in patient_ids
        ]
    )


def record_as(
    actor: Actor,
    action: str,
    *,
    patient_id: int | None = None,
    outcome: str = "ok",
    obj: Any | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event for ``actor`` (no request needed). Call it inside the transaction of the
    change it records, so that the change and its audit row commit or roll back together."""
    user = actor.user
    event = AuditEvent(
        actor_id=user.pk if user is not None else None,
        actor_username=user.get_username() if user is not None else "system",
        actor_role=getattr(user, "role", "") if user is not None else "system",
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
    event.save()
    return event
