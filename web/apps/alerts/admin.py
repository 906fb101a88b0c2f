from __future__ import annotations

from django.contrib import admin

from apps.alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    """Read-only: alerts are raised by rules and closed through the inbox, never edited."""

    list_display = ("raised_at", "severity", "kind", "patient_id", "acknowledged_at", "resolved_at")
    list_filter = ("severity", "kind")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
