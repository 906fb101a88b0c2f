from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: nobody, superusers included, can add, change or delete an audit event."""

    list_display = (
        "at",
        "actor_username",
        "actor_role",
        "action",
        "outcome",
        "patient_id",
        "ip_address",
    )
    list_filter = ("action", "outcome", "actor_role")
    search_fields = ("actor_username", "action", "path")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
