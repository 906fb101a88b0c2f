"""Reads for N-of-1 trials. The pharmacist's kit list is the only read of the allocation here."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import translation

from apps.accounts.locale import when
from apps.accounts.models import Patient
from apps.nof1.models import Nof1Trial
from apps.nof1.states import state_of
from lowdose.outcomes.design import arm_dose
from lowdose.outcomes.trial_states import TrialState

__all__ = ["UNDER_WAY", "current_kit", "kit_rows", "running_trial", "trial_under_way"]

#: States in which a trial is under way: a patient has at most one such trial at a time.
UNDER_WAY = frozenset(
    {TrialState.DESIGNED, TrialState.KITS_PREPARED, TrialState.LOCKED, TrialState.RUNNING}
)


def trial_under_way(patient: Patient) -> Nof1Trial | None:
    """The patient's trial that is designed, has kits, is locked or is running, if any."""
    for trial in Nof1Trial.objects.filter(patient=patient).blinded().select_related("patient"):
        if state_of(trial) in UNDER_WAY:
            return trial
    return None


def running_trial(patient: Patient, day: date) -> Nof1Trial | None:
    """The patient's trial in the ``running`` state on ``day`` (their calendar day)."""
    return Nof1Trial.objects.filter(patient=patient).running_on(day).first()


def current_kit(trial: Nof1Trial | None, day: date) -> dict[str, Any] | None:
    """The blinded period (kit code, dates) to take on ``day``: only while the trial is running
    (kits prepared, plan locked, within the schedule, not ended early)."""
    if trial is None or state_of(trial, day) is not TrialState.RUNNING:
        return None
    return trial.kit_for(day)


def _label(trial: Nof1Trial, period: dict[str, Any]) -> str:
    """A kit's label: the patient reads it, so its dates are written as the patient writes them."""
    with translation.override(trial.patient.locale):
        start, end = (when(date.fromisoformat(period[key])) for key in ("start", "end"))
    return (
        f"{period['kit']} — take one capsule at bedtime from {start} to {end}. "
        "Blinded trial medication: naltrexone or placebo."
    )


def kit_rows(trial: Nof1Trial) -> list[dict[str, Any]]:
    """The pharmacist's allocation list: one row per kit with its content and quantity."""
    rows = []
    for period in trial.allocation.plan["periods"]:
        days = (date.fromisoformat(period["end"]) - date.fromisoformat(period["start"])).days + 1
        arm = str(period["arm"])
        dose = arm_dose(arm)
        rows.append(
            {
                "kit": period["kit"],
                "cycle": period["cycle"],
                "start": period["start"],
                "end": period["end"],
                "content": "placebo (filler only)" if dose == 0 else f"naltrexone {arm}",
                "dose_mg": None if dose == 0 else str(dose),
                "capsules": days,
                "label": _label(trial, period),
            }
        )
    return rows
