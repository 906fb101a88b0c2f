from __future__ import annotations

from django.apps import AppConfig


class Nof1Config(AppConfig):
    name = "apps.nof1"
    label = "nof1"
    verbose_name = "Blinded N-of-1 trials"

    def ready(self) -> None:
        from apps.accounts.treatment import provide_trial_facts
        from apps.nof1.reminders import Nof1SwitchFacts
        from apps.nof1.treatment import Nof1TrialFacts
        from apps.notifications.facts import provide_trial_switch_facts

        # The apps below (the safety screen, check-ins, the panel) ask for trial facts here.
        provide_trial_facts(Nof1TrialFacts())
        # The reminders (apps.notifications) ask which kit starts on a day here.
        provide_trial_switch_facts(Nof1SwitchFacts())
