r"""What LDN costs the patient at each pharmacy: a 12-week trial, a year, a month, and what an
extra responder over placebo costs.

Pharmacies publish price lists of packs (:mod:`lowdose.pharmacy.prices`). The patient buys
**whole packs**, chosen to cost the least over the whole period with in-use limits and waste
counted (:mod:`lowdose.pharmacy.packs`); sums of pack prices are exact.

* **12-week trial**: the first 84 days of the plan (12 weeks: the primary endpoint length of the
  RCTs, Younger 2013, FINAL 2024; INNOVA 3 months).
* **Yearly**: the first 365 days of the plan (the last dose continued).
* **Monthly**: the true long-run average at the maintenance dose,
  :math:`c_\text{day} \times 365.25/12` with :math:`c_\text{day}` the least cost per day
  (:func:`~lowdose.pharmacy.packs.steady_daily_cost`) and a month of 30.4375 days (the average
  month of the Julian year, 365.25/12). A product costing 1 USD a day costs 30.44 USD a month
  (30.00 per 30 days); the former :math:`C_{360}/12` from whole packs over 360 days said 33.33
  for 100-capsule packs at 100 USD, charging the pack unfinished at day 360 to every month.
* **Cost per extra responder compared with placebo**: every patient who starts pays for the
  trial, and :math:`\mathrm{NNT} = 1/(p_\text{LDN} - p_\text{placebo})` patients must be treated
  for one more responder than placebo would give (FINAL 2024: 22/49 against 14/50 with ≥30 %
  less pain, NNT ≈ 5.9), so

  .. math::

      C_\text{extra responder} = C_\text{trial} \times \mathrm{NNT}
      = C_\text{trial} / \mathrm{RD},

  with the interval :math:`[C/\mathrm{RD}_{hi},\ C/\mathrm{RD}_{lo}]` from the Newcombe interval
  of the risk difference; when that interval includes 0 there is **no upper limit**
  (Altman, BMJ 1998, doi:10.1136/bmj.317.7168.1309) and the result says so in words. Dividing by
  the LDN response rate alone (:math:`C/p_\text{LDN}`) would count the 28 % who respond on
  placebo as bought.

Amounts in different currencies are never ranked against each other: the result groups
pharmacies by currency and orders each group by the trial's cost. Rounding (half up, to the
currency's minor unit) happens only in the monthly and per-extra-responder figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lowdose.errors import PriceListError
from lowdose.meta.number_needed import NumberNeededToTreat
from lowdose.pharmacy.packs import (
    MAX_CAPSULES_PER_DOSE,
    PeriodCost,
    PurchaseLine,
    cheapest_purchase,
    steady_daily_cost,
)
from lowdose.pharmacy.prices import PriceList, PriceListEntry, ProductForm
from lowdose.pharmacy.units import Money, as_decimal
from lowdose.regimens.steps import TitrationStep, daily_doses, decimal_str, extend_through

__all__ = [
    "MAX_CAPSULES_PER_DOSE",
    "MONTH_DAYS",
    "TRIAL_DAYS",
    "YEAR_DAYS",
    "CostEstimate",
    "CostResult",
    "ExtraResponderCost",
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
#: The average month: 365.25 / 12 = 30.4375 days (Julian year; the Gregorian 30.436875 differs
#: by less than a cent a month at LDN prices).
MONTH_DAYS = Fraction(1461, 48)


def _rounded(value: Fraction, currency: str) -> Money:
    """``value`` rounded half-up to the currency's minor unit."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return Money(exact, currency).rounded()


def period_cost(
    steps: Sequence[TitrationStep],
    prices: PriceList,
    form: ProductForm,
    *,
    capsule_strength_mg: Decimal | None = None,
    max_capsules_per_dose: int = MAX_CAPSULES_PER_DOSE,
) -> PeriodCost:
    """The cheapest whole packs for a finite plan (see :mod:`lowdose.pharmacy.packs`)."""
    return cheapest_purchase(
        list(daily_doses(steps)),
        prices,
        form,
        capsule_strength_mg=capsule_strength_mg,
        max_capsules_per_dose=max_capsules_per_dose,
    )


