"""Input and output schemas of the clinical API: only these fields cross the boundary."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from apps.clinical.models import Prescription
from lowdose.safety import ScreeningResult


class FindingOut(Schema):
    code: str
    severity: str = Field(description="contraindicated | caution | info")
    message: str
    matched: str
    source: str


class ScreeningOut(Schema):
    status: str = Field(description="contraindicated (hard stop) | caution | ok")
    can_sign: bool
    needs_reason: bool
    findings: list[FindingOut]

    @staticmethod
    def from_result(result: ScreeningResult) -> dict[str, object]:
        return {
            "status": result.status,
            "can_sign": result.can_sign,
            "needs_reason": result.needs_reason,
            "findings": [f.to_dict() for f in result.findings],
        }


class StepOut(Schema):
    start: date
    end: date | None
    dose_mg: str = Field(description="exact decimal milligrams of naltrexone hydrochloride")
    time: str
    note: str


class PrescriptionOut(Schema):
    id: int
    status: str = Field(description="draft | signed | dispensed")
    protocol: str
    form: str
    concentration_mg_per_ml: str | None
    start_date: date
    supply_days: int
    steps: list[StepOut]
    pharmacy: str | None
    consent_recorded: bool
    off_label_statement: str
    signed_at: datetime | None

    @staticmethod
    def from_row(rx: Prescription) -> dict[str, object]:
        return {
            "id": rx.pk,
            "status": rx.status,
            "protocol": rx.protocol,
            "form": rx.form,
            "concentration_mg_per_ml": (
                None if rx.concentration_mg_per_ml is None else f"{rx.concentration_mg_per_ml:f}"
            ),
            "start_date": rx.start_date,
            "supply_days": rx.supply_days,
            "steps": [
                {k: s[k] for k in ("start", "end", "dose_mg", "time", "note")} for s in rx.steps
            ],
            "pharmacy": None if rx.pharmacy is None else rx.pharmacy.name,
            "consent_recorded": rx.consent_recorded,
            "off_label_statement": rx.off_label_statement,
            "signed_at": rx.signed_at,
        }


class SignIn(Schema):
    pharmacy_id: int = Field(description="The compounding pharmacy to route the prescription to")
    consent: bool = Field(description="The patient consents to off-label, compounded LDN")
    caution_reason: str = Field(
        "", max_length=2000, description="Required when the screen finds a caution; audited"
    )


class SignRefusedOut(Schema):
    detail: str
    screening: ScreeningOut
