"""Read-side helpers: a prescription's worksheets and its cost at each pharmacy (all from the
core, :mod:`lowdose.pharmacy`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.accounts.models import Pharmacy
from apps.clinical.models import Prescription
from lowdose.evidence import comparison_table
from lowdose.pharmacy import (
    MIN_WEIGHABLE,
    CostEstimate,
    PharmacyCost,
    PriceList,
    PriceListError,
    Worksheet,
)
from lowdose.pharmacy.supply import TitrationSupply

__all__ = [
    "CostRow",
    "ResponderEvidence",
    "costs_for",
    "ldn_responder_evidence",
    "supply_for",
    "worksheets_for",
]


def worksheets_for(
    rx: Prescription, source: str, *, preserved: bool, today: date
) -> tuple[Worksheet, ...]:
    """The worksheets for the whole supply: one per capsule strength (compounded ``today``), or
    one per liquid beyond-use window (each compounded on its first day); weighings respect the
    minimum weighable quantity of the balance at the prescription's pharmacy."""
    balance = MIN_WEIGHABLE.value if rx.pharmacy is None else rx.pharmacy.min_weighable_mg
    return rx.preparation().worksheets(
        rx.plan(), source, preserved=preserved, today=today, min_weighable_mg=Decimal(balance)
    )


def supply_for(rx: Prescription) -> TitrationSupply:
    """What the whole supply takes: capsules per strength, or the liquid's volume."""
    return rx.preparation().supply(rx.plan())


@dataclass(frozen=True)
class CostRow:
    pharmacy: str
    cost: PharmacyCost | None
    problem: str = ""


@dataclass(frozen=True)
class ResponderEvidence:
    """The LDN responder rate the evidence engine publishes, with what it is and is not."""

    rate: Decimal  # fraction with >=30% pain relief on LDN
    placebo_rate: Decimal | None
    dose: str
    source: str
    note: str


def ldn_responder_evidence() -> ResponderEvidence | None:
    """The LDN row of :func:`lowdose.evidence.comparison_table` (FINAL 2024: >=30% pain relief),
    or ``None`` when the evidence base has no LDN responder rate.

    The percentages are converted exactly through their decimal text (45.0 % → 0.45).
    """
    for row in comparison_table():
        ldn, placebo = row.responder_30
        if row.drug == "low-dose naltrexone" and ldn is not None:
            return ResponderEvidence(
                rate=Decimal(str(ldn)) / 100,
                placebo_rate=None if placebo is None else Decimal(str(placebo)) / 100,
                dose=row.dose,
                source=row.source,
                note=row.note,
            )
    return None


def costs_for(rx: Prescription, responder_rate: Decimal | None = None) -> list[CostRow]:
    """The plan's cost at every pharmacy that publishes prices for its form, cheapest first;
    a pharmacy that cannot supply the doses says why. The protocol's ongoing plan is priced, so
    "monthly" is the maintenance dose (4.5 mg for ``ldnrt-standard``), not this supply's last
    step."""
    rows: list[CostRow] = []
    for pharmacy in Pharmacy.objects.prefetch_related("prices").order_by("name"):
        entries = tuple(e.to_core() for e in pharmacy.prices.all() if e.form == rx.form)
        if not entries:
            continue
        try:
            result = CostEstimate(
                rx.ongoing_plan(),
                [PriceList(pharmacy.name, entries)],
                rx.form,
                responder_rate=responder_rate,
            ).fit()
        except PriceListError as exc:
            rows.append(CostRow(pharmacy.name, None, str(exc)))
        else:
            rows.append(CostRow(pharmacy.name, result.pharmacies[0]))
    rows.sort(key=lambda r: (r.cost is None, r.cost.trial_12_weeks.total.amount if r.cost else 0))
    return rows
