from __future__ import annotations

from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "apps.clinical"
    label = "clinical"
    verbose_name = "Medications, safety screening, titration plans and prescriptions"

    def ready(self) -> None:
        from django.conf import settings

        from apps.clinical.licensed import install_licensed_wording

        install_licensed_wording(settings.LICENSED_WORDING_FILES)
