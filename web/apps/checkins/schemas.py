"""Input and output schemas of the check-in API: only these fields cross the boundary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from apps.checkins.models import Checkin
from config.api_input import BodyIn, IsoDate, IsoDateTime, IsoUUID
from lowdose.daily import DAILY_SCALES


class SideEffectIn(BodyIn):
    name: Literal["vivid_dreams", "insomnia", "headache", "nausea", "other"]
    severity: Literal["mild", "moderate", "severe"]
    detail: str = Field("", max_length=200)


class CheckinIn(BodyIn):
    client_id: IsoUUID = Field(
        description="Generated on the device; re-sending it never duplicates."
    )
    recorded_at: IsoDateTime | None = Field(None, description="ISO 8601 with offset; default now.")
    day: IsoDate | None = Field(
        None, description="The day the entry belongs to; only needed between midnight and 05:00."
    )
    pain: int = Field(ge=0, le=10, description="0 = no pain, 10 = worst pain imaginable")
    fatigue: int = Field(ge=0, le=10, description="0 = no fatigue, 10 = worst imaginable")
    sleep: int = Field(ge=0, le=10, description="Sleep quality: 0 = worst, 10 = best possible")
    mood: int = Field(ge=0, le=10, description="0 = worst, 10 = best possible mood")
    dose_mg: str | None = Field(None, description='Decimal string, e.g. "4.5"; null when missed')
    dose_time: str | None = Field(None, description="HH:MM (24-hour)")
    dose_missed: bool = False
    dose_status: Literal["taken", "missed", "none"] | None = Field(
        None,
        description="The dose answer: taken, missed, or none (no dose due). Without it, "
        "dose_missed true means missed and a dose_mg (or kit) means taken; with missed or "
        "none, dose_mg and dose_time are ignored. An entry with no dose answer is a 400.",
    )
    side_effects: list[SideEffectIn] = Field(default_factory=list)
    note: str = Field("", max_length=2000)
    kit: str | None = Field(
        None, description="During a blinded N-of-1 trial: the code of the kit taken (no dose_mg)."
    )

    def raw(self) -> dict[str, object]:
        data = self.dict()
        data["client_id"] = str(self.client_id)
        data["recorded_at"] = self.recorded_at.isoformat() if self.recorded_at else None
        data["day"] = self.day.isoformat() if self.day else None
        return data


class CheckinPatch(BodyIn):
    """A correction: only the fields sent change (the rules of a new entry apply to the result)."""

    day: IsoDate | None = None
    pain: int | None = Field(None, ge=0, le=10)
    fatigue: int | None = Field(None, ge=0, le=10)
    sleep: int | None = Field(None, ge=0, le=10)
    mood: int | None = Field(None, ge=0, le=10)
    dose_status: Literal["taken", "missed", "none"] | None = None
    dose_missed: bool | None = None
    dose_mg: str | None = Field(None, description='Decimal string, e.g. "4.5"')
    dose_time: str | None = Field(None, description="HH:MM (24-hour)")
    side_effects: list[SideEffectIn] | None = None
    note: str | None = Field(None, max_length=2000)

    def changes(self) -> dict[str, object]:
        data = self.model_dump(exclude_unset=True)
        if data.get("day") is not None:
            data["day"] = data["day"].isoformat()
        return data


class SideEffectOut(Schema):
    name: str
    severity: str
    detail: str


class CheckinOut(Schema):
    id: int
    client_id: UUID
    day: date
    recorded_at: datetime
    pain: int
    fatigue: int
    sleep: int
    mood: int
    dose_status: str
    dose_mg: str | None
    dose_time: str | None
    dose_missed: bool
    side_effects: list[SideEffectOut]
    note: str
    kit: str
    changed_at: datetime | None = Field(
        description="When the patient last changed it (earlier versions are kept); null if never"
    )

    @staticmethod
    def from_row(row: Checkin) -> dict[str, object]:
        return {
            "id": row.pk,
            "client_id": row.client_id,
            "day": row.day,
            "recorded_at": row.recorded_at,
            **{scale.name: getattr(row, scale.name) for scale in DAILY_SCALES},
            "dose_status": row.dose_status,
            "dose_mg": None if row.dose_mg is None else f"{row.dose_mg:f}",
            "dose_time": row.dose_time.strftime("%H:%M") if row.dose_time else None,
            "dose_missed": row.dose_status == "missed",
            "side_effects": [
                {"name": e.name, "severity": e.severity, "detail": e.detail}
                for e in row.side_effects.all()
            ],
            "note": row.note,
            "kit": row.kit,
            "changed_at": row.changed_at,
        }
