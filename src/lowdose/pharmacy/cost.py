"""What LDN costs the patient at each pharmacy: monthly, a 12-week trial, a year, per responder.

Pharmacies publish price lists of packs (form, strength or concentration, pack size, price). The
patient buys **whole packs**; an opened liquid bottle is used only within its in-use period (its
beyond-use date), so a bottle may be discarded before it is empty. Costs over a period are
therefore exact sums of pack prices:

.. math::

    C_{\\text{period}} = \\sum_{\\text{products}} \\lceil U / q \\rceil \\, p ,

with :math:`U` units needed (capsules of one strength), :math:`q` the pack size and :math:`p` the
pack price; liquids are simulated day by day (a new bottle when the old one is empty or past its
in-use days).

* **12-week trial**: the first 84 days of the plan (12 weeks: the primary endpoint length of the
  RCTs, Younger 2013, FINAL 2024; INNOVA 3 months).
* **Yearly**: the first 365 days of the plan (the last dose continued).
* **Monthly**: the average over 12 months at the maintenance dose,
  :math:`C_{360}/12` for 360 days at the last step's dose, rounded to the cent.
* **Per responder**: :math:`C_{\\text{trial}} / r` for a responder rate :math:`r` supplied by the
  evidence engine: every patient who starts pays for the trial, a fraction :math:`r` responds.
  Rounded to the cent.

Rounding (half up, to 0.01) happens only in the two averaged figures and says so.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from lowdose.errors import PriceListError
from lowdose.pharmacy.supply import capsule_strength_for
from lowdose.pharmacy.units import Money, Quantity, Unit, as_decimal
from lowdose.regimens.steps import TitrationStep, daily_doses, decimal_str, extend_through

__all__ = [
    "MONTH_DAYS",
    "TRIAL_DAYS",
    "YEAR_DAYS",
    "CostEstimate",
    "CostResult",
    "PeriodCost",
    "PharmacyCost",
    "PriceList",
    "PriceListEntry",
    "ProductForm",
    "PurchaseLine",
    "period_cost",
]

#: 12 weeks, the RCT primary-endpoint length (Younger 2013; FINAL 2024).
TRIAL_DAYS = 84
YEAR_DAYS = 365
#: Calendar-neutral month used for averages (the LDN Research Trust figures are per 30 days).
MONTH_DAYS = 30
_CENT = Decimal("0.01")


class ProductForm(enum.StrEnum):
    CAPSULE = "capsule"
    LIQUID = "liquid"


@dataclass(frozen=True, slots=True)
class PriceListEntry:
    """One pack on a price list.

    Capsules: ``strength_mg`` and a pack in capsules. Liquids: ``concentration_mg_per_ml``, a pack
    in mL and ``in_use_days`` (how long an opened bottle may be used: its BUD).
    """

    form: ProductForm
    pack: Quantity
    price: Money
    strength_mg: Decimal | None = None
    concentration_mg_per_ml: Decimal | None = None
    in_use_days: int | None = None

    def __post_init__(self) -> None:
        if self.price.amount < 0:
            raise PriceListError(f"price {self.price} is negative.", field="price")
        if self.pack.value <= 0:
            raise PriceListError(f"pack size {self.pack} must be positive.", field="pack")
        if self.form is ProductForm.CAPSULE:
            if (
                self.pack.unit is not Unit.CAPSULE
                or self.strength_mg is None
                or (self.strength_mg <= 0)
            ):
                raise PriceListError(
                    "a capsule entry needs a positive strength_mg and a pack counted in capsules.",
                    field="strength_mg",
                )
        else:
            if (
                self.pack.unit is not Unit.ML
                or self.concentration_mg_per_ml is None
                or (self.concentration_mg_per_ml <= 0)
            ):
                raise PriceListError(
                    "a liquid entry needs a positive concentration_mg_per_ml and a pack in mL.",
                    field="concentration_mg_per_ml",
                )
            if self.in_use_days is None or self.in_use_days < 1:
                raise PriceListError(
                    "a liquid entry needs in_use_days (the bottle's beyond-use period, e.g. 14 "
                    "for an unpreserved aqueous liquid under USP <795>).",
                    field="in_use_days",
                )

    @property
    def mg_per_pack(self) -> Fraction:
        per_unit = (
            self.strength_mg if self.form is ProductForm.CAPSULE else (self.concentration_mg_per_ml)
        )
        return Fraction(self.pack.value) * Fraction(per_unit or 0)

    @property
    def description(self) -> str:
        if self.form is ProductForm.CAPSULE:
            return f"{decimal_str(self.strength_mg or Decimal(0))} mg capsules × {self.pack}"
        return (
            f"{decimal_str(self.concentration_mg_per_ml or Decimal(0))} mg/mL liquid, {self.pack}"
        )


@dataclass(frozen=True, slots=True)
class PriceList:
    """A pharmacy's published prices, all in one currency."""

    pharmacy: str
    entries: tuple[PriceListEntry, ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise PriceListError(f"{self.pharmacy}: the price list is empty.", field="entries")
        currencies = {e.price.currency for e in self.entries}
        if len(currencies) != 1:
            raise PriceListError(
                f"{self.pharmacy}: prices mix currencies ({', '.join(sorted(currencies))}); "
                "publish one currency per list.",
                field="currency",
            )

    @property
    def currency(self) -> str:
        return self.entries[0].price.currency

    def of_form(self, form: ProductForm) -> tuple[PriceListEntry, ...]:
        return tuple(e for e in self.entries if e.form is form)


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    entry: PriceListEntry
    packs: int
    cost: Money

    def to_dict(self) -> dict[str, Any]:
        return {"product": self.entry.description, "packs": self.packs, "cost": self.cost.to_dict()}


@dataclass(frozen=True, slots=True)
class PeriodCost:
    """Whole packs bought for ``days`` days of a plan."""

    days: int
    lines: tuple[PurchaseLine, ...]
    total: Money

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "lines": [line.to_dict() for line in self.lines],
            "total": self.total.to_dict(),
        }


