from __future__ import annotations

from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "apps.clinical"
    label = "clinical"
    verbose_name = "Medications, safety screening, titration plans and prescriptions"
