"""Reads for N-of-1 trials. The pharmacist's kit list is the only read of the allocation here."""

from __future__ import annotations

from datetime import date
from typing import Any

from apps.nof1.models import Nof1Trial
from lowdose.outcomes.design import arm_dose

__all__ = ["current_kit", "kit_rows"]


def current_kit(trial: Nof1Trial | None, day: date) -> dict[str, Any] | None:
    """The blinded period (kit code, dates) to take on ``day`` while the trial is blinded."""
    if trial is None or trial.is_unblinded:
        return None
    return trial.kit_for(day)


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
                "label": (
                    f"{period['kit']} — take one capsule at bedtime from {period['start']} "
                    f"to {period['end']}. Blinded trial medication: naltrexone or placebo."
                ),
            }
        )
    return rows
