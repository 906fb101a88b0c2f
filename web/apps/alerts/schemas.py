"""Input and output schemas of the alert API: only these fields cross the boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from apps.alerts.models import Alert
from config.api_input import BodyIn

__all__ = ["AcknowledgeIn", "AlertOut"]


class AlertOut(Schema):
    id: int
    patient_id: int
    kind: str = Field(description="no_checkin, new_side_effect, severe_side_effect, pain_up, …")
    severity: str = Field(description="urgent, warning or info")
    message: str = Field(description="Plain words: what happened and what to do")
    facts: dict[str, Any] = Field(description="The data that raised the alert")
    blocks_dispensing: bool
    created_at: datetime = Field(description="When the alert was raised (ISO 8601, UTC)")
    acknowledged_at: datetime | None
    acknowledged_by: str | None = Field(description="Username of who acknowledged it")
    acknowledged_note: str | None

    @staticmethod
    def from_row(alert: Alert) -> dict[str, object]:
        by = alert.acknowledged_by
        return {
            "id": alert.pk,
            "patient_id": alert.patient_id,
            "kind": alert.kind,
            "severity": alert.severity,
            "message": alert.message,
            "facts": alert.facts,
            "blocks_dispensing": alert.blocks_dispensing,
            "created_at": alert.raised_at,
            "acknowledged_at": alert.acknowledged_at,
            "acknowledged_by": by.get_username() if by is not None else None,
            "acknowledged_note": alert.acknowledged_note or None,
        }


class AcknowledgeIn(BodyIn):
    note: str = Field(description="What you did or decided (required)")
