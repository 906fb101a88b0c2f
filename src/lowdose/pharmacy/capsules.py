"""Capsule worksheets: naltrexone HCl powder or crushed 50 mg tablets in an inert filler.

Configure → fit → result: :class:`CapsuleCompounding` validates the order in ``__init__`` and
:meth:`CapsuleCompounding.fit` returns a :class:`~lowdose.pharmacy.worksheet.Worksheet`.

For :math:`n` capsules of strength :math:`s` (mg naltrexone HCl) and calibrated fill weight
:math:`w` (mg of blend per capsule), a batch of :math:`b \\ge n` capsules needs

.. math::

    m_{\\text{API}} = s\\,b, \\qquad m_{\\text{filler}} = (w - s)\\,b, \\qquad
    m_{\\text{blend}} = w\\,b .

*From API powder* the batch :math:`b` is the smallest count :math:`\\ge n + o` (``o`` requested
overage) whose weighings are whole multiples of the balance resolution; any capsules added for
that are shown as overage. When :math:`s b` is below the balance's minimum weighable quantity it
is delivered by a trituration (:mod:`lowdose.pharmacy.weighing`) and the worksheet shows it.

*From 50 mg tablets* only whole tablets are used, and as few as give the exact content: the
smallest :math:`N \\ge s (n + o) / 50` whose blend

.. math::

    W = \\frac{50 N\\, w}{s}

is a whole multiple of the balance resolution (the blend then holds :math:`s` per fill weight
:math:`w` exactly). :math:`n + o` capsules are filled; the blend left, :math:`W - w (n + o)`, is
discarded and shown as overage. (4.5 mg × 30: 3 tablets, 7500 mg of blend, 750 mg discarded.)

Plausibility limits (:mod:`lowdose.pharmacy.formulation`, each with its source) refuse a strength
outside 0.1-6 mg or off the 0.01 mg step, and a batch of more than 1000 capsules.
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
    MAX_CAPSULES,
    MAX_STRENGTH,
    MIN_STRENGTH,
    STRENGTH_STEP,
    TABLET_NAME,
    TABLET_STRENGTH,
    IngredientSource,
    check_filler,
)
from lowdose.pharmacy.units import Quantity, Unit, as_decimal
from lowdose.pharmacy.weighing import DILUTION_FACTORS, MIN_WEIGHABLE, Trituration, triturate
from lowdose.pharmacy.worksheet import Ingredient, Overage, Worksheet, label_text

__all__ = ["BALANCE_RESOLUTION", "CapsuleCompounding"]

#: Smallest weight the worksheet asks for: 1 mg, the reading of a 3-decimal (0.001 g) balance,
#: the class Medisca contrasts with 2-decimal balances for LDN (low-quality source); configurable.
BALANCE_RESOLUTION = Quantity(Decimal(1), Unit.MG)
#: Tablet counts tried above the smallest that covers the order (a refusal, never a hang).
_TABLET_SEARCH = 1000


@dataclass(frozen=True, slots=True)
class _Order:
    strength: Quantity
    count: int
    overage: int


def _whole(value: object, field: str, what: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise CompoundingError(
            f"{what} must be a whole number of capsules ≥ {least}, got {value!r}.", field=field
        )
    return value


def _positive_mg(value: Decimal | str | int, field: str) -> Quantity:
    quantity = Quantity(as_decimal(value, field), Unit.MG)
    if quantity.value <= 0:
        raise CompoundingError(f"{field} must be a positive weight in mg.", field=field)
    return quantity


class CapsuleCompounding:
    """A capsule order: ``count`` capsules of ``strength`` mg naltrexone HCl.

    Parameters
    ----------
    strength_mg : Decimal or str
        Naltrexone HCl per capsule, mg (``min_strength_mg`` ≤ s ≤ ``max_strength_mg``, in steps
        of 0.01 mg).
    count : int
        Capsules dispensed (with the overage, at most ``max_capsules``).
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
    max_strength_mg, min_strength_mg : Decimal, default 6 and 0.1
        Configured strength range (:mod:`lowdose.pharmacy.formulation` gives the sources).
    max_capsules : int, default 1000
        Most capsules made in one batch.
    balance_resolution_mg : Decimal, default 1
        The balance's reading; every weighing is a whole multiple of it.
    min_weighable_mg : Decimal, default 120
        The balance's minimum weighable quantity; less is delivered by a trituration.
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
        min_strength_mg: Decimal | str = MIN_STRENGTH.value,
        max_capsules: int = MAX_CAPSULES,
        balance_resolution_mg: Decimal | str = BALANCE_RESOLUTION.value,
        min_weighable_mg: Decimal | str = MIN_WEIGHABLE.value,
        compounded_on: date | None = None,
        storage: Storage | None = None,
        directions: str | None = None,
    ) -> None:
        strength = self._strength(strength_mg, max_strength_mg, min_strength_mg)
        self.max_capsules = _whole(max_capsules, "max_capsules", "the batch limit", 1)
        count = _whole(count, "count", "count", 1)
        overage = _whole(overage_capsules, "overage", "overage", 0)
        if count + overage > self.max_capsules:
            raise CompoundingError(
                f"{count + overage} capsules is more than the {self.max_capsules} one batch may "
                "hold; check the count (one patient's supply within the 180-day beyond-use date "
                "is far smaller) or split it into batches.",
                field="count",
            )
        try:
            self.source = IngredientSource(source)
        except ValueError as exc:
            raise CompoundingError(
                f"source {source!r} is not 'api' or 'tablets'.", field="source"
            ) from exc
        self.filler = check_filler(filler)
        self.fill_weight = _positive_mg(fill_weight_mg, "fill_weight_mg")
        if strength >= self.fill_weight.value:
            raise CompoundingError(
                f"a {strength} mg dose does not fit a {self.fill_weight} capsule fill with "
                "room for filler; use a larger capsule size.",
                field="strength",
            )
        self.resolution = _positive_mg(balance_resolution_mg, "balance_resolution_mg")
        self.min_weighable = _positive_mg(min_weighable_mg, "min_weighable_mg")
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
        self.order = _Order(Quantity(strength, Unit.MG), count, overage)
        self.compounded_on = compounded_on
        self.bud = beyond_use(BudCategory.NONAQUEOUS_SOLID, storage)
        self.directions = directions

    @staticmethod
    def _strength(
        strength_mg: Decimal | str | int, max_strength_mg: Decimal | str, min_strength_mg: object
    ) -> Decimal:
        strength = as_decimal(strength_mg, "strength")
        maximum = as_decimal(max_strength_mg, "max_strength_mg")
        minimum = as_decimal(min_strength_mg, "min_strength_mg")
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
        if strength < minimum:
            raise CompoundingError(
                f"strength {strength:f} mg is below the lowest LDN capsule of {minimum} mg; check "
                "the unit (a microgram dose written as mg?) and the prescription.",
                field="strength",
            )
        if not Quantity(strength, Unit.MG).is_whole_multiple_of(STRENGTH_STEP):
            raise CompoundingError(
                f"strength {strength} mg is finer than {STRENGTH_STEP}; round it to 0.01 mg "
                "after checking the prescription.",
                field="strength",
            )
        return strength

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
        weighings: tuple[tuple[str, Quantity], ...],
        dilutions: tuple[Trituration, ...] = (),
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
            weighings=weighings,
            dilutions=dilutions,
            min_weighable=self.min_weighable,
        )

    def _requested_overage(self) -> list[Overage]:
        s, o = self.order.strength, self.order.overage
        if not o:
            return []
        return [
            Overage(
                self._capsules(o), s * o, "requested overage for filling losses (not dispensed)"
            )
        ]

    def _blend_weighing(self, filler: Quantity, blend: Quantity) -> tuple[str, Quantity, str]:
        """How the filler goes in: weighed, or *q.s.* to the blend weight when it is itself too
        little to weigh (the balance then weighs the whole blend)."""
        if blend < self.min_weighable:
            raise CompoundingError(
                f"the whole blend is only {blend}, less than the balance's minimum weighable "
                f"quantity of {self.min_weighable}; make more capsules.",
                field="count",
            )
        if filler >= self.min_weighable:
            return f"{self.filler.name}", filler, f"{filler} {self.filler.name}"
        return "blend made up to", blend, f"{self.filler.name} q.s. to {blend}"

    def _api_batch(self) -> tuple[int, Trituration | None]:
        """The smallest batch whose weighings are whole and weighable, and its trituration."""
        s, wanted = self.order.strength, self.order.count + self.order.overage
        factor = DILUTION_FACTORS[-1]
        if s * wanted * factor < self.min_weighable:
            fewest = math.ceil(Fraction(self.min_weighable.value) / Fraction(s.value * factor))
            raise CompoundingError(
                f"{wanted} × {s} is only {s * wanted} naltrexone HCl, too little to weigh even "
                f"through a 1 in {factor} trituration on a balance that weighs "
                f"no less than {self.min_weighable}; make at least {fewest} capsules, or set "
                "the balance's minimum weighable quantity lower if it is accurate below it.",
                field="count",
            )
        for batch in range(wanted, self.max_capsules + 1):
            api = s * batch
            if api >= self.min_weighable:
                if api.is_whole_multiple_of(self.resolution):
                    return batch, None
                continue
            trituration = triturate(
                "naltrexone HCl",
                api,
                diluent=self.filler.name,
                min_weighable=self.min_weighable,
                resolution=self.resolution,
                most=self.fill_weight * batch,
            )
            if trituration is not None:
                return batch, trituration
        raise CompoundingError(  # pragma: no cover - needs a resolution finer than the step
            f"no batch of up to {self.max_capsules} capsules gives whole {self.resolution} "
            f"weighings at {s}; check the balance resolution.",
            field="balance_resolution_mg",
        )

    def _from_api(self) -> Worksheet:
        s, n, o = self.order.strength, self.order.count, self.order.overage
        batch, trituration = self._api_batch()
        api = s * batch
        blend = self.fill_weight * batch
        filler = blend - api
        overage = self._requested_overage()
        if batch > n + o:
            extra = batch - n - o
            overage.append(
                Overage(
                    self._capsules(extra),
                    s * extra,
                    f"added so every weighing is a whole multiple of the {self.resolution} "
                    "balance resolution",
                )
            )
        if trituration is None:
            weighings: tuple[tuple[str, Quantity], ...] = (("naltrexone HCl", api),)
            added = filler
            api_note = "weighed 1:1: doses are naltrexone HCl"
            mixing: tuple[str, ...] = (f"Weigh {api} naltrexone HCl.",)
            filler_note = ""
        else:
            weighings = (
                ("naltrexone HCl for the trituration", trituration.weighed),
                (f"{self.filler.name} for the trituration", trituration.diluent_weighed),
                ("trituration aliquot", trituration.aliquot),
            )
            added = blend - trituration.aliquot
            api_note = f"too little to weigh: from a 1 in {trituration.factor} trituration"
            mixing = trituration.steps
            filler_note = f"{trituration.aliquot - api} of it comes with the trituration aliquot"
        name, weighed, filler_text = self._blend_weighing(added, blend)
        ingredients = (
            Ingredient(API_NAME, api, "active", api_note),
            Ingredient(self.filler.name, filler, "filler", filler_note),
        )
        method = (
            *mixing,
            f"Add {filler_text} to the "
            f"{'naltrexone HCl' if trituration is None else 'aliquot'} by geometric dilution "
            "until uniform (US Pharm 2020).",
            f"Fill {batch} capsules at {self.fill_weight} each; check weights within 90-110% "
            "of the calculated fill (USP <795>, older wording).",
            f"Dispense {n} capsules in a tight, light-resistant container.",
        )
        per_unit = (
            ("naltrexone hydrochloride per capsule", s),
            (f"{self.filler.name} per capsule", self.fill_weight - s),
            ("fill weight per capsule", self.fill_weight),
        )
        return self._worksheet(
            ingredients,
            batch,
            overage,
            method,
            api,
            per_unit,
            (*weighings, (name, weighed)),
            () if trituration is None else (trituration,),
        )

    def _fewest_tablets(self) -> tuple[int, Quantity]:
        """The fewest whole tablets covering the order whose blend :math:`50 N w / s` is a whole
        multiple of the balance resolution, and that blend weight."""
        s, wanted = self.order.strength, self.order.count + self.order.overage
        per_tablet = Fraction(TABLET_STRENGTH.value) * Fraction(self.fill_weight.value)
        per_tablet /= Fraction(s.value)  # blend (mg) one tablet makes
        step = Fraction(self.resolution.value)
        first = max(1, math.ceil(Fraction(s.value) * wanted / Fraction(TABLET_STRENGTH.value)))
        for tablets in range(first, first + _TABLET_SEARCH):
            steps = per_tablet * tablets / step
            if steps.denominator == 1:
                return tablets, self.resolution * steps.numerator
        raise CompoundingError(  # pragma: no cover - strengths are on a 0.01 mg step
            f"no whole number of 50 mg tablets gives a whole-{self.resolution} blend at {s}; "
            "use API powder.",
            field="strength",
        )

    def _from_tablets(self) -> Worksheet:
        s, n, o = self.order.strength, self.order.count, self.order.overage
        wanted = n + o
        tablets, blend = self._fewest_tablets()
        naltrexone = TABLET_STRENGTH * tablets
        used = self.fill_weight * wanted
        overage = self._requested_overage()
        if blend > used:
            overage.append(
                Overage(
                    blend - used,
                    naltrexone - s * wanted,
                    f"blend left after filling {wanted} capsules ({tablets} whole tablets make "
                    f"{blend} of blend at {s} per {self.fill_weight}); discard it, or use API "
                    "powder to avoid the waste",
                )
            )
        filler_qty = None if self.tablet_weight is None else blend - self.tablet_weight * tablets
        if filler_qty is not None and filler_qty.value < 0:
            raise CompoundingError(
                f"{tablets} crushed tablets weigh more than the {blend} blend; use a larger "
                "capsule (higher fill weight) or API powder.",
                field="fill_weight_mg",
            )
        if filler_qty is None or filler_qty < self.min_weighable:
            filler_line = Ingredient(
                self.filler.name, None, "filler", f"q.s. to a total blend weight of {blend}"
            )
            weighing, filler_text = (
                ("blend made up to", blend),
                f"{self.filler.name} q.s. to {blend}",
            )
        else:
            filler_line = Ingredient(
                self.filler.name, filler_qty, "filler", f"to a total blend weight of {blend}"
            )
            weighing, filler_text = (
                (self.filler.name, filler_qty),
                f"{filler_qty} {self.filler.name}",
            )
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
        return self._worksheet(
            ingredients, wanted, overage, method, naltrexone, per_unit, (weighing,)
        )
