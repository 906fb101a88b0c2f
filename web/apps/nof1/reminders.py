"""The N-of-1 app's facts for reminders, registered with :mod:`apps.notifications.facts` when
Django starts (:class:`apps.nof1.apps.Nof1Config`): the kit whose blinded period starts on a day,
by its code only (what it holds stays in the allocation, never read here)."""

from __future__ import annotations

from datetime import date

from apps.nof1.models import Nof1Trial
from apps.nof1.queries import current_kit

__all__ = ["Nof1SwitchFacts"]


class Nof1SwitchFacts:
    """:class:`apps.notifications.facts.TrialSwitchFacts` from the running trials."""

    def kit_switches(self, patient_ids: list[int], day: date) -> dict[int, str]:
        switches: dict[int, str] = {}
        for trial in Nof1Trial.objects.filter(patient_id__in=patient_ids).running_on(day):
            period = current_kit(trial, day)
            if period is not None and period.get("start") == day.isoformat():
                switches[trial.patient_id] = str(period["kit"])
        return switches
