from __future__ import annotations

from django.contrib import admin

from apps.pharmacy.models import PriceEntry


@admin.register(PriceEntry)
class PriceEntryAdmin(admin.ModelAdmin[PriceEntry]):
    list_display = (
        "pharmacy",
        "form",
        "strength_mg",
        "concentration_mg_per_ml",
        "pack_size",
        "price",
        "currency",
    )
    list_filter = ("pharmacy", "form")