def _cheapest_of_strength(
    entries: Sequence[PriceListEntry], strength: Decimal
) -> PriceListEntry | None:
    """The cheapest pack (per mg) of capsules of exactly ``strength`` mg."""
    best: tuple[Fraction, PriceListEntry] | None = None
    for entry in entries:
        if entry.strength_mg != strength:
            continue
        per_mg = Fraction(entry.price.amount) / entry.mg_per_pack
        if best is None or per_mg < best[0]:
            best = (per_mg, entry)
    return None if best is None else best[1]


def period_cost(
    steps: Sequence[TitrationStep],
    prices: PriceList,
    form: ProductForm,
    *,
    capsule_strength_mg: Decimal | None = None,
) -> PeriodCost:
    """Exact cost of whole packs for a finite plan.

    Capsules are priced at the strength the worksheet compounds for each dose
    (:func:`lowdose.pharmacy.supply.capsule_strength_for`: one capsule per dose, or
    ``capsule_strength_mg`` for all), never at a cheaper strength the pharmacy does not make
    for this plan; a pharmacy that publishes no price for that strength is refused.
    """
    days = list(daily_doses(steps))
    currency = prices.currency
    zero = Money(Decimal(0), currency)
    if form is ProductForm.CAPSULE:
        units: dict[PriceListEntry, Fraction] = {}
        for _, dose in days:
            strength = capsule_strength_for(dose, capsule_strength_mg)
            entry = _cheapest_of_strength(prices.of_form(form), strength)
            if entry is None:
                raise PriceListError(
                    f"{prices.pharmacy} publishes no price for {decimal_str(strength)} mg "
                    f"capsules, the strength compounded for the {decimal_str(dose)} mg dose; ask "
                    "the pharmacy to publish it, or price the oral liquid.",
                    field="strength",
                )
            units[entry] = units.get(entry, Fraction(0)) + Fraction(dose) / Fraction(
                entry.strength_mg or 1
            )
        lines = []
        for entry, needed in units.items():
            packs = math.ceil(needed / Fraction(entry.pack.value))
            lines.append(PurchaseLine(entry, packs, entry.price * packs))
    else:
        liquids = prices.of_form(form)
        usable = list(liquids)
        if not usable:
            raise PriceListError(f"{prices.pharmacy} lists no oral liquid.", field="form")
        entry = min(usable, key=lambda e: Fraction(e.price.amount) / e.mg_per_pack)
        bottles, opened, left = 0, date.min, Fraction(0)
        bottle = Fraction(entry.pack.value)
        for day, dose in days:
            volume = Fraction(dose) / Fraction(entry.concentration_mg_per_ml or 1)
            if volume > bottle:
                raise PriceListError(
                    f"a {decimal_str(dose)} mg dose needs more than one {entry.pack} bottle.",
                    field="pack",
                )
            if bottles == 0 or left < volume or (day - opened).days >= (entry.in_use_days or 0):
                bottles, opened, left = bottles + 1, day, bottle
            left -= volume
        lines = [PurchaseLine(entry, bottles, entry.price * bottles)]
    total = zero
    for line in lines:
        total = total + line.cost
    return PeriodCost(len(days), tuple(lines), total)


