"""Weighing what a balance cannot weigh accurately: trituration (solids) and liquid aliquots.

A balance has a **minimum weighable quantity** (MWQ): the smallest load it weighs within the
error a compounder accepts. No weighing on a worksheet is smaller. The default is 120 mg, the
figure for a Class III (formerly Class A) prescription balance: its sensitivity requirement is
6 mg, and 6 mg is 5 % of 120 mg (USP <1176> "Prescription Balances and Volumetric Apparatus",
§1.3 minimum accurately weighable quantity; UNC Eshelman School of Pharmacy compounding lab
notes: "a component weighing less than 120 mg ... the trituration method" for solids and "the
liquid aliquot method" for liquids). An electronic balance qualified under USP <41> (repeatability
:math:`2s/m \\le 0.10\\,\\%`, so :math:`m_{\\min} = 2000\\,s` with :math:`s \\ge 0.41 d`, at least
820 readability steps) has its own, usually smaller, minimum weight: each pharmacy sets its own.

**Trituration** (solid aliquot method). To put :math:`m < \\text{MWQ}` of a substance into a
blend, weigh :math:`A` (the MWQ rounded up to the balance's resolution :math:`r`), dilute it with
:math:`D` of the diluent by geometric dilution to a "1 in :math:`F`" trituration :math:`T`, and
weigh the aliquot :math:`a` that holds exactly :math:`m`:

.. math::

    D = (F - 1) A, \\qquad T = F A, \\qquad a = F m
    \\quad\\Rightarrow\\quad a \\cdot \\frac{A}{T} = m .

:math:`F` is the smallest of 2, 5, 10, 20, 50, 100 with :math:`a \\ge \\text{MWQ}` and :math:`a` a
whole multiple of :math:`r`; then every weighing (:math:`A`, :math:`D \\ge A`, :math:`a`) is at
least the MWQ. A larger factor needs a second, serial trituration, which the worksheet does not
write: the order is refused with what to change.

**Liquid aliquot.** Measure :math:`v` mL of a stock of :math:`k = m / v` mg/mL, made by weighing
:math:`A = k S \\ge \\text{MWQ}` and dissolving it in purified water to :math:`S` mL; :math:`v` is
the smallest whole multiple of the measuring resolution with :math:`k \\le 50` mg/mL (naltrexone HCl
dissolves to about 100 mg/mL: DailyMed label; ascorbic acid and sodium benzoate are more soluble),
:math:`S` the smallest with :math:`A` on a whole multiple of the balance resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from lowdose.pharmacy.units import Quantity, Unit
from lowdose.serial import Plain

__all__ = [
    "DILUTION_FACTORS",
    "MAX_STOCK_CONCENTRATION",
    "MIN_WEIGHABLE",
    "LiquidAliquot",
    "Trituration",
    "liquid_aliquot",
    "round_up",
    "triturate",
]

#: Default minimum weighable quantity: Class III prescription balance, 6 mg sensitivity at 5 %
#: error (USP <1176>; see the module docstring). Each pharmacy configures its own balance.
MIN_WEIGHABLE = Quantity(Decimal(120), Unit.MG)
#: Trituration ratios offered, "1 in F"; one stage only (a larger factor needs a serial one).
DILUTION_FACTORS = (2, 5, 10, 20, 50, 100)
#: Strongest stock solution written (mg/mL); half the ~100 mg/mL solubility of naltrexone HCl.
MAX_STOCK_CONCENTRATION = Decimal(50)
#: Stock volumes tried above the smallest that holds the minimum weighable quantity.
_STOCK_SEARCH = 100


def round_up(quantity: Quantity, step: Quantity) -> Quantity:
    """The smallest whole multiple of ``step`` that is at least ``quantity`` (exact)."""
    return step * math.ceil(Fraction(quantity.value) / Fraction(step.value))


@dataclass(frozen=True, slots=True)
class Trituration(Plain):
    """A "1 in ``factor``" trituration of ``substance`` in ``diluent``; the ``aliquot`` weighed
    from it holds exactly ``needed``. All masses in mg."""

    substance: str
    diluent: str
    needed: Quantity
    weighed: Quantity
    diluent_weighed: Quantity
    total: Quantity
    factor: int
    aliquot: Quantity

    _also = ("kind", "title", "steps")

    @property
    def kind(self) -> str:
        return "trituration"

    @property
    def title(self) -> str:
        return (
            f"Trituration, 1 in {self.factor}: {self.needed} {self.substance} is too little "
            "to weigh"
        )

    @property
    def steps(self) -> tuple[str, ...]:
        return (
            f"Weigh {self.weighed} {self.substance} and {self.diluent_weighed} {self.diluent}.",
            f"Mix them by geometric dilution until uniform: {self.total} of a 1 in {self.factor} "
            f"trituration ({self.weighed} in {self.total}).",
            f"Weigh {self.aliquot} of the trituration. It holds {self.aliquot} × {self.weighed} "
            f"÷ {self.total} = {self.needed} {self.substance}.",
            f"Discard the remaining {self.total - self.aliquot} of the trituration.",
        )


@dataclass(frozen=True, slots=True)
class LiquidAliquot(Plain):
    """``weighed`` mg of ``substance`` dissolved in water to ``stock_volume`` mL; the measured
    ``aliquot`` (mL) holds exactly ``needed`` mg."""

    substance: str
    needed: Quantity
    weighed: Quantity
    stock_volume: Quantity
    aliquot: Quantity

    _also = ("kind", "title", "steps")

    @property
    def kind(self) -> str:
        return "aliquot"

    @property
    def title(self) -> str:
        return f"Liquid aliquot: {self.needed} {self.substance} is too little to weigh"

    @property
    def steps(self) -> tuple[str, ...]:
        return (
            f"Weigh {self.weighed} {self.substance}; dissolve it in purified water and make up to "
            f"{self.stock_volume}.",
            f"Measure {self.aliquot} of this solution. It holds {self.aliquot} × {self.weighed} "
            f"÷ {self.stock_volume} = {self.needed} {self.substance}.",
            f"Discard the remaining {self.stock_volume - self.aliquot} of the solution.",
        )


def triturate(
    substance: str,
    needed: Quantity,
    *,
    diluent: str,
    min_weighable: Quantity,
    resolution: Quantity,
    most: Quantity,
) -> Trituration | None:
    """The one-stage trituration that delivers ``needed`` mg, or ``None`` when no factor of
    :data:`DILUTION_FACTORS` gives an aliquot of at least ``min_weighable`` and at most ``most``
    (the blend it goes into) on a whole multiple of ``resolution``."""
    weighed = round_up(min_weighable, resolution)
    for factor in DILUTION_FACTORS:
        aliquot = needed * factor
        if min_weighable <= aliquot <= most and aliquot.is_whole_multiple_of(resolution):
            return Trituration(
                substance=substance,
                diluent=diluent,
                needed=needed,
                weighed=weighed,
                diluent_weighed=weighed * (factor - 1),
                total=weighed * factor,
                factor=factor,
                aliquot=aliquot,
            )
    return None


def liquid_aliquot(
    substance: str,
    needed: Quantity,
    *,
    min_weighable: Quantity,
    resolution: Quantity,
    measure: Quantity,
    most: Quantity,
) -> LiquidAliquot | None:
    """The smallest aliquot (a multiple of ``measure`` mL, at most ``most``) delivering
    ``needed`` mg, from the smallest stock whose weighing is at least ``min_weighable`` on a whole
    multiple of ``resolution``; ``None`` when none fits."""
    step, r = Fraction(measure.value), Fraction(resolution.value)
    first = math.ceil(Fraction(needed.value) / Fraction(MAX_STOCK_CONCENTRATION) / step)
    for volume_steps in range(max(first, 1), int(Fraction(most.value) / step) + 1):
        strength = Fraction(needed.value) / (volume_steps * step)  # stock, mg/mL
        least = math.ceil(Fraction(min_weighable.value) / strength / step)
        for stock_steps in range(least, least + _STOCK_SEARCH):
            weighed = strength * stock_steps * step
            if (weighed / r).denominator == 1:
                return LiquidAliquot(
                    substance=substance,
                    needed=needed,
                    weighed=resolution * int(weighed / r),
                    stock_volume=measure * stock_steps,
                    aliquot=measure * volume_steps,
                )
    return None
