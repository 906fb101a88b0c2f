"""Input and output schemas of the clinical API: only these fields cross the boundary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from apps.clinical.models import Medication, Prescription
from config.api_input import BodyIn, IsoDate
from lowdose.safety import ScreeningResult


class FindingOut(Schema):
    code: str
    severity: str = Field(description="contraindicated | review | caution | info")
    message: str = Field(description="What was found and what to do, in plain words")
    matched: str
    source: str
    entry: str | None = Field(None, description="The medication text the finding is about")
    resolvable: bool = Field(
        False,
        description="A review a clinician or pharmacist can settle (name the ingredients, "
        "or record that it contains no opioid)",
    )


class ScreeningOut(Schema):
    status: Literal["contraindicated", "caution", "review", "ok"] = Field(
        description="contraindicated (hard stop) | review (an entry could not be identified: a "
        "hard stop until a person settles it) | caution (a reason is needed to sign) | ok (every "
        "entry identified, nothing found)"
    )
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


class MedicationIn(BodyIn):
    name: str = Field(max_length=200, description="As the patient takes it, e.g. 'Percocet 5/325'")
    status: Literal["current", "stopped"] = "current"
    last_dose: IsoDate | None = Field(
        None, description="Day of the last dose; required when status is stopped"
    )


class MedicationPatch(BodyIn):
    name: str | None = Field(None, max_length=200)
    status: Literal["current", "stopped"] | None = None
    last_dose: IsoDate | None = None
    reason: str = Field(
        "",
        max_length=500,
        description="Why the entry is corrected; required unless the change only records a stop",
    )


class MedicationChangeOut(Schema):
    name: str
    status: str
    last_dose: date | None
    replaced_at: datetime
    replaced_by: str
    reason: str = Field("", description="Why it was changed (empty for changes before 2026-12)")


class MedicationOut(Schema):
    id: int
    name: str
    status: Literal["current", "stopped"]
    last_dose: date | None
    added_at: datetime
    history: list[MedicationChangeOut] = Field(description="Earlier values, oldest first")

    @staticmethod
    def from_row(med: Medication) -> dict[str, object]:
        return {
            "id": med.pk,
            "name": med.name,
            "status": med.status,
            "last_dose": med.last_dose,
            "added_at": med.added_at,
            "history": med.history,
        }


class MedicationScreenOut(Schema):
    medication: MedicationOut
    screening: ScreeningOut


class AssessmentIn(BodyIn):
    instrument: str = Field(description="e.g. phq9, gad7 (GET /api/v1/instruments lists them)")
    answers: dict[str, int] = Field(
        description="Item link ids of the instrument definition → the chosen value"
    )


class AssessmentCorrectionIn(BodyIn):
    answers: dict[str, int] = Field(
        description="Every answer of the corrected form: item link ids → the chosen value"
    )
    reason: str = Field(max_length=500, description="Why the answers are corrected (required)")


class CrisisContactOut(Schema):
    label: str
    phone: str


class CrisisOut(Schema):
    message: str
    contacts: list[CrisisContactOut]


class AssessmentOut(Schema):
    id: int
    instrument: str
    total: int | float = Field(
        description="The total score (a whole number, or a decimal for "
        "instruments whose algorithm divides, e.g. the FIQR)"
    )
    band: str | None
    interpretation: str
    flags: list[str]
    crisis: CrisisOut | None = Field(
        None, description="Present when an answer signals a risk of self-harm: show it at once"
    )
    corrections: int = Field(
        0, description="How many times a clinician corrected the answers (history on the page)"
    )


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


class SignIn(BodyIn):
    pharmacy_id: int = Field(description="The compounding pharmacy to route the prescription to")
    consent: bool = Field(description="The patient consents to off-label, compounded LDN")
    caution_reason: str = Field(
        "", max_length=2000, description="Required when the screen finds a caution; audited"
    )


class SignRefusedOut(Schema):
    detail: str
    screening: ScreeningOut


class ResolutionIn(BodyIn):
    text: str = Field(max_length=200, description="The medication text under review, as listed")
    kind: Literal["ingredients", "not_opioid", "washout_confirmed"] = Field(
        description="ingredients: name what it contains (then screened normally); not_opioid: it "
        "contains no opioid (reason required); washout_confirmed: a stopped depot's opioid-free "
        "interval is confirmed (reason required, for this patient only)"
    )
    ingredients: list[str] = Field(default_factory=list, max_length=20)
    reason: str = Field("", max_length=2000)
