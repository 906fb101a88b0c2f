"""The alert API: the same access rules and audit as the inbox."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.alerts.access import get_alert_for_user
from apps.alerts.actions import acknowledge_alert
from apps.alerts.models import Severity
from apps.alerts.queries import open_alerts
from apps.alerts.schemas import AcknowledgeIn, AlertOut
from apps.audit.actor import Actor
from apps.audit.log import record
from config.api_input import ErrorOut, ObjectId
from config.keyset import PAGED, PageIn, keyset_page, page_schema

router = Router(tags=["alerts"], auth=BearerToken())


class AlertFilters(Schema):
    patient_id: ObjectId | None = None
    severity: str | None = None


@router.get(
    "/alerts",
    response={200: page_schema(AlertOut), 400: ErrorOut, 422: ErrorOut},
    summary="Open alerts you may see, most urgent first, unacknowledged first, newest first",
    description="Filters: `patient_id`, `severity` (urgent, warning or info). Clinicians see "
    "their care teams' alerts; pharmacists only alerts that block dispensing or kit release "
    "for patients whose prescription or kits their pharmacy holds; others an empty list. " + PAGED,
)
def list_alerts(
    request: HttpRequest, filters: Query[AlertFilters], page: Query[PageIn]
) -> Status[dict[str, object]] | Status[dict[str, str]]:
    severity: Severity | None = None
    if filters.severity is not None:
        try:
            severity = Severity(filters.severity)
        except ValueError:
            return Status(
                422,
                {
                    "detail": "severity: choose urgent, warning or info; "
                    f"got {filters.severity!r}.",
                    "field": "severity",
                },
            )
    rows, link = keyset_page(
        request,
        open_alerts(cast(User, request.user), severity=severity, patient_id=filters.patient_id),
        page,
    )
    # the patients of this page only
    record(request, "alerts.view", detail={"patient_ids": sorted({a.patient_id for a in rows})})
    answer: dict[str, object] = {"items": [AlertOut.from_row(a) for a in rows], "next": link}
    return Status(200, answer)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Acknowledge an alert with a note (it stays open until resolved)",
)
def acknowledge_an_alert(
    request: HttpRequest, alert_id: ObjectId, payload: AcknowledgeIn
) -> Status[dict[str, object]]:
    actor = Actor.from_request(request)
    alert = get_alert_for_user(actor, alert_id, "alerts.acknowledge")
    done = acknowledge_alert(actor, alert, payload.note)  # resolved already: 409 (config.api)
    return Status(200, AlertOut.from_row(done))
