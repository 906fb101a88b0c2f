"""Capsule worksheets: naltrexone HCl powder or crushed 50 mg tablets in an inert filler.

Configure → fit → result: :class:`CapsuleCompounding` validates the order in ``__init__`` and
:meth:`CapsuleCompounding.fit` returns a :class:`~lowdose.pharmacy.worksheet.Worksheet`.

For :math:`n` capsules of strength :math:`s` (mg naltrexone HCl) and calibrated fill weight
:math:`w` (mg of blend per capsule), a batch of :math:`b \\ge n` capsules needs

.. math::

    m_{\\text{API}} = s\\,b, \\qquad m_{\\text{filler}} = (w - s)\\,b, \\qquad
    m_{\\text{blend}} = w\\,b .

*From API powder* the batch :math:`b` is the smallest count :math:`\\ge n + o` (``o`` requested
overage) whose API weight :math:`s b` is a whole multiple of the balance resolution; any capsules
added for that are shown as overage.

*From 50 mg tablets* only whole tablets are used: the blend is made for :math:`M` capsule-fills
with :math:`s M = 50 N` for a whole number of tablets :math:`N`, :math:`M` the smallest multiple
of :math:`50/\\gcd` that is :math:`\\ge n + o`. The blend left after filling
:math:`M - (n + o)` capsules is discarded and shown as overage. (Powder API avoids that waste.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from lowdose.errors import CompoundingError
from lowdose.pharmacy.bud import BudCategory, Storage, beyond_use
from lowdose.pharmacy.formulation import (
    API_NAME,
    DEFAULT_FILL_WEIGHT,
    DEFAULT_FILLER,
    MAX_STRENGTH,
    TABLET_NAME,
    TABLET_STRENGTH,
    IngredientSource,
    check_filler,
)
from lowdose.pharmacy.units import Quantity, Unit, as_decimal
from lowdose.pharmacy.worksheet import Ingredient, Overage, Worksheet, label_text

__all__ = ["BALANCE_RESOLUTION", "CapsuleCompounding"]

#: Smallest weight the worksheet asks for: 1 mg, the reading of a 3-decimal (0.001 g) balance,
#: the class Medisca contrasts with 2-decimal balances for LDN (low-quality source); configurable.
BALANCE_RESOLUTION = Quantity(Decimal(1), Unit.MG)


@dataclass(frozen=True, slots=True)
class _Order:
    strength: Quantity
    count: int
    overage: int


class CapsuleCompounding:
    """A capsule order: ``count`` capsules of ``strength`` mg naltrexone HCl.

    Parameters
    ----------
    strength_mg : Decimal or str
        Naltrexone HCl per capsule, mg (> 0, ≤ ``max_strength_mg``).
    count : int
        Capsules dispensed.
    source : IngredientSource or str
        ``"api"`` (naltrexone HCl powder) or ``"tablets"`` (crushed 50 mg IR tablets).
    filler : str
        Inert filler; calcium carbonate and slow-release excipients are refused.
    fill_weight_mg : Decimal, default 225
        Calibrated blend weight per capsule (size #3 ≈ 225 mg, The Compounder; calibrate).
    overage_capsules : int, default 0
        Extra capsules made for filling losses; shown separately, never dispensed.
    tablet_weight_mg : Decimal, optional
        Measured mean weight of one 50 mg tablet; gives an exact filler weight for tablet blends
        (otherwise the filler is *q.s.* to the blend weight).
    max_strength_mg : Decimal, default 6
        Configured ceiling (FINAL trial dose).
    compounded_on : date, optional
        Gives a dated BUD on the worksheet and label.
    storage : Storage, optional
        Default room temperature (US Pharm 2020: capsules stored at room temperature).
    directions : str, optional
        Label directions.
    """

    def __init__(
        self,
        strength_mg: Decimal | str | int,
        count: int,
        source: IngredientSource | str,
        *,
        filler: str = DEFAULT_FILLER.name,
        fill_weight_mg: Decimal | str | int = DEFAULT_FILL_WEIGHT.value,
        overage_capsules: int = 0,
        tablet_weight_mg: Decimal | str | None = None,
        max_strength_mg: Decimal | str = MAX_STRENGTH.value,
        balance_resolution_mg: Decimal | str = BALANCE_RESOLUTION.value,
        compounded_on: date | None = None,
        storage: Storage | None = None,
        directions: str | None = None,
    ) -> None:
        strength = as_decimal(strength_mg, "strength")
        maximum = as_decimal(max_strength_mg, "max_strength_mg")
        if strength <= 0:
            raise CompoundingError(
                f"strength must be positive, got {strength} mg.", field="strength"
            )
        if strength > maximum:
            raise CompoundingError(
                f"strength {strength} mg is above the configured maximum of {maximum} mg per "
                "capsule; check the prescription (the shipped LDN plans use 0.5-6 mg) or "
                "change the pharmacy's configured maximum deliberately.",
                field="strength",
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise CompoundingError(
                f"count must be a whole number of capsules ≥ 1, got {count!r}.", field="count"
            )
        if (
            isinstance(overage_capsules, bool)
            or not isinstance(overage_capsules, int)
            or (overage_capsules < 0)
        ):
            raise CompoundingError(
                f"overage must be a whole number of capsules ≥ 0, got {overage_capsules!r}.",
                field="overage",
            )
        try:
            self.source = IngredientSource(source)
        except ValueError as exc:
            raise CompoundingError(
                f"source {source!r} is not 'api' or 'tablets'.", field="source"
            ) from exc
        self.filler = check_filler(filler)
        self.fill_weight = Quantity(as_decimal(fill_weight_mg, "fill_weight_mg"), Unit.MG)
        if strength >= self.fill_weight.value:
            raise CompoundingError(
                f"a {strength} mg dose does not fit a {self.fill_weight} capsule fill with "
                "room for filler; use a larger capsule size.",
                field="strength",
            )
        self.resolution = Quantity(
            as_decimal(balance_resolution_mg, "balance_resolution_mg"), Unit.MG
        )
        if self.resolution.value <= 0:
            raise CompoundingError(
                "balance resolution must be positive.", field="balance_resolution_mg"
            )
        self.tablet_weight = (
            None
            if tablet_weight_mg is None
            else Quantity(as_decimal(tablet_weight_mg, "tablet_weight_mg"), Unit.MG)
        )
        if self.tablet_weight is not None and self.tablet_weight < TABLET_STRENGTH:
            raise CompoundingError(
                f"tablet weight {self.tablet_weight} is less than the 50 mg of naltrexone HCl it "
                "contains; weigh the tablets again.",
                field="tablet_weight_mg",
            )
        self.order = _Order(Quantity(strength, Unit.MG), count, overage_capsules)
        self.compounded_on = compounded_on
        self.bud = beyond_use(BudCategory.NONAQUEOUS_SOLID, storage)
        self.directions = directions

    def fit(self) -> Worksheet:
        """Compute the worksheet."""
        if self.source is IngredientSource.API:
            return self._from_api()
        return self._from_tablets()

    # -- helpers -------------------------------------------------------------------------------
    def _preparation(self) -> str:
        return f"Naltrexone hydrochloride {self.order.strength.value.normalize():f} mg capsules"

    def _label(self) -> str:
        bud_date = None if self.compounded_on is None else self.bud.date_from(self.compounded_on)
        return label_text(
            preparation=self._preparation(),
            dispensed=Quantity(Decimal(self.order.count), Unit.CAPSULE),
            storage=self.bud.storage,
            bud_days=self.bud.days,
            bud_date=bud_date,
            directions=self.directions,
        )

    def _capsules(self, n: int) -> Quantity:
        return Quantity(Decimal(n), Unit.CAPSULE)

    def _worksheet(
        self,
        ingredients: tuple[Ingredient, ...],
        made: int,
        overage: list[Overage],
        method: tuple[str, ...],
        naltrexone_made: Quantity,
        per_unit: tuple[tuple[str, Quantity], ...],
    ) -> Worksheet:
        s = self.order.strength
        return Worksheet(
            form="capsule",
            preparation=self._preparation(),
            ingredients=ingredients,
            dispensed=self._capsules(self.order.count),
            made=self._capsules(made),
            naltrexone_dispensed=s * self.order.count,
            naltrexone_made=naltrexone_made,
            per_unit=per_unit,
            overage=tuple(overage),
            beyond_use=self.bud,
            compounded_on=self.compounded_on,
            label=self._label(),
            method=method,
            sources=(self.filler.source, self.bud.source),
        )

    def _from_api(self) -> Worksheet:
        s, n, o = self.order.strength, self.order.count, self.order.overage
        batch = n + o
        while not (s * batch).is_whole_multiple_of(self.resolution):
            batch += 1
        api = s * batch
        filler = (self.fill_weight - s) * batch
        overage: list[Overage] = []
        if o:
            overage.append(
                Overage(
                    self._capsules(o), s * o, "requested overage for filling losses (not dispensed)"
                )
            )
        if batch > n + o:
            extra = batch - n - o
            overage.append(
                Overage(
                    self._capsules(extra),
                    s * extra,
                    f"added so the naltrexone weight is a whole multiple of the {self.resolution} "
                    "balance resolution",
                )
            )
        ingredients = (
            Ingredient(API_NAME, api, "active", "weighed 1:1: doses are naltrexone HCl"),
            Ingredient(self.filler.name, filler, "filler"),
        )
        method = (
            f"Weigh {api} naltrexone HCl and {filler} {self.filler.name}.",
            "Mix by geometric dilution until uniform (US Pharm 2020).",
            f"Fill {batch} capsules at {self.fill_weight} each; check weights within 90-110% "
            "of the calculated fill (USP <795>, older wording).",
            f"Dispense {n} capsules in a tight, light-resistant container.",
        )
        per_unit = (
            ("naltrexone hydrochloride per capsule", s),
            (f"{self.filler.name} per capsule", self.fill_weight - s),
            ("fill weight per capsule", self.fill_weight),
        )
        return self._worksheet(ingredients, batch, overage, method, api, per_unit)

    def _from_tablets(self) -> Worksheet:
        s, n, o = self.order.strength, self.order.count, self.order.overage
        wanted = n + o
        ratio = Fraction(TABLET_STRENGTH.value) / Fraction(s.value)  # capsule-fills per tablet
        per_set = ratio.numerator  # fills made by `ratio.denominator` whole tablets
        fills = per_set * math.ceil(wanted / per_set)
        tablets = fills * ratio.denominator // ratio.numerator
        blend = self.fill_weight * fills
        if not blend.is_whole_multiple_of(
            self.resolution
        ):  # pragma: no cover - w is whole mg by default
            raise CompoundingError(
                f"the blend weight {blend} is not a multiple of the balance resolution; use "
                "a whole-mg fill weight.",
                field="fill_weight_mg",
            )
        naltrexone = TABLET_STRENGTH * tablets
        overage: list[Overage] = []
        if o:
            overage.append(
                Overage(
                    self._capsules(o), s * o, "requested overage for filling losses (not dispensed)"
                )
            )
        if fills > wanted:
            left = fills - wanted
            overage.append(
                Overage(
                    self._capsules(left),
                    s * left,
                    f"blend left after filling (whole tablets only: {tablets} tablets make {fills} "
                    "fills); discard it, or use API powder to avoid the waste",
                )
            )
        if self.tablet_weight is None:
            filler_line = Ingredient(
                self.filler.name, None, "filler", f"q.s. to a total blend weight of {blend}"
            )
            filler_text = f"{self.filler.name} q.s. to {blend}"
        else:
            filler_qty = blend - self.tablet_weight * tablets
            if filler_qty.value < 0:
                raise CompoundingError(
                    f"{tablets} crushed tablets weigh more than the {blend} blend; use a larger "
                    "capsule (higher fill weight) or API powder.",
                    field="fill_weight_mg",
                )
            filler_line = Ingredient(
                self.filler.name, filler_qty, "filler", f"to a total blend weight of {blend}"
            )
            filler_text = f"{filler_qty} {self.filler.name}"
        ingredients = (
            Ingredient(
                TABLET_NAME,
                Quantity(Decimal(tablets), Unit.TABLET),
                "active",
                f"{naltrexone} naltrexone HCl in all; immediate-release tablets only",
            ),
            filler_line,
        )
        method = (
            f"Crush {tablets} naltrexone HCl 50 mg tablets to a fine powder.",
            f"Add {filler_text} by geometric dilution until uniform.",
            f"Fill {wanted} capsules at {self.fill_weight} each; check weights within 90-110%.",
            f"Dispense {n} capsules in a tight, light-resistant container.",
        )
        per_unit = (
            ("naltrexone hydrochloride per capsule", s),
            ("fill weight per capsule (tablet powder + filler)", self.fill_weight),
        )
        return self._worksheet(ingredients, wanted, overage, method, naltrexone, per_unit)
