"""Reads of alerts: the open ones a user may see, in inbox order, and the navigation count.

Every read starts from :func:`apps.alerts.access.visible_alerts`, so the access rules live in
one place (:mod:`apps.accounts.access`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from apps.accounts.models import User
from apps.alerts.access import visible_alerts
from apps.alerts.models import SEVERITY_RANK, Alert, Severity

__all__ = ["OpenCount", "open_alerts", "open_alerts_by_patient", "open_count"]


def open_alerts(
    user: User, *, severity: Severity | None = None, patient_id: int | None = None
) -> QuerySet[Alert]:
    """The open alerts ``user`` may see: urgent → warning → info, then not yet acknowledged
    first, then newest first."""
    rows: QuerySet[Alert] = visible_alerts(user, "alerts.view").filter(resolved_at__isnull=True)
    if severity is not None:
        rows = rows.filter(severity=severity)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    return rows.annotate(
        severity_rank=Case(
            *(When(severity=s, then=Value(rank)) for s, rank in SEVERITY_RANK.items()),
            default=Value(len(SEVERITY_RANK)),
            output_field=IntegerField(),
        ),
        acknowledged_rank=Case(
            When(acknowledged_at__isnull=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("severity_rank", "acknowledged_rank", "-raised_at", "-id")


def open_alerts_by_patient(user: User, patient_ids: list[int]) -> dict[int, list[Alert]]:
    """Open alerts of these patients (as far as ``user`` may see them), in one query."""
    grouped: dict[int, list[Alert]] = defaultdict(list)
    for alert in open_alerts(user).filter(patient_id__in=patient_ids):
        grouped[alert.patient_id].append(alert)
    return dict(grouped)


class OpenCount(dict[str, int]):
    """``{"open": n, "urgent": m}``: open, not yet acknowledged alerts (and how many urgent)."""


def open_count(user: User) -> OpenCount:
    """How many open, unacknowledged alerts ``user`` may see, and how many of them are urgent;
    one query."""
    waiting = Q(resolved_at__isnull=True, acknowledged_at__isnull=True)
    totals: dict[str, Any] = visible_alerts(user, "alerts.view").aggregate(
        open=Count("id", filter=waiting),
        urgent=Count("id", filter=waiting & Q(severity=Severity.URGENT)),
    )
    return OpenCount(open=totals["open"] or 0, urgent=totals["urgent"] or 0)
