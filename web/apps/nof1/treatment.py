"""The N-of-1 app's facts about a patient's treatment, registered with
:mod:`apps.accounts.treatment` when Django starts (:class:`apps.nof1.apps.Nof1Config`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from apps.accounts.models import Patient
from apps.nof1.models import Nof1Trial
from apps.nof1.queries import current_kit, running_trial
from apps.nof1.states import state_of
from lowdose.outcomes.trial_states import TrialState
from lowdose.regimens import TrialWindow

__all__ = ["NOT_ENDED", "Nof1TrialFacts"]

#: The states of a trial that has not ended: its days are the trial's (kits, not open-label LDN).
NOT_ENDED = frozenset(
    {TrialState.DESIGNED, TrialState.KITS_PREPARED, TrialState.LOCKED, TrialState.RUNNING}
)


class Nof1TrialFacts:
    """:class:`apps.accounts.treatment.TrialFacts` from the stored trials."""

    def in_blinded_trial(self, patient_ids: list[int]) -> set[int]:
        trials = Nof1Trial.objects.filter(patient_id__in=patient_ids).blinded()
        return set(trials.values_list("patient_id", flat=True))

    def open_windows(self, patient: Patient, day: date) -> list[TrialWindow]:
        windows = []
        for trial in Nof1Trial.objects.blinded().filter(patient=patient).select_related("patient"):
            state = state_of(trial, day)
            if state in NOT_ENDED:
                windows.append(TrialWindow(trial.start, trial.end, state.label))
        return windows

    def blinded_kit(self, patient: Patient, day: date) -> dict[str, Any] | None:
        return current_kit(running_trial(patient, day), day)
