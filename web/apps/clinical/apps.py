from __future__ import annotations

from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "apps.clinical"
    label = "clinical"
    verbose_name = "Medications, safety screening, titration plans and prescriptions"

    def ready(self) -> None:
        from django.conf import settings

        from apps.accounts.treatment import provide_prescription_facts
        from apps.clinical.licensed import install_licensed_wording
        from apps.clinical.reminders import ClinicalPlanFacts
        from apps.clinical.treatment import ClinicalPrescriptionFacts
        from apps.notifications.facts import provide_plan_facts

        install_licensed_wording(settings.LICENSED_WORDING_FILES)
        # The apps below (check-ins, the panel) ask for prescriptions and the safety hold here.
        provide_prescription_facts(ClinicalPrescriptionFacts())
        # The reminders (apps.notifications) ask for titration steps and questionnaires here.
        provide_plan_facts(ClinicalPlanFacts())