@dataclass(frozen=True, slots=True)
class PharmacyCost:
    pharmacy: str
    form: ProductForm
    monthly: Money
    trial_12_weeks: PeriodCost
    yearly: PeriodCost
    per_responder: Money | None
    responder_rate: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pharmacy": self.pharmacy,
            "form": self.form.value,
            "monthly": self.monthly.to_dict(),
            "trial_12_weeks": self.trial_12_weeks.to_dict(),
            "yearly": self.yearly.to_dict(),
            "per_responder": None if self.per_responder is None else self.per_responder.to_dict(),
            "responder_rate": None
            if self.responder_rate is None
            else decimal_str(self.responder_rate),
        }


@dataclass(frozen=True, slots=True)
class CostResult:
    pharmacies: tuple[PharmacyCost, ...]
    start: date

    def cheapest(self) -> PharmacyCost:
        return self.pharmacies[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "pharmacies": [p.to_dict() for p in self.pharmacies],
            "rounding": "monthly and per-responder figures rounded half-up to 0.01",
        }

    def summary(self) -> str:
        return "\n".join(
            f"{p.pharmacy}: {p.monthly}/month, 12-week trial {p.trial_12_weeks.total}, "
            f"year {p.yearly.total}"
            + ("" if p.per_responder is None else f", per responder {p.per_responder}")
            for p in self.pharmacies
        )


def _cents(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )


class CostEstimate:
    """Compare pharmacies for one plan (configure → fit → result).

    Parameters
    ----------
    steps : sequence of TitrationStep
        The dated plan (open-ended allowed; the last dose continues).
    price_lists : sequence of PriceList
        One per pharmacy.
    form : ProductForm or str
        ``"capsule"`` or ``"liquid"``.
    responder_rate : Decimal, optional
        Fraction of patients who respond, in (0, 1]; supplied by the evidence engine.
    capsule_strength_mg : Decimal, optional
        The one capsule strength the worksheet uses for every dose (default: one capsule per
        dose, as :func:`lowdose.pharmacy.capsule_worksheets` compounds).
    """

    def __init__(
        self,
        steps: Sequence[TitrationStep],
        price_lists: Sequence[PriceList],
        form: ProductForm | str,
        *,
        responder_rate: Decimal | str | None = None,
        capsule_strength_mg: Decimal | str | None = None,
    ) -> None:
        if not steps:
            raise PriceListError("the plan has no steps.", field="steps")
        if not price_lists:
            raise PriceListError("give at least one pharmacy price list.", field="price_lists")
        self.steps = tuple(steps)
        self.price_lists = tuple(price_lists)
        try:
            self.form = ProductForm(form)
        except ValueError as exc:
            raise PriceListError(
                f"form {form!r} is not 'capsule' or 'liquid'.", field="form"
            ) from exc
        self.responder_rate = (
            None if responder_rate is None else as_decimal(responder_rate, "responder_rate")
        )
        self.capsule_strength_mg = (
            None
            if capsule_strength_mg is None
            else as_decimal(capsule_strength_mg, "capsule_strength_mg")
        )
        if self.responder_rate is not None and not (0 < self.responder_rate <= 1):
            raise PriceListError(
                f"responder rate {self.responder_rate} must be in (0, 1]; give a proportion such "
                "as 0.3.",
                field="responder_rate",
            )

    def fit(self) -> CostResult:
        start = self.steps[0].start
        trial = extend_through(self.steps, start + timedelta(days=TRIAL_DAYS - 1))
        year = extend_through(self.steps, start + timedelta(days=YEAR_DAYS - 1))
        last = self.steps[-1]
        maintenance = (
            TitrationStep(
                start=start,
                end=start + timedelta(days=12 * MONTH_DAYS - 1),
                dose_mg=last.dose_mg,
                time=last.time,
            ),
        )
        results = []
        for prices in self.price_lists:
            strength = {"capsule_strength_mg": self.capsule_strength_mg}
            trial_cost = period_cost(trial, prices, self.form, **strength)
            steady = period_cost(maintenance, prices, self.form, **strength)
            monthly = Money(_cents(Fraction(steady.total.amount) / 12), prices.currency)
            per_responder = None
            if self.responder_rate is not None:
                per_responder = Money(
                    _cents(Fraction(trial_cost.total.amount) / Fraction(self.responder_rate)),
                    prices.currency,
                )
            results.append(
                PharmacyCost(
                    pharmacy=prices.pharmacy,
                    form=self.form,
                    monthly=monthly,
                    trial_12_weeks=trial_cost,
                    yearly=period_cost(year, prices, self.form, **strength),
                    per_responder=per_responder,
                    responder_rate=self.responder_rate,
                )
            )
        results.sort(key=lambda r: (r.trial_12_weeks.total.currency, r.trial_12_weeks.total.amount))
        return CostResult(tuple(results), start)
