"""Read-side helpers: a prescription's worksheets and its cost at each pharmacy (all from the
core, :mod:`lowdose.pharmacy`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.accounts.models import Pharmacy
from apps.clinical.models import Prescription
from lowdose.evidence import ldn_responder_benefit as evidence_benefit
from lowdose.meta.number_needed import NumberNeededToTreat
from lowdose.pharmacy import (
    MIN_WEIGHABLE,
    CostEstimate,
    PharmacyCost,
    PriceList,
    PriceListError,
    Worksheet,
)
from lowdose.pharmacy.prices import ProductForm
from lowdose.pharmacy.supply import TitrationSupply

__all__ = [
    "CostRow",
    "CurrencyGroup",
    "by_currency",
    "costs_for",
    "ldn_responder_benefit",
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
    """One pharmacy's price for the plan: the cheapest purchase (``cost``, at most two
    capsules a dose), and for capsules the price of what the prescription asks for and the
    worksheet makes, one capsule of each dose's strength (``as_prescribed``, or why it cannot
    be priced)."""

    pharmacy: str
    cost: PharmacyCost | None
    problem: str = ""
    as_prescribed: PharmacyCost | None = None
    as_prescribed_problem: str = ""

    @property
    def prescription_differs(self) -> bool:
        """Whether the cheapest purchase is not the prescription's one capsule a dose (so the
        page must say what each costs and what to ask the pharmacy)."""
        if self.cost is None or self.cost.form is not ProductForm.CAPSULE:
            return False
        if self.as_prescribed is None:
            return bool(self.as_prescribed_problem)
        return any(
            getattr(self.as_prescribed, period).doses != getattr(self.cost, period).doses
            for period in ("trial_12_weeks", "yearly")
        )


@dataclass(frozen=True)
class CurrencyGroup:
    """The pharmacies pricing in one currency, cheapest 12-week trial first."""

    currency: str
    rows: tuple[CostRow, ...]


def ldn_responder_benefit() -> NumberNeededToTreat | None:
    """Responders on LDN and on placebo (FINAL 2024, >=30% pain relief) from the evidence
    engine, for the cost per extra responder compared with placebo."""
    return evidence_benefit()


def costs_for(rx: Prescription, benefit: NumberNeededToTreat | None = None) -> list[CostRow]:
    """The plan's cost at every pharmacy that publishes prices for its form: grouped by
    currency (never compared across currencies), cheapest trial first within each; a pharmacy
    that cannot supply the doses says why, last. For capsules each row also prices the
    prescription as written (one capsule of each dose's strength, what the worksheet makes),
    so the page can say when the cheapest purchase needs the pharmacy to dispense otherwise.
    The protocol's ongoing plan is priced, so "monthly" is the maintenance dose (4.5 mg for
    ``ldnrt-standard``), not this supply's last step."""
    rows: list[CostRow] = []
    plan = rx.ongoing_plan()
    for pharmacy in Pharmacy.objects.prefetch_related("prices").order_by("name"):
        entries = tuple(e.to_core() for e in pharmacy.prices.all() if e.form == rx.form)
        if not entries:
            continue
        prices = [PriceList(pharmacy.name, entries)]
        try:
            result = CostEstimate(plan, prices, rx.form, benefit=benefit).fit()
        except PriceListError as exc:
            rows.append(CostRow(pharmacy.name, None, str(exc)))
            continue
        cheapest = result.pharmacies[0]
        if rx.form != "capsule":
            rows.append(CostRow(pharmacy.name, cheapest))
            continue
        try:
            # the page shows its totals only: no cost per extra responder to compute
            written = CostEstimate(plan, prices, rx.form, max_capsules_per_dose=1).fit()
        except PriceListError as exc:
            rows.append(CostRow(pharmacy.name, cheapest, as_prescribed_problem=str(exc)))
        else:
            rows.append(CostRow(pharmacy.name, cheapest, as_prescribed=written.pharmacies[0]))
    rows.sort(
        key=lambda r: (
            r.cost is None,
            "" if r.cost is None else r.cost.currency,
            r.cost.trial_12_weeks.total.amount if r.cost else 0,
        )
    )
    return rows


def by_currency(rows: list[CostRow]) -> list[CurrencyGroup]:
    """The priced rows in one group per currency (in the order :func:`costs_for` gives)."""
    groups: dict[str, list[CostRow]] = {}
    for row in rows:
        if row.cost is not None:
            groups.setdefault(row.cost.currency, []).append(row)
    return [CurrencyGroup(code, tuple(group)) for code, group in groups.items()]
