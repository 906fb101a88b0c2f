"""Admin for accounts, clinics, care teams and pharmacies (clinic admins manage these).

Patient clinical data (check-ins) is deliberately not registered here: it is reachable only
through the access-checked, audited pages and API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import CareTeam, Clinic, Pharmacy, User
from apps.audit.admin_changes import AuditedAdmin

# Every change here is audited with before/after (apps.audit.admin_changes).


@admin.register(User)
class LowdoseUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    audited_fields = (
        "username",
        "role",
        "clinic",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
    )
    list_display = ("username", "role", "clinic", "is_active", "mfa_exempt", "last_login")
    list_filter = ("role", "clinic", "is_active", "mfa_exempt")
    # mfa_exempt is shown, never editable: only the demo loader sets it.
    readonly_fields = ("mfa_exempt",)
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("lowdose", {"fields": ("role", "clinic", "mfa_exempt")}),
    )
    add_fieldsets = (*UserAdmin.add_fieldsets, ("lowdose", {"fields": ("role", "clinic")}))


@admin.register(Clinic)
class ClinicAdmin(AuditedAdmin, admin.ModelAdmin[Clinic]):
    audited_fields = ("name", "crisis_message", "crisis_contacts")

    def clinic_of(self, obj: Any) -> int | None:
        return int(obj.pk) if obj.pk is not None else None


@admin.register(CareTeam)
class CareTeamAdmin(AuditedAdmin, admin.ModelAdmin[CareTeam]):
    audited_fields = ("name", "clinic", "clinicians")


@admin.register(Pharmacy)
class PharmacyAdmin(AuditedAdmin, admin.ModelAdmin[Pharmacy]):
    audited_fields = ("name", "address", "phone", "pharmacists", "min_weighable_mg")
