from __future__ import annotations

from django.apps import AppConfig


class PharmacyConfig(AppConfig):
    name = "apps.pharmacy"
    label = "pharmacy"
    verbose_name = "Pharmacy queue, dispensing and price lists"
