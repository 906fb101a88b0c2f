r"""Which packs to buy: the purchase that costs the patient least over the whole plan.

Ranking packs by price per mg is wrong whenever something is thrown away: a 120 mL bottle that
must be discarded 14 days after opening is cheaper per mg than a 30 mL bottle but dearer for a
1.5 mg dose. So the choice is made over the whole plan, by exact search, counting what is
discarded.

**Oral liquid** (one concentration for the whole plan, so the volume per mg never changes for
the patient; every listed concentration is tried). A bottle opened on day :math:`t` serves the
following days until the next dose no longer fits in what is left or the bottle reaches its
in-use limit; then a new one is opened. With :math:`C(t)` the least cost of the days from
:math:`t` to the end :math:`T`,

.. math::

    C(T) = 0, \qquad C(t) = \min_{b} \min_{1 \le k \le K_b(t)} \bigl(p_b + C(t + k)\bigr),

where :math:`K_b(t)` is how many consecutive days bottle :math:`b` (price :math:`p_b`) can serve
from day :math:`t`. This dynamic programme is exact; ties go to fewer bottles, then to the
bottle used longer.

**Capsules.** Each dose is taken as at most ``max_capsules_per_dose`` capsules (2 unless the
prescriber asks for more) of the listed strengths adding up exactly to the dose, or as capsules
of one fixed strength when the prescriber fixes it. For every choice of capsules per dose the
capsules of each strength are bought in the cheapest whole packs covering the count,

.. math::

    \mathrm{cover}_s(U) = \min \Bigl\{ \sum_j m_j p_j : \sum_j m_j q_j \ge U,\ m_j \in \mathbb{N}
    \Bigr\},

and the choice of capsules per dose is searched exhaustively (branch and bound:
:math:`\mathrm{cover}` only grows with :math:`U`, so a partial choice already dearer than the
best complete one is abandoned). Ties go to fewer capsules swallowed, then fewer capsules left
over, then fewer packs. Capsules are assumed to last the plan (their beyond-use date is 180 days;
price lists give no in-use limit for them).

**Steady state** (for the monthly average): at the maintenance dose the least cost per day in the
long run is :math:`\min_b p_b / L_b` for a liquid (:math:`L_b` the days one bottle lasts) and the
cheapest price per capsule of each strength taken for capsules; no whole-pack remainder at an
arbitrary horizon inflates it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import combinations_with_replacement
from typing import Any

from lowdose.errors import PriceListError
from lowdose.pharmacy.prices import PriceList, PriceListEntry, ProductForm
from lowdose.pharmacy.units import Money, Quantity, Unit
from lowdose.regimens.steps import decimal_str

__all__ = [
    "MAX_CAPSULES_PER_DOSE",
    "DoseCapsules",
    "PeriodCost",
    "PurchaseLine",
    "cheapest_purchase",
    "steady_daily_cost",
]

#: Capsules per dose unless the prescriber asks for more: "cheapest" must not mean nine 0.5 mg
#: capsules a night (issue 16).
MAX_CAPSULES_PER_DOSE = 2
#: Refuse a search this large rather than keep a page waiting; fixing a strength narrows it.
_MAX_CHOICES = 500_000

Days = Sequence[tuple[date, Decimal]]


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    """Whole packs of one product; ``left_over`` is what is bought but never taken (capsules at
    the end, or mL discarded because a bottle expired or held too little for the next dose)."""

    entry: PriceListEntry
    packs: int
    cost: Money
    left_over: Quantity

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.entry.description,
            "packs": self.packs,
            "cost": self.cost.to_dict(),
            "left_over": self.left_over.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class DoseCapsules:
    """How one dose is taken: the strengths of its capsules (``(1.5, 1.5)`` for 3 mg)."""

    dose_mg: Decimal
    capsules_mg: tuple[Decimal, ...]

    def __str__(self) -> str:
        counts: dict[Decimal, int] = {}
        for s in self.capsules_mg:
            counts[s] = counts.get(s, 0) + 1
        parts = [
            f"{n} × {decimal_str(s)} mg capsule{'s' if n > 1 else ''}"
            for s, n in sorted(counts.items(), reverse=True)
        ]
        return f"{decimal_str(self.dose_mg)} mg: {' + '.join(parts)}"


@dataclass(frozen=True, slots=True)
class PeriodCost:
    """The cheapest whole packs for ``days`` days of a plan (capsules: ``doses`` says how each
    dose is taken)."""

    days: int
    lines: tuple[PurchaseLine, ...]
    total: Money
    doses: tuple[DoseCapsules, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "lines": [line.to_dict() for line in self.lines],
            "total": self.total.to_dict(),
            "doses": [str(d) for d in self.doses],
        }


def cheapest_purchase(
    days: Days,
    prices: PriceList,
    form: ProductForm,
    *,
    capsule_strength_mg: Decimal | None = None,
    max_capsules_per_dose: int = MAX_CAPSULES_PER_DOSE,
) -> PeriodCost:
    """The purchase minimising what the patient pays for ``days`` (``(day, dose_mg)`` pairs)."""
    if form is ProductForm.CAPSULE:
        return _capsule_purchase(days, prices, capsule_strength_mg, max_capsules_per_dose)
    return _liquid_purchase(days, prices)


# --- capsules -------------------------------------------------------------------------------


def _capsule_choices(
    dose: Decimal, strengths: Sequence[Decimal], fixed: Decimal | None, most: int, pharmacy: str
) -> list[tuple[Decimal, ...]]:
    """Every way to take ``dose`` as at most ``most`` listed capsules (or the fixed strength)."""
    if fixed is not None:
        ratio = Fraction(dose) / Fraction(fixed)
        if ratio.denominator != 1:
            raise PriceListError(
                f"a {decimal_str(dose)} mg dose is not a whole number of {decimal_str(fixed)} mg "
                "capsules; choose a strength that divides every dose, or a liquid.",
                field="strength",
            )
        if ratio > most:
            raise PriceListError(
                f"a {decimal_str(dose)} mg dose would be {ratio} capsules of {decimal_str(fixed)} "
                f"mg; at most {most} capsules a dose unless the prescriber asks for more. Price "
                "capsules of the dose's own strength, or the oral liquid.",
                field="max_capsules_per_dose",
            )
        if fixed not in strengths:
            raise PriceListError(
                f"{pharmacy} publishes no price for {decimal_str(fixed)} mg capsules; ask the "
                "pharmacy to publish it, or price the oral liquid.",
                field="strength",
            )
        return [(fixed,) * int(ratio)]
    found = [
        combo
        for n in range(1, most + 1)
        for combo in combinations_with_replacement(sorted(strengths, reverse=True), n)
        if sum(combo) == dose
    ]
    if not found:
        raise PriceListError(
            f"{pharmacy} publishes no capsule strength that makes the {decimal_str(dose)} mg dose "
            f"in {'one capsule' if most == 1 else f'at most {most} capsules'}; ask the pharmacy "
            f"to publish {decimal_str(dose)} mg capsules, or price the oral liquid.",
            field="strength",
        )
    return found


@lru_cache(maxsize=4096)
def _cover(
    packs: tuple[PriceListEntry, ...], units: int
) -> tuple[Decimal, int, int, tuple[int, ...]]:
    """Cheapest whole packs holding at least ``units`` capsules: (cost, capsules bought, packs,
    packs of each entry). Unbounded knapsack by dynamic programming over the count."""
    sizes = [int(p.pack.value) for p in packs]
    best: list[tuple[Decimal, int, int, tuple[int, ...]]] = [(Decimal(0), 0, 0, (0,) * len(packs))]
    for u in range(1, units + 1):
        options = []
        for j, entry in enumerate(packs):
            cost, bought, count, mix = best[max(0, u - sizes[j])]
            bumped = tuple(m + (i == j) for i, m in enumerate(mix))
            options.append((cost + entry.price.amount, bought + sizes[j], count + 1, bumped))
        best.append(min(options))
    return best[units]


@dataclass
class _Search:
    """Branch and bound over the capsules taken for each distinct dose."""

    levels: list[tuple[Decimal, int]]  # (dose, days at that dose)
    choices: list[list[tuple[Decimal, ...]]]
    packs: dict[Decimal, tuple[PriceListEntry, ...]]
    best: tuple[Any, ...] | None = None
    picked: tuple[tuple[Decimal, ...], ...] = ()

    def cost(self, units: dict[Decimal, int]) -> tuple[Decimal, int, int]:
        covers = [_cover(self.packs[s], u) for s, u in units.items() if u]
        return (
            sum((c[0] for c in covers), Decimal(0)),
            sum(c[1] for c in covers),
            sum(c[2] for c in covers),
        )

    def run(self, i: int, units: dict[Decimal, int], taken: int, path: tuple[Any, ...]) -> None:
        cost, bought, packs = self.cost(units)
        if self.best is not None and cost > self.best[0]:
            return
        if i == len(self.levels):
            key = (cost, taken, bought - taken, packs)
            if self.best is None or key < self.best:
                self.best, self.picked = key, path
            return
        _, n_days = self.levels[i]
        for combo in self.choices[i]:
            more = dict(units)
            for s in combo:
                more[s] = more.get(s, 0) + n_days
            self.run(i + 1, more, taken + n_days * len(combo), (*path, combo))


def _capsule_purchase(
    days: Days, prices: PriceList, fixed: Decimal | None, most: int
) -> PeriodCost:
    if isinstance(most, bool) or not isinstance(most, int) or most < 1:
        raise PriceListError(
            f"capsules per dose must be a whole number ≥ 1, got {most!r}.",
            field="max_capsules_per_dose",
        )
    entries = prices.of_form(ProductForm.CAPSULE)
    packs: dict[Decimal, tuple[PriceListEntry, ...]] = {}
    for e in entries:
        packs.setdefault(e.strength_mg or Decimal(0), ())
        packs[e.strength_mg or Decimal(0)] += (e,)
    counts: dict[Decimal, int] = {}
    for _, dose in days:
        counts[dose] = counts.get(dose, 0) + 1
    levels = sorted(counts.items(), key=lambda item: (-item[1], -item[0]))
    by_dose = {
        d: _capsule_choices(d, list(packs), fixed, most, prices.pharmacy) for d in sorted(counts)
    }
    choices = [by_dose[d] for d, _ in levels]
    if math.prod(len(c) for c in choices) > _MAX_CHOICES:
        raise PriceListError(
            "too many ways to combine this pharmacy's capsule strengths to search them all; fix "
            "one capsule strength for the plan.",
            field="strength",
        )
    search = _Search(levels, choices, packs)
    search.run(0, {}, 0, ())
    units: dict[Decimal, int] = {}
    for (_, n_days), combo in zip(levels, search.picked, strict=True):
        for s in combo:
            units[s] = units.get(s, 0) + n_days
    lines = []
    for strength in sorted(units):
        _, bought, _, mix = _cover(packs[strength], units[strength])
        for entry, m in zip(packs[strength], mix, strict=True):
            if m:
                lines.append(_line(entry, m, Decimal(0)))
        waste = Quantity(Decimal(bought - units[strength]), Unit.CAPSULE)
        lines[-1] = PurchaseLine(lines[-1].entry, lines[-1].packs, lines[-1].cost, waste)
    doses = tuple(
        DoseCapsules(d, combo) for (d, _), combo in sorted(zip(levels, search.picked, strict=True))
    )
    return PeriodCost(len(days), tuple(lines), _total(lines, prices.currency), doses)


def _line(entry: PriceListEntry, packs: int, left: Decimal) -> PurchaseLine:
    unit = Unit.CAPSULE if entry.form is ProductForm.CAPSULE else Unit.ML
    return PurchaseLine(entry, packs, entry.price * packs, Quantity(left, unit))


def _total(lines: Sequence[PurchaseLine], currency: str) -> Money:
    total = Money(Decimal(0), currency)
    for line in lines:
        total = total + line.cost
    return total


# --- oral liquid ----------------------------------------------------------------------------


def _serves(volumes: Sequence[int], start: int, bottle: int, in_use: int) -> list[int]:
    """Volume left in a bottle opened on day ``start`` after each day it serves (integers in a
    common sub-unit of mL)."""
    left, out = bottle, []
    for t in range(start, min(len(volumes), start + in_use)):
        if volumes[t] > left:
            break
        left -= volumes[t]
        out.append(left)
    return out


def _liquid_plan(days: Days, bottles: Sequence[PriceListEntry]) -> tuple[Any, ...] | None:
    """Exact least-cost bottle sequence at one concentration (dynamic programme over days)."""
    conc = bottles[0].per_unit_mg
    exact = [Fraction(dose) / conc for _, dose in days] + [Fraction(b.pack.value) for b in bottles]
    scale = math.lcm(*(f.denominator for f in exact))
    volumes = [int(f * scale) for f in exact[: len(days)]]
    sizes = [int(f * scale) for f in exact[len(days) :]]
    n = len(days)
    best: list[tuple[Any, ...] | None] = [None] * n + [(Decimal(0), 0, 0, -1, 0, 0)]
    for t in range(n - 1, -1, -1):
        for j, bottle in enumerate(bottles):
            lefts = _serves(volumes, t, sizes[j], bottle.in_use_days or 0)
            for k, left in enumerate(lefts, start=1):
                nxt = best[t + k]
                if nxt is None:
                    continue
                option = (nxt[0] + bottle.price.amount, nxt[1] + 1, -k, j, k, left)
                if best[t] is None or option < best[t]:  # type: ignore[operator]
                    best[t] = option
        if best[t] is None:
            return None
    return (best, scale)


def _liquid_purchase(days: Days, prices: PriceList) -> PeriodCost:
    liquids = prices.of_form(ProductForm.LIQUID)
    if not liquids:
        raise PriceListError(f"{prices.pharmacy} lists no oral liquid.", field="form")
    found: tuple[Any, ...] | None = None
    for conc in sorted({e.per_unit_mg for e in liquids}):
        bottles = [e for e in liquids if e.per_unit_mg == conc]
        plan = _liquid_plan(days, bottles)
        if plan is None:
            continue
        best, scale = plan
        key = (best[0][0], best[0][1])
        if found is None or key < found[0]:
            found = (key, bottles, best, scale)
    if found is None:
        largest = max(days, key=lambda d: d[1])[1]
        raise PriceListError(
            f"a {decimal_str(largest)} mg dose needs more than one bottle of every liquid "
            f"{prices.pharmacy} lists; ask for a larger bottle or a stronger concentration.",
            field="pack",
        )
    _, bottles, best, scale = found
    packs = [0] * len(bottles)
    left = [Fraction(0)] * len(bottles)
    t = 0
    while t < len(days):
        _, _, _, j, k, rest = best[t]
        packs[j] += 1
        left[j] += Fraction(rest, scale)
        t += k
    lines = [
        _line(b, m, Decimal(w.numerator) / Decimal(w.denominator))
        for b, m, w in zip(bottles, packs, left, strict=True)
        if m
    ]
    return PeriodCost(len(days), tuple(lines), _total(lines, prices.currency))


# --- steady state ---------------------------------------------------------------------------


def steady_daily_cost(
    dose: Decimal,
    prices: PriceList,
    form: ProductForm,
    *,
    capsule_strength_mg: Decimal | None = None,
    max_capsules_per_dose: int = MAX_CAPSULES_PER_DOSE,
) -> Fraction:
    """Least long-run cost per day at a constant ``dose`` (exact; in the list's currency)."""
    if form is ProductForm.LIQUID:
        rates = []
        for e in prices.of_form(form):
            lasts = min(
                e.in_use_days or 0,
                math.floor(Fraction(e.pack.value) * e.per_unit_mg / Fraction(dose)),
            )
            if lasts >= 1:
                rates.append(Fraction(e.price.amount) / lasts)
        if not rates:
            raise PriceListError(
                f"no bottle {prices.pharmacy} lists holds a {decimal_str(dose)} mg dose.",
                field="pack",
            )
        return min(rates)
    per_capsule: dict[Decimal, Fraction] = {}
    for e in prices.of_form(form):
        s, rate = e.strength_mg or Decimal(0), Fraction(e.price.amount) / Fraction(e.pack.value)
        per_capsule[s] = min(rate, per_capsule.get(s, rate))
    choices = _capsule_choices(
        dose, list(per_capsule), capsule_strength_mg, max_capsules_per_dose, prices.pharmacy
    )
    return min((sum((per_capsule[s] for s in c), Fraction(0)), len(c)) for c in choices)[0]
