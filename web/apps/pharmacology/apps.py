from __future__ import annotations

from django.apps import AppConfig


class PharmacologyConfig(AppConfig):
    name = "apps.pharmacology"
    label = "pharmacology"
    verbose_name = "How LDN works (pharmacology simulator)"