@dataclass(frozen=True, slots=True)
class ExtraResponderCost:
    """The trial's cost for one more responder than placebo gives: :math:`C \\times` NNT.

    ``estimate`` is ``None`` when the drug did no better than placebo; ``upper`` is ``None`` when
    the interval has no upper limit (the risk difference's interval includes 0).
    """

    estimate: Money | None
    lower: Money | None
    upper: Money | None
    benefit: NumberNeededToTreat

    @classmethod
    def of(cls, trial: Money, benefit: NumberNeededToTreat) -> ExtraResponderCost:
        cost = Fraction(trial.amount)
        lo, hi = benefit.rd_interval
        nnt = benefit.nnt
        return cls(
            estimate=None if nnt is None else _rounded(cost * nnt, trial.currency),
            lower=None if hi <= 0 else _rounded(cost / Fraction(hi), trial.currency),
            upper=None if lo <= 0 else _rounded(cost / Fraction(lo), trial.currency),
            benefit=benefit,
        )

    def sentence(self) -> str:
        """The figure and its interval in words."""
        if self.estimate is None:
            return (
                "No cost per extra responder: in the trial no more patients responded on the "
                "drug than on placebo."
            )
        if self.upper is not None:
            return f"{self.estimate} (95% CI {self.lower} to {self.upper})."
        return (
            f"{self.estimate}, at least {self.lower}; no upper limit: the trial cannot exclude "
            "that LDN adds no responders over placebo."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": "cost per extra responder compared with placebo",
            "estimate": None if self.estimate is None else self.estimate.to_dict(),
            "lower": None if self.lower is None else self.lower.to_dict(),
            "upper": None if self.upper is None else self.upper.to_dict(),
            "upper_unbounded": self.estimate is not None and self.upper is None,
            "sentence": self.sentence(),
            "number_needed_to_treat": self.benefit.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PharmacyCost:
    pharmacy: str
    form: ProductForm
    monthly: Money
    trial_12_weeks: PeriodCost
    yearly: PeriodCost
    maintenance_dose_mg: Decimal
    per_extra_responder: ExtraResponderCost | None = None

    @property
    def currency(self) -> str:
        return self.trial_12_weeks.total.currency

    def to_dict(self) -> dict[str, Any]:
        return {
            "pharmacy": self.pharmacy,
            "form": self.form.value,
            "currency": self.currency,
            "monthly": self.monthly.to_dict(),
            "maintenance_dose_mg": decimal_str(self.maintenance_dose_mg),
            "trial_12_weeks": self.trial_12_weeks.to_dict(),
            "yearly": self.yearly.to_dict(),
            "per_extra_responder": None
            if self.per_extra_responder is None
            else self.per_extra_responder.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class CostResult:
    """Pharmacies grouped by currency (groups in code order: a grouping, not a ranking), each
    group cheapest trial first. Different currencies are never compared."""

    pharmacies: tuple[PharmacyCost, ...]
    start: date

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.currency for p in self.pharmacies))

    def in_currency(self, currency: str) -> tuple[PharmacyCost, ...]:
        return tuple(p for p in self.pharmacies if p.currency == currency)

    def cheapest(self, currency: str | None = None) -> PharmacyCost:
        """The cheapest trial among pharmacies pricing in ``currency`` (needed when the prices
        are in more than one currency: they are not comparable)."""
        if currency is None:
            if len(self.currencies) > 1:
                raise PriceListError(
                    f"prices are in {', '.join(self.currencies)}; amounts in different "
                    "currencies are not compared. Name the currency to compare within.",
                    field="currency",
                )
            currency = self.currencies[0]
        group = self.in_currency(currency)
        if not group:
            raise PriceListError(f"no pharmacy prices in {currency}.", field="currency")
        return group[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "pharmacies": [p.to_dict() for p in self.pharmacies],
            "currencies": list(self.currencies),
            "comparison": "pharmacies are ordered by the 12-week trial's cost within each "
            "currency; different currencies are listed separately and not compared",
            "month_days": "30.4375",
            "rounding": "monthly and per-extra-responder figures rounded half-up to the "
            "currency's minor unit",
        }

    def summary(self) -> str:
        lines = []
        for currency in self.currencies:
            if len(self.currencies) > 1:
                lines.append(f"In {currency} (not compared with other currencies):")
            for p in self.in_currency(currency):
                extra = p.per_extra_responder
                lines.append(
                    f"{p.pharmacy}: {p.monthly}/month, 12-week trial {p.trial_12_weeks.total}, "
                    f"year {p.yearly.total}"
                    + (
                        ""
                        if extra is None
                        else f", per extra responder compared with placebo {extra.sentence()}"
                    )
                )
        return "\n".join(lines)


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
    benefit : NumberNeededToTreat, optional
        Responders on LDN and on placebo (:func:`lowdose.evidence.ldn_responder_benefit`), for
        the cost per extra responder compared with placebo.
    capsule_strength_mg : Decimal, optional
        One capsule strength for every dose, as the prescriber fixes it.
    max_capsules_per_dose : int
        Capsules a dose may take (2 unless the prescriber asks for more).
    """

    def __init__(
        self,
        steps: Sequence[TitrationStep],
        price_lists: Sequence[PriceList],
        form: ProductForm | str,
        *,
        benefit: NumberNeededToTreat | None = None,
        capsule_strength_mg: Decimal | str | None = None,
        max_capsules_per_dose: int = MAX_CAPSULES_PER_DOSE,
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
        if benefit is not None and not isinstance(benefit, NumberNeededToTreat):
            raise PriceListError(
                "benefit must be a NumberNeededToTreat (responders on LDN and on placebo), "
                "e.g. lowdose.evidence.ldn_responder_benefit().",
                field="benefit",
            )
        self.benefit = benefit
        self.capsule_strength_mg = (
            None
            if capsule_strength_mg is None
            else as_decimal(capsule_strength_mg, "capsule_strength_mg")
        )
        if (
            isinstance(max_capsules_per_dose, bool)
            or not isinstance(max_capsules_per_dose, int)
            or max_capsules_per_dose < 1
        ):
            raise PriceListError(
                f"capsules per dose must be a whole number ≥ 1, got {max_capsules_per_dose!r}.",
                field="max_capsules_per_dose",
            )
        self.max_capsules_per_dose = max_capsules_per_dose

    def _one(self, prices: PriceList) -> PharmacyCost:
        start = self.steps[0].start
        options: dict[str, Any] = {
            "capsule_strength_mg": self.capsule_strength_mg,
            "max_capsules_per_dose": self.max_capsules_per_dose,
        }
        trial = extend_through(self.steps, start + timedelta(days=TRIAL_DAYS - 1))
        year = extend_through(self.steps, start + timedelta(days=YEAR_DAYS - 1))
        trial_cost = period_cost(trial, prices, self.form, **options)
        dose = self.steps[-1].dose_mg
        daily = steady_daily_cost(dose, prices, self.form, **options)
        return PharmacyCost(
            pharmacy=prices.pharmacy,
            form=self.form,
            monthly=_rounded(daily * MONTH_DAYS, prices.currency),
            trial_12_weeks=trial_cost,
            yearly=period_cost(year, prices, self.form, **options),
            maintenance_dose_mg=dose,
            per_extra_responder=None
            if self.benefit is None
            else ExtraResponderCost.of(trial_cost.total, self.benefit),
        )

    def fit(self) -> CostResult:
        results = [self._one(prices) for prices in self.price_lists]
        # Group by currency code (never compare amounts across currencies), cheapest first.
        results.sort(key=lambda r: (r.currency, r.trial_12_weeks.total.amount, r.pharmacy))
        return CostResult(tuple(results), self.steps[0].start)
