from __future__ import annotations

from django.contrib import admin

from apps.nof1.models import DesignSimulation


@admin.register(DesignSimulation)
class DesignSimulationAdmin(admin.ModelAdmin[DesignSimulation]):
    """Read-only: the design assistant's calculations, one per design, and why one failed (the
    page tells the clinician to ask the administrator, who looks here). They hold no patient
    data: the key and the inputs describe a design, never a person or an allocation."""

    list_display = ("key", "requested_at", "finished_at", "seconds", "failed_at")
    list_filter = ("failed_at",)
    readonly_fields = ("key", "inputs", "figures", "requested_at", "finished_at", "seconds")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
