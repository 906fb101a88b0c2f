"""Admin for accounts, clinics, care teams and pharmacies (clinic admins manage these).

Patient clinical data (check-ins) is deliberately not registered here: it is reachable only
through the access-checked, audited pages and API.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import CareTeam, Clinic, Pharmacy, User


@admin.register(User)
class LowdoseUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "role", "clinic", "is_active", "mfa_exempt", "last_login")
    list_filter = ("role", "clinic", "is_active", "mfa_exempt")
    # mfa_exempt is shown, never editable: only the demo loader sets it.
    readonly_fields = ("mfa_exempt",)
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("lowdose", {"fields": ("role", "clinic", "mfa_exempt")}),
    )
    add_fieldsets = (*UserAdmin.add_fieldsets, ("lowdose", {"fields": ("role", "clinic")}))


admin.site.register(Clinic)
admin.site.register(CareTeam)
admin.site.register(Pharmacy)
