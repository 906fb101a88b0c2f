"""N-of-1 API schemas. The blinded schema has no field that could carry an arm."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema

from apps.accounts.models import User
from apps.nof1.models import Nof1Trial
from apps.nof1.states import situation


class BlindedPeriodOut(Schema):
    cycle: int
    kit: str
    start: date
    end: date
    analysis_start: date


class TrialOut(Schema):
    id: int
    status: str = Field(
        description=(
            "The trial's state: designed, kits_prepared, locked, running, finished, stopped, "
            "emergency_unblinded or unblinded (running and finished follow the patient's "
            "calendar)"
        )
    )
    status_label: str = Field(description="The state in a few plain words")
    next_step: str = Field(description="What happens next and who does it, for the caller's role")
    next_by: str | None = Field(
        description="Who takes the next step: clinician, pharmacist, patient or null (nobody)"
    )
    day: int | None = Field(description="Day of the schedule while running, else null")
    days: int = Field(description="Length of the schedule in days")
    arms: list[str]
    cycles: int
    period_days: int
    run_in_days: int
    start: date
    end: date
    schedule: list[BlindedPeriodOut]
    outcome: str
    mcid: float
    plan_locked: bool
    result: dict[str, Any] | None

    @staticmethod
    def from_trial(trial: Nof1Trial, viewer: User) -> dict[str, Any]:
        now = situation(trial, viewer)
        return {
            "id": trial.pk,
            "status": now.state.value,
            "status_label": now.label,
            "next_step": now.next_step,
            "next_by": now.next_by.value if now.next_by else None,
            "day": now.day,
            "days": now.days,
            "arms": trial.arms,
            "cycles": trial.cycles,
            "period_days": trial.period_days,
            "run_in_days": trial.run_in_days,
            "start": trial.start,
            "end": trial.end,
            "schedule": trial.schedule,
            "outcome": trial.outcome,
            "mcid": trial.mcid,
            "plan_locked": bool(trial.plan_fingerprint),
            "result": trial.result if trial.is_unblinded else None,
        }


class KitOut(Schema):
    kit: str
    cycle: int
    start: date
    end: date
    content: str
    dose_mg: str | None
    capsules: int
    label: str
