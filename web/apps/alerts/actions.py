"""Writes of alerts: raise, acknowledge, resolve. Each takes an :class:`~apps.audit.actor.Actor`
and typed values and writes its audit event in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Patient
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.audit.log import record_as
from config.errors import AlertClosedError
from lowdose.errors import InputError

__all__ = [
    "acknowledge_alert",
    "raise_alert",
    "resolve_alert",
    "resolve_open",
    "watch_alert_changes",
]

MAX_NOTE = 2000

#: Called with a patient's id, inside the transaction, after one of their alerts opened or
#: closed. The check-ins app, above this one, registers the panel's summary here
#: (:mod:`apps.checkins.summaries`) instead of being imported.
_watchers: list[Callable[[int], None]] = []


def watch_alert_changes(callback: Callable[[int], None]) -> None:
    """Register ``callback`` (once; registering the same function again changes nothing)."""
    if callback not in _watchers:
        _watchers.append(callback)


def _changed(patient_id: int) -> None:
    for callback in _watchers:
        callback(patient_id)


def raise_alert(
    actor: Actor,
    patient: Patient,
    *,
    kind: str,
    severity: Severity | str,
    message: str,
    facts: Mapping[str, Any] | None = None,
    key: str = "",
    blocks_dispensing: bool = False,
) -> tuple[Alert, bool]:
    """Open an alert unless the same one (patient, kind, key) is already open.

    Returns ``(alert, created)``. An already-open alert is returned unchanged, so a rule may fire
    on every change without flooding the inbox; a race between two workers stores one row (the
    partial unique index) and both callers get it.
    """
    severity = Severity(severity)
    with transaction.atomic():
        existing = Alert.objects.filter(
            patient=patient, kind=kind, key=key, resolved_at__isnull=True
        ).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    patient=patient,
                    kind=kind,
                    key=key[:200],
                    severity=severity,
                    message=message,
                    facts=dict(facts or {}),
                    blocks_dispensing=blocks_dispensing,
                )
        except IntegrityError:  # raised by another worker in between
            return Alert.objects.get(
                patient=patient, kind=kind, key=key[:200], resolved_at__isnull=True
            ), False
        record_as(
            actor,
            "alerts.raise",
            patient_id=patient.pk,
            obj=alert,
            detail={"kind": kind, "severity": severity.value, "key": key},
        )
        _changed(patient.pk)
    return alert, True


def _note(note: str, *, required: bool) -> str:
    text = " ".join(note.split())
    if required and not text:
        raise InputError("Write a short note: what you did or decided.", field="note")
    if len(text) > MAX_NOTE:
        raise InputError(
            f"The note is longer than {MAX_NOTE} characters; shorten it.", field="note"
        )
    return text


def acknowledge_alert(actor: Actor, alert: Alert, note: str) -> Alert:
    """Record that a person has seen the alert and is acting on it (note required).

    Acknowledging twice keeps the first acknowledgement and is refused, so the record says who
    saw it first.
    """
    if actor.user is None:
        raise InputError("Only a person can acknowledge an alert.", field="actor")
    return _stamp(actor, alert, note, step="acknowledged")


def resolve_alert(actor: Actor, alert: Alert, note: str) -> Alert:
    """Close the alert: the situation is dealt with (a person's note, or lowdose's reason)."""
    return _stamp(actor, alert, note, step="resolved")


def _stamp(actor: Actor, alert: Alert, note: str, *, step: str) -> Alert:
    """Write who, when and the note for ``step`` ("acknowledged" or "resolved") on a locked row,
    with its audit event (``alerts.acknowledge`` / ``alerts.resolve``) in the same transaction."""
    text = _note(note, required=True)
    with transaction.atomic():
        row = Alert.objects.select_for_update().get(pk=alert.pk)
        if row.resolved_at is not None:
            raise AlertClosedError("This alert is already resolved.", field="alert")
        if step == "acknowledged" and row.acknowledged_at is not None:
            raise AlertClosedError(
                f"This alert was already acknowledged by {row.acknowledged_by} on "
                f"{row.acknowledged_at:%Y-%m-%d %H:%M}.",
                field="alert",
            )
        fields = [f"{step}_at", f"{step}_by", f"{step}_note"]
        for name, value in zip(fields, (timezone.now(), actor.user, text), strict=True):
            setattr(row, name, value)
        row.save(update_fields=fields)
        action = "alerts.acknowledge" if step == "acknowledged" else "alerts.resolve"
        record_as(
            actor,
            action,
            patient_id=row.patient_id,
            obj=row,
            detail={"kind": row.kind, "note": text},
        )
        if step == "resolved":
            _changed(row.patient_id)
    return row


def resolve_open(
    actor: Actor, patient: Patient, kind: str, note: str, *, key: str | None = None
) -> int:
    """Resolve every open alert of ``kind`` (and ``key``, if given) for ``patient``: the
    condition that raised them is gone. Returns how many were closed."""
    rows = Alert.objects.filter(patient=patient, kind=kind, resolved_at__isnull=True)
    if key is not None:
        rows = rows.filter(key=key)
    closed = 0
    for row in rows:
        resolve_alert(actor, row, note)
        closed += 1
    return closed
