"""A prescription's plan as an iCalendar file, for the page download and the API alike.

The file is built by :func:`lowdose.interop.ics.titration_calendar` from the prescription's
plan and the plans issued before it in its lineage (the original and the adjustments that share
its ``lineage``), so that a calendar which imported an earlier version is corrected: the same
UIDs, ``SEQUENCE`` raised where a dose changed, dropped doses cancelled. Drafts are not issued:
they are left out of the history, and a draft's own file says "DRAFT" (only clinicians reach a
draft: :func:`apps.clinical.access.visible_prescriptions`).
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpResponse

from apps.clinical.models import Prescription
from lowdose.interop.ics import IssuedPlan, titration_calendar

__all__ = ["CALENDAR_TYPE", "calendar_response", "plan_calendar"]

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _strength(rx: Prescription) -> Decimal | None:
    return None if rx.concentration_mg_per_ml is None else Decimal(rx.concentration_mg_per_ml)


def issued_before(rx: Prescription) -> list[Prescription]:
    """The signed or dispensed plans of ``rx``'s lineage made before it, oldest first."""
    earlier = Q(created_at__lt=rx.created_at) | Q(created_at=rx.created_at, pk__lt=rx.pk)
    return list(
        Prescription.objects.filter(earlier, lineage=rx.lineage)
        .exclude(status=Prescription.Status.DRAFT)
        .order_by("created_at", "pk")
    )


def plan_calendar(rx: Prescription) -> bytes:
    """The ``.ics`` of ``rx`` (module docstring)."""
    draft = rx.status == Prescription.Status.DRAFT
    return titration_calendar(
        rx.plan(),
        tz=ZoneInfo(rx.patient.time_zone),
        concentration_mg_per_ml=_strength(rx),
        name="LDN plan",
        lineage=f"lowdose-{rx.lineage}",
        earlier=[IssuedPlan(p.plan(), _strength(p)) for p in issued_before(rx)],
        draft=draft,
    )


def calendar_response(rx: Prescription) -> HttpResponse:
    """The file as a download (``ldn-plan-<id>.ics``; ``ldn-plan-<id>-DRAFT.ics`` for a draft)."""
    response = HttpResponse(plan_calendar(rx), content_type=CALENDAR_TYPE)
    suffix = "-DRAFT" if rx.status == Prescription.Status.DRAFT else ""
    response["Content-Disposition"] = f'attachment; filename="ldn-plan-{rx.pk}{suffix}.ics"'
    return response
