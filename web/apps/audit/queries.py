"""Searching the audit log: by patient, person, action and date, as a clinic admin may.

The page (``/audit/``) and the API (``GET /api/v1/audit``) read the same :class:`AuditFilters`
through :func:`search`; what a user may read at all is
:func:`apps.accounts.access.visible_audit_events` (their clinic's events).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from apps.audit.models import AuditEvent
from lowdose.errors import InputError

__all__ = ["AuditFilters", "about_patient", "search"]


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """What to look for; every field is optional and they combine with AND.

    ``action`` matches the name or its start at a dot (``prescriptions`` finds
    ``prescriptions.sign``); ``person`` is a username (exact, any case); ``since`` and ``until``
    are whole days in the server's time zone, both included.
    """

    patient_id: int | None = None
    person: str = ""
    action: str = ""
    outcome: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, str | None]) -> AuditFilters:
        """From a query string; raises :class:`InputError` naming the field that is wrong."""

        def text(name: str) -> str:
            return (raw.get(name) or "").strip()

        patient: int | None = None
        if text("patient_id"):
            try:
                patient = int(text("patient_id"))
            except ValueError:
                raise InputError(
                    "Patient: enter the patient's number.", field="patient_id"
                ) from None
        days: dict[str, date | None] = {}
        for name in ("since", "until"):
            try:
                days[name] = date.fromisoformat(text(name)) if text(name) else None
            except ValueError:
                raise InputError(
                    f"{name.title()}: enter a date as YYYY-MM-DD.", field=name
                ) from None
        for name in ("person", "action"):
            if "\x00" in text(name):  # PostgreSQL cannot compare it: refuse before the search
                raise InputError(f"{name.title()}: remove the NUL character (\\u0000).", field=name)
        outcome = text("outcome")
        if outcome not in ("", "ok", "denied"):
            raise InputError("Outcome: choose ok or denied.", field="outcome")
        filters = cls(
            patient_id=patient,
            person=text("person"),
            action=text("action"),
            outcome=outcome,
            since=days["since"],
            until=days["until"],
        )
        if filters.since and filters.until and filters.since > filters.until:
            raise InputError("Since must be on or before until.", field="since")
        return filters


def about_patient(patient_id: int) -> Q:
    """Events about one patient: those naming them, and list views that showed them
    (``detail["patient_ids"]``, e.g. the clinician's panel)."""
    if connection.vendor == "postgresql":
        listed = RawSQL(
            "SELECT id FROM audit_auditevent WHERE detail -> 'patient_ids' @> to_jsonb(%s::bigint)",
            [patient_id],
        )
    else:
        listed = RawSQL(
            "SELECT e.id FROM audit_auditevent e, json_each(e.detail, '$.patient_ids') j "
            "WHERE e.detail IS NOT NULL AND j.value = %s",
            [patient_id],
        )
    return Q(patient_id=patient_id) | Q(pk__in=listed)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search(events: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    """``events`` narrowed by ``filters``, newest first."""
    if filters.patient_id is not None:
        events = events.filter(about_patient(filters.patient_id))
    if filters.person:
        events = events.filter(actor_username__iexact=filters.person)
    if filters.action:
        events = events.filter(
            Q(action=filters.action) | Q(action__startswith=filters.action.rstrip(".") + ".")
        )
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.since is not None:
        events = events.filter(at__gte=_start_of(filters.since))
    if filters.until is not None:
        events = events.filter(at__lt=_start_of(filters.until + timedelta(days=1)))
    return events.order_by("-at", "-id")
