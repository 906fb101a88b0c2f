"""The compounding worksheet (result object) and the label text printed from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lowdose.pharmacy.bud import BeyondUse, Storage
from lowdose.pharmacy.units import Quantity
from lowdose.pharmacy.weighing import LiquidAliquot, Trituration
from lowdose.serial import Plain

__all__ = ["Ingredient", "Overage", "Worksheet", "label_text"]

#: Safety line on every label: naltrexone blocks opioid analgesia (label contraindication with
#: opioid analgesics; LDN Research Trust surgery advice). Wording for patients.
OPIOID_WARNING = (
    "Contains naltrexone: opioid pain relief may not work. Tell every doctor, dentist, "
    "pharmacist and anaesthetist that you take it."
)


@dataclass(frozen=True, slots=True)
class Ingredient:
    """One line of the formula. ``quantity is None`` means *q.s.* (quantum satis, "to volume")."""

    name: str
    quantity: Quantity | None
    role: str
    note: str = ""

    def to_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "quantity": "q.s." if self.quantity is None else self.quantity.to_dict()["quantity"],
            "unit": None if self.quantity is None else self.quantity.unit.value,
            "role": self.role,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Overage(Plain):
    """Material made beyond what is dispensed, shown separately with the reason."""

    quantity: Quantity
    naltrexone: Quantity
    reason: str


@dataclass(frozen=True, slots=True)
class Worksheet:
    """What the pharmacist makes: formula, per-unit fill, overage, BUD, label and method.

    ``dispensed`` and ``made`` are in the dispensing unit (capsules or mL); ``naltrexone_dispensed``
    is the exact naltrexone HCl content of what the patient receives. ``weighings`` lists every
    mass put on the balance (each at least ``min_weighable``); ``dilutions`` are the triturations
    or liquid aliquots that deliver an ingredient too small to weigh.
    """

    form: str
    preparation: str
    ingredients: tuple[Ingredient, ...]
    dispensed: Quantity
    made: Quantity
    naltrexone_dispensed: Quantity
    naltrexone_made: Quantity
    per_unit: tuple[tuple[str, Quantity], ...]
    overage: tuple[Overage, ...]
    beyond_use: BeyondUse
    compounded_on: date | None
    label: str
    method: tuple[str, ...]
    sources: tuple[str, ...] = field(default=())
    weighings: tuple[tuple[str, Quantity], ...] = field(default=())
    dilutions: tuple[Trituration | LiquidAliquot, ...] = field(default=())
    min_weighable: Quantity | None = None

    @property
    def beyond_use_date(self) -> date | None:
        return None if self.compounded_on is None else self.beyond_use.date_from(self.compounded_on)

    def to_dict(self) -> dict[str, Any]:
        bud_date = self.beyond_use_date
        return {
            "form": self.form,
            "preparation": self.preparation,
            "ingredients": [i.to_dict() for i in self.ingredients],
            "dispensed": self.dispensed.to_dict(),
            "made": self.made.to_dict(),
            "naltrexone_dispensed": self.naltrexone_dispensed.to_dict(),
            "naltrexone_made": self.naltrexone_made.to_dict(),
            "per_unit": [{"name": name, **q.to_dict()} for name, q in self.per_unit],
            "overage": [o.to_dict() for o in self.overage],
            "bud_days": self.beyond_use.days,
            "bud_category": self.beyond_use.category.value,
            "bud_source": self.beyond_use.source,
            "beyond_use_date": None if bud_date is None else bud_date.isoformat(),
            "storage": self.beyond_use.storage.value,
            "label": self.label,
            "method": list(self.method),
            "sources": list(self.sources),
            "weighings": [{"name": name, **q.to_dict()} for name, q in self.weighings],
            "dilutions": [d.to_dict() for d in self.dilutions],
            "min_weighable": None if self.min_weighable is None else self.min_weighable.to_dict(),
        }

    def summary(self) -> str:
        lines = [f"{self.preparation}: dispense {self.dispensed}, make {self.made}"]
        lines += [
            f"  {i.name}: {'q.s.' if i.quantity is None else i.quantity}" for i in self.ingredients
        ]
        lines += [f"  overage {o.quantity} ({o.reason})" for o in self.overage]
        lines += [f"  {d.title}: " + " ".join(d.steps) for d in self.dilutions]
        lines.append(f"  BUD {self.beyond_use.days} days, {self.beyond_use.storage.value}")
        return "\n".join(lines)


_DEFAULT_DIRECTIONS = "take as directed by your prescriber (see your titration plan)"


def label_text(
    *,
    preparation: str,
    dispensed: Quantity,
    storage: Storage,
    bud_days: int,
    bud_date: date | None,
    directions: str | None,
    extra: tuple[str, ...] = (),
) -> str:
    """Label wording for the patient (plain text, one statement per line)."""
    storage_line = (
        "Store in a refrigerator."
        if storage is Storage.REFRIGERATED
        else "Store at room temperature."
    )
    expiry = (
        f"Do not use after {bud_date.isoformat()}."
        if bud_date is not None
        else f"Do not use more than {bud_days} days after the date it was made."
    )
    lines = [
        f"{preparation}. Quantity: {dispensed}.",
        "Low-dose naltrexone (LDN), compounded; off-label use.",
        f"Directions: {directions or _DEFAULT_DIRECTIONS}.",
        *extra,
        f"{storage_line} Keep in the container supplied, away from light.",
        expiry,
        OPIOID_WARNING,
        "Keep out of the reach of children.",
    ]
    return "\n".join(lines)
