"""The dispensing record: what left the pharmacy, for whom, when, and until when it may be used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lowdose.errors import PharmacyError
from lowdose.pharmacy.units import Quantity
from lowdose.pharmacy.worksheet import Worksheet
from lowdose.serial import Plain

__all__ = ["DispensingRecord", "dispense"]


@dataclass(frozen=True, slots=True)
class DispensingRecord(Plain):
    """Data the web layer stores when a pharmacist dispenses (no ORM here).

    ``dispensed_at`` must be timezone-aware and fall between compounding and the beyond-use date.
    """

    prescription_ref: str
    patient_ref: str
    preparation: str
    quantity: Quantity
    lot: str
    compounded_on: date
    beyond_use_date: date
    dispensed_at: datetime
    pharmacist: str
    label: str

    def __post_init__(self) -> None:
        for name in ("prescription_ref", "patient_ref", "lot", "pharmacist"):
            if not str(getattr(self, name)).strip():
                raise PharmacyError(f"{name} is empty; fill it in before dispensing.", field=name)
        if self.dispensed_at.tzinfo is None or self.dispensed_at.utcoffset() is None:
            raise PharmacyError(
                "dispensed_at has no time zone; pass an aware datetime "
                "(e.g. datetime.now(timezone.utc)).",
                field="dispensed_at",
            )
        day = self.dispensed_at.date()
        if day < self.compounded_on:
            raise PharmacyError(
                f"dispensed on {day}, before it was compounded ({self.compounded_on}); check both "
                "dates.",
                field="dispensed_at",
            )
        if day >= self.beyond_use_date:
            raise PharmacyError(
                f"the preparation reached its beyond-use date ({self.beyond_use_date}) before "
                f"dispensing on {day}; make a fresh batch.",
                field="dispensed_at",
            )


def dispense(
    worksheet: Worksheet,
    *,
    prescription_ref: str,
    patient_ref: str,
    lot: str,
    pharmacist: str,
    dispensed_at: datetime,
) -> DispensingRecord:
    """Build the record for a worksheet that carries a compounding date."""
    if worksheet.compounded_on is None:
        raise PharmacyError(
            "the worksheet has no compounding date; build it with "
            "compounded_on=<date> so the label carries a dated BUD.",
            field="compounded_on",
        )
    bud = worksheet.beyond_use.date_from(worksheet.compounded_on)
    return DispensingRecord(
        prescription_ref=prescription_ref,
        patient_ref=patient_ref,
        preparation=worksheet.preparation,
        quantity=worksheet.dispensed,
        lot=lot,
        compounded_on=worksheet.compounded_on,
        beyond_use_date=bud,
        dispensed_at=dispensed_at,
        pharmacist=pharmacist,
        label=worksheet.label,
    )
