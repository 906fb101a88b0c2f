"""N-of-1 API schemas. The blinded schema has no field that could carry an arm."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema

from apps.nof1.models import Nof1Trial


class BlindedPeriodOut(Schema):
    cycle: int
    kit: str
    start: date
    end: date
    analysis_start: date


class TrialOut(Schema):
    id: int
    status: str
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
    def from_trial(trial: Nof1Trial) -> dict[str, Any]:
        return {
            "id": trial.pk,
            "status": trial.status,
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
