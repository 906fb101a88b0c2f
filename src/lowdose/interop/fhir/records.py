"""The plain records a patient's FHIR export is built from (no Django, no ORM rows).

The web layer reads its rows and hands them to :func:`lowdose.interop.fhir.bundle.patient_bundle`
as these frozen dataclasses; the builder decides every code, system and reference. Each record
keeps what the import needs to re-create the row it came from (ids, days, client ids).

Times are timezone-aware ``datetime``; days are ``date``; doses are ``Decimal`` milligrams.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from lowdose.interop.fhir.history import HistoryResource
from lowdose.regimens.steps import TitrationStep

__all__ = [
    "DEFAULT_IDENTIFIER_BASE",
    "AssessmentRecord",
    "CheckinRecord",
    "DispensingRecord",
    "IdentifierSystems",
    "Nof1EffectRecord",
    "Nof1Record",
    "PatientIdentity",
    "PatientRecord",
    "PractitionerRecord",
    "PrescriptionRecord",
    "ReportDocument",
    "SideEffectRecord",
]

#: lowdose's own identifier systems when the clinic sets none (``LOWDOSE_FHIR_IDENTIFIER_BASE``).
DEFAULT_IDENTIFIER_BASE = "urn:lowdose:id"


@dataclass(frozen=True, slots=True)
class IdentifierSystems:
    """The identifier systems of one lowdose installation.

    ``base`` names lowdose's own systems (``<base>:patient``, ``<base>:practitioner``,
    ``<base>:checkin-item``, …; with ``/`` instead of ``:`` when it is an ``http(s)`` URL). It
    should be a URI the clinic controls, so that patient 12 of one clinic is not patient 12 of
    another. ``mrn`` is the clinic's medical-record-number system (e.g. an OID ``urn:oid:…`` or
    the EHR's URL); empty means the export carries no MRN.
    """

    base: str = DEFAULT_IDENTIFIER_BASE
    mrn: str = ""

    def system(self, kind: str) -> str:
        """The identifier system of ``kind`` (``patient``, ``practitioner``, ``prescription``…)."""
        sep = "/" if self.base.startswith(("http://", "https://")) else ":"
        return f"{self.base.rstrip('/:')}{sep}{kind}"


@dataclass(frozen=True, slots=True)
class PatientIdentity:
    """Who the record is about: lowdose's id, the name shown to the care team, and the MRN."""

    lowdose_id: int
    name: str
    mrn: str = ""


@dataclass(frozen=True, slots=True)
class PractitionerRecord:
    """A clinician or pharmacist named by a record (prescriber, dispenser, diagnosis)."""

    lowdose_id: int
    name: str
    role: str = "clinician"


@dataclass(frozen=True, slots=True)
class SideEffectRecord:
    """One side effect reported in a check-in (``lowdose.diary.SIDE_EFFECTS`` name)."""

    name: str
    severity: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CheckinRecord:
    """One daily check-in: the day it is about, when it was recorded, its 0–10 scores by scale
    name, the dose, and its side effects."""

    client_id: UUID
    day: date
    recorded_at: datetime
    scores: tuple[tuple[str, int], ...]
    dose_status: str
    dose_mg: Decimal | None = None
    dose_time: time | None = None
    note: str = ""
    kit: str = ""
    side_effects: tuple[SideEffectRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """One completed questionnaire (a registered instrument) and its answers."""

    lowdose_id: int
    instrument: str
    answers: Mapping[str, Any]
    completed_at: datetime
    version: str = ""


@dataclass(frozen=True, slots=True)
class PrescriptionRecord:
    """An LDN prescription: status (``draft``, ``signed``, ``dispensed``), the dated steps, the
    form (``capsule`` or ``liquid`` with its concentration) and the supply."""

    lowdose_id: int
    status: str
    steps: tuple[TitrationStep, ...]
    form: str
    created_at: datetime
    prescriber_id: int
    concentration_mg_per_ml: Decimal | None = None
    supply_days: int = 84
    signed_at: datetime | None = None
    pharmacy_name: str = ""
    off_label_statement: str = ""


@dataclass(frozen=True, slots=True)
class DispensingRecord:
    """One batch handed to the patient against a prescription."""

    lowdose_id: int
    prescription_id: int
    preparation: str
    quantity: Decimal
    unit: str
    lot: str
    compounded_on: date
    beyond_use_date: date
    pharmacist_id: int
    dispensed_at: datetime


@dataclass(frozen=True, slots=True)
class Nof1EffectRecord:
    """One active arm against placebo (points on the outcome's scale, active − placebo), with its
    95 % credible interval and posterior probabilities (``lowdose.outcomes.nof1.ArmEffect``)."""

    arm: str
    mean: float
    ci_low: float
    ci_high: float
    p_better: float
    p_mcid: float


@dataclass(frozen=True, slots=True)
class Nof1Record:
    """The unblinded result of an N-of-1 trial."""

    trial_id: int
    outcome: str
    start: date
    end: date
    unblinded_at: datetime
    mcid: float
    effects: tuple[Nof1EffectRecord, ...]
    summary: str = ""


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """The visit report: its PDF bytes, or where it can be fetched, or both. ``created_at`` is
    None for a report rendered when the URL is asked for (it has no creation time yet)."""

    title: str
    created_at: datetime | None
    pdf: bytes | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """Everything one export holds about one patient."""

    patient: PatientIdentity
    practitioners: tuple[PractitionerRecord, ...] = ()
    checkins: tuple[CheckinRecord, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()
    prescriptions: tuple[PrescriptionRecord, ...] = ()
    dispensings: tuple[DispensingRecord, ...] = ()
    nof1_results: tuple[Nof1Record, ...] = ()
    history: tuple[HistoryResource, ...] = ()  # kept from another record, exported as it came
    report: ReportDocument | None = None
