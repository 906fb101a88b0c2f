"""What the audit API takes and gives: only whitelisted fields leave the server.

``detail`` is not sent as is (it may hold clinical text, e.g. a caution reason): only the patient
list of a list view, the username a failed sign-in tried, and the before/after of an admin change.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from apps.audit.models import AuditEvent
from config.api_input import ObjectId

__all__ = ["AuditEventOut", "AuditFiltersIn"]


class AuditFiltersIn(Schema):
    patient_id: ObjectId | None = None
    person: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: date | None = None
    until: date | None = None


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_username: str
    actor_role: str
    action: str
    outcome: str
    patient_id: int | None
    patient_ids: list[int] | None = None
    object_type: str
    object_id: str
    ip_address: str | None
    method: str
    path: str
    tried_username: str | None = None
    changes: dict[str, Any] | None = None
    row_hash: str | None

    @staticmethod
    def resolve_patient_ids(obj: AuditEvent) -> list[int] | None:
        detail = obj.detail if isinstance(obj.detail, dict) else {}
        ids = detail.get("patient_ids")
        return [int(i) for i in ids] if isinstance(ids, list) else None

    @staticmethod
    def resolve_tried_username(obj: AuditEvent) -> str | None:
        if obj.action != "auth.login.failed" or not isinstance(obj.detail, dict):
            return None
        return str(obj.detail.get("username", ""))

    @staticmethod
    def resolve_changes(obj: AuditEvent) -> dict[str, Any] | None:
        if not obj.action.startswith("admin.") or not isinstance(obj.detail, dict):
            return None
        changes = obj.detail.get("changes")
        return changes if isinstance(changes, dict) else None
