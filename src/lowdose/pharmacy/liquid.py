"""Oral-liquid worksheets: naltrexone HCl at a concentration, from powder or 50 mg tablets.

The vehicle follows the published 1 mg/mL formula (Fawcett, Morgan & Woods, Ann Pharmacother
1997;31:1291-1295, as given by medicinesinformation.co.nz and Formulation in Pharmacy Practice):
per 100 mL, ascorbic acid 500 mg, glycerol 20 mL, preservative 0.1 % (here sodium benzoate 100 mg,
the pharminfotech.co.nz variant) when preserved, and purified water to volume. Scaled to the
volume made :math:`V_m` (mL):

.. math::

    m_{\\text{naltrexone}} = c V_m, \\quad m_{\\text{ascorbic}} = 5\\,V_m\\ \\text{mg}, \\quad
    V_{\\text{glycerol}} = V_m / 5\\ \\text{mL}, \\quad m_{\\text{benzoate}} = 1\\,V_m\\ \\text{mg}.

*From tablets* :math:`V_m = 50 N / c` for the smallest whole number of tablets :math:`N` giving
:math:`V_m \\ge V` on a whole graduation of the make-up measure; *from powder* :math:`V_m` is the
smallest such volume whose naltrexone weight is a whole multiple of the balance resolution. Any
:math:`V_m - V` is overage, shown separately. A dose :math:`d` is measured as :math:`d / c` mL and
is refused unless it lands on a syringe mark and fits the syringe.

A solute weighing less than the balance's minimum weighable quantity (naltrexone powder, ascorbic
acid or sodium benzoate in a small batch) is delivered by a liquid aliquot, shown on the
worksheet with its arithmetic (:mod:`lowdose.pharmacy.weighing`); the aliquots must fit in the
water of the batch. Plausibility limits refuse a concentration below 0.1 mg/mL and a batch of more
than 1000 mL dispensed or made (:mod:`lowdose.pharmacy.formulation`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from lowdose.errors import CompoundingError
from lowdose.pharmacy.bud import BudCategory, Storage, beyond_use
from lowdose.pharmacy.capsules import BALANCE_RESOLUTION
from lowdose.pharmacy.formulation import (
    API_NAME,
    MAX_CONCENTRATION,
    MAX_VOLUME,
    MIN_CONCENTRATION,
    TABLET_NAME,
    TABLET_STRENGTH,
    IngredientSource,
    Syringe,
)
from lowdose.pharmacy.units import Concentration, Quantity, Unit, as_decimal, is_exact
from lowdose.pharmacy.weighing import MIN_WEIGHABLE, LiquidAliquot, liquid_aliquot
from lowdose.pharmacy.worksheet import Ingredient, Overage, Worksheet, label_text
from lowdose.regimens.steps import decimal_str

__all__ = ["MAKE_UP_RESOLUTION", "LiquidCompounding"]

#: Volumes are made up to whole millilitres (graduated cylinder / bottle mark); configurable.
MAKE_UP_RESOLUTION = Quantity(Decimal(1), Unit.ML)
#: Search limit when looking for a whole-tablet / whole-mg batch (a refusal, never a hang).
_MAX_SEARCH = 10_000

#: Vehicle per mL made (Fawcett 1997 formula per 100 mL ÷ 100).
ASCORBIC_ACID_PER_ML = Quantity(Decimal(5), Unit.MG)
GLYCEROL_FRACTION = Decimal("0.2")
SODIUM_BENZOATE_PER_ML = Quantity(Decimal(1), Unit.MG)
_ASCORBIC = "ascorbic acid (plain, not effervescent)"
_BENZOATE = "sodium benzoate"


class LiquidCompounding:
    """An oral-liquid order: ``volume_ml`` of naltrexone HCl at ``concentration_mg_per_ml``.

    Parameters
    ----------
    concentration_mg_per_ml : Decimal or str
        mg naltrexone HCl per mL (> 0, ≤ ``max_concentration_mg_per_ml``, default 5).
    volume_ml : Decimal or str
        Volume dispensed, mL.
    source : IngredientSource or str
        ``"api"`` or ``"tablets"``.
    preserved : bool
        Adds sodium benzoate 0.1 %; moves the BUD from 14 days refrigerated to 35 days.
    doses_mg : sequence of Decimal
        Doses the patient will measure; each must land on a syringe mark.
    syringe : Syringe
        The oral syringe dispensed (default 5 mL marked every 0.1 mL: configure it).
    min_concentration_mg_per_ml, max_volume_ml : Decimal, default 0.1 and 1000
        Plausibility limits (:mod:`lowdose.pharmacy.formulation` gives the reasons).
    min_weighable_mg : Decimal, default 120
        The balance's minimum weighable quantity; a smaller weighing becomes a liquid aliquot.
    """

    def __init__(
        self,
        concentration_mg_per_ml: Decimal | str | int,
        volume_ml: Decimal | str | int,
        source: IngredientSource | str,
        *,
        preserved: bool = False,
        doses_mg: Sequence[Decimal | str] = (),
        syringe: Syringe | None = None,
        storage: Storage | None = None,
        max_concentration_mg_per_ml: Decimal | str = MAX_CONCENTRATION.mg_per_ml,
        make_up_resolution_ml: Decimal | str = MAKE_UP_RESOLUTION.value,
        balance_resolution_mg: Decimal | str = BALANCE_RESOLUTION.value,
        min_concentration_mg_per_ml: Decimal | str = MIN_CONCENTRATION.mg_per_ml,
        max_volume_ml: Decimal | str = MAX_VOLUME.value,
        min_weighable_mg: Decimal | str = MIN_WEIGHABLE.value,
        compounded_on: date | None = None,
        directions: str | None = None,
    ) -> None:
        self.concentration = _concentration(
            concentration_mg_per_ml, min_concentration_mg_per_ml, max_concentration_mg_per_ml
        )
        volume = as_decimal(volume_ml, "volume")
        if volume <= 0:
            raise CompoundingError(f"volume must be positive, got {volume} mL.", field="volume")
        self.volume = Quantity(volume, Unit.ML)
        self.max_volume = Quantity(as_decimal(max_volume_ml, "max_volume_ml"), Unit.ML)
        if self.volume > self.max_volume:
            raise CompoundingError(
                f"{self.volume} is more than the {self.max_volume} one batch may hold; check the "
                "volume (one patient's bottle within the beyond-use date is far smaller) or split "
                "it into batches.",
                field="volume",
            )
        try:
            self.source = IngredientSource(source)
        except ValueError as exc:
            raise CompoundingError(
                f"source {source!r} is not 'api' or 'tablets'.", field="source"
            ) from exc
        self.preserved = bool(preserved)
        self.syringe = Syringe() if syringe is None else syringe
        self.doses = tuple(Quantity(as_decimal(d, "dose"), Unit.MG) for d in doses_mg)
        self.dose_volumes: tuple[tuple[Quantity, Quantity], ...] = tuple(
            (dose, self._measurable(dose)) for dose in self.doses
        )
        self.make_up = Quantity(as_decimal(make_up_resolution_ml, "make_up_resolution_ml"), Unit.ML)
        self.resolution = Quantity(
            as_decimal(balance_resolution_mg, "balance_resolution_mg"), Unit.MG
        )
        self.min_weighable = Quantity(as_decimal(min_weighable_mg, "min_weighable_mg"), Unit.MG)
        if self.make_up.value <= 0 or self.resolution.value <= 0:
            raise CompoundingError("resolutions must be positive.", field="resolution")
        if self.min_weighable.value <= 0:
            raise CompoundingError(
                "min_weighable_mg must be a positive weight in mg.", field="min_weighable_mg"
            )
        category = (
            BudCategory.AQUEOUS_PRESERVED if self.preserved else BudCategory.AQUEOUS_NONPRESERVED
        )
        self.bud = beyond_use(category, storage)
        self.compounded_on = compounded_on
        self.directions = directions

    def _measurable(self, dose: Quantity) -> Quantity:
        if dose.value <= 0:
            raise CompoundingError(f"dose must be positive, got {dose}.", field="dose")
        volume = self.concentration.volume_for(dose)
        self.syringe.check(dose, volume)
        return volume

    def fit(self) -> Worksheet:
        """Compute the worksheet."""
        made, active = (
            self._from_api() if self.source is IngredientSource.API else self._from_tablets()
        )
        if made > self.max_volume:
            raise CompoundingError(
                f"whole tablets at {self.concentration} make {made}, more than the "
                f"{self.max_volume} one batch may hold; use API powder or a stronger liquid.",
                field="concentration",
            )
        aliquots, weighings = self._weighings(made)
        naltrexone_made = self.concentration.mass_in(made)
        ingredients = self._ingredients(made, active, {a.substance for a in aliquots})
        per_unit = (
            ("naltrexone hydrochloride per 1 mL", Quantity(self.concentration.mg_per_ml, Unit.MG)),
            *((f"volume for a {dose} dose", vol) for dose, vol in self.dose_volumes),
        )
        preparation = (
            f"Naltrexone hydrochloride {self.concentration} oral liquid"
            f"{' (preserved)' if self.preserved else ''}"
        )
        bud_date = None if self.compounded_on is None else self.bud.date_from(self.compounded_on)
        label = label_text(
            preparation=preparation,
            dispensed=self.volume,
            storage=self.bud.storage,
            bud_days=self.bud.days,
            bud_date=bud_date,
            directions=self.directions,
            extra=(
                f"Shake well. Measure each dose with the oral syringe provided ({self.syringe}).",
            ),
        )
        return Worksheet(
            form="liquid",
            preparation=preparation,
            ingredients=ingredients,
            dispensed=self.volume,
            made=made,
            naltrexone_dispensed=self.concentration.mass_in(self.volume),
            naltrexone_made=naltrexone_made,
            per_unit=per_unit,
            overage=self._overage(made),
            beyond_use=self.bud,
            compounded_on=self.compounded_on,
            label=label,
            method=self._method(made, aliquots),
            sources=(
                "Fawcett JP, Morgan NC, Woods DJ. Ann Pharmacother 1997;31:1291-1295",
                self.bud.source,
            ),
            weighings=weighings,
            dilutions=aliquots,
            min_weighable=self.min_weighable,
        )

    def _solutes(self, made: Quantity) -> tuple[tuple[str, Quantity], ...]:
        """The weighed solids of ``made`` mL: naltrexone powder, ascorbic acid, preservative."""
        return (
            *(
                (("naltrexone HCl", self.concentration.mass_in(made)),)
                if self.source is IngredientSource.API
                else ()
            ),
            (_ASCORBIC, ASCORBIC_ACID_PER_ML * made.value),
            *(((_BENZOATE, SODIUM_BENZOATE_PER_ML * made.value),) if self.preserved else ()),
        )

    def _aliquot(self, name: str, mass: Quantity, made: Quantity) -> LiquidAliquot | None:
        return liquid_aliquot(
            name,
            mass,
            min_weighable=self.min_weighable,
            resolution=self.resolution,
            measure=self.make_up,
            most=made * (1 - GLYCEROL_FRACTION),
        )

    def _weighings(
        self, made: Quantity
    ) -> tuple[tuple[LiquidAliquot, ...], tuple[tuple[str, Quantity], ...]]:
        """Each solute weighed directly, or through a liquid aliquot when it is too little."""
        aliquots: list[LiquidAliquot] = []
        weighings: list[tuple[str, Quantity]] = []
        for name, mass in self._solutes(made):
            if mass >= self.min_weighable:
                weighings.append((name, mass))
                continue
            aliquot = self._aliquot(name, mass, made)
            if aliquot is None:
                raise CompoundingError(
                    f"{mass} {name} is too little to weigh and no measured solution of it fits "
                    f"in {made}; make a larger volume.",
                    field="volume",
                )
            aliquots.append(aliquot)
            weighings.append((f"{name} for the solution", aliquot.weighed))
        water = made * (1 - GLYCEROL_FRACTION)
        if sum((a.aliquot.value for a in aliquots), Decimal(0)) > water.value:
            raise CompoundingError(
                f"the measured solutions of the ingredients too small to weigh need more than the "
                f"{water} of water in {made}; make a larger volume.",
                field="volume",
            )
        return tuple(aliquots), tuple(weighings)

    def _ingredients(
        self, made: Quantity, active: Ingredient, in_solution: set[str]
    ) -> tuple[Ingredient, ...]:
        """The formula for ``made`` of liquid (Fawcett 1997; Alberta Health Services #156)."""
        note = "too little to weigh: measured as a solution (see below)"
        if "naltrexone HCl" in in_solution:
            active = Ingredient(active.name, active.quantity, active.role, note)
        return (
            active,
            Ingredient(
                _ASCORBIC,
                ASCORBIC_ACID_PER_ML * made.value,
                "antioxidant",
                note if _ASCORBIC in in_solution else "",
            ),
            Ingredient(
                "glycerol", Quantity(made.value * GLYCEROL_FRACTION, Unit.ML), "vehicle / wetting"
            ),
            *(
                (
                    Ingredient(
                        _BENZOATE,
                        SODIUM_BENZOATE_PER_ML * made.value,
                        "preservative (0.1 %)",
                        note if _BENZOATE in in_solution else "",
                    ),
                )
                if self.preserved
                else ()
            ),
            Ingredient("purified water", None, "vehicle", f"q.s. to {made}"),
        )

    def _overage(self, made: Quantity) -> tuple[Overage, ...]:
        """What is made beyond the volume dispensed, to be discarded."""
        overage: list[Overage] = []
        if made > self.volume:
            extra = made - self.volume
            overage.append(
                Overage(
                    extra,
                    self.concentration.mass_in(extra),
                    "made beyond the volume dispensed so that only whole tablets, whole-mg "
                    "weights and whole-mL volumes are used; discard it",
                )
            )
        return tuple(overage)

    def _method(self, made: Quantity, aliquots: tuple[LiquidAliquot, ...]) -> tuple[str, ...]:
        """The compounding steps; solutions of what is too little to weigh come first."""
        dissolved = {a.substance for a in aliquots}
        tablets = self.source is IngredientSource.TABLETS
        solids = [
            *(("the crushed tablets",) if tablets else ()),
            *(
                ("the naltrexone powder",)
                if not tablets and "naltrexone HCl" not in dissolved
                else ()
            ),
            *(("the ascorbic acid",) if _ASCORBIC not in dissolved else ()),
            *(("the preservative",) if self.preserved and _BENZOATE not in dissolved else ()),
        ]
        steps = [step for a in aliquots for step in a.steps]
        if tablets:
            steps.append("Crush the tablets to a fine powder.")
        steps.append(
            f"Triturate {_and(solids)} with the glycerol to a smooth paste."
            if solids
            else "Put the glycerol in a mortar."
        )
        if aliquots:
            measured = _and([f"{a.aliquot} of the {a.substance} solution" for a in aliquots])
            steps.append(f"Add {measured}; mix.")
        return (
            *steps,
            f"Make up to {made} with purified water; mix well.",
            f"Pack {self.volume} in an amber plastic bottle; protect from light (Alberta Health "
            "Services recipe #156).",
        )

    def _from_api(self) -> tuple[Quantity, Ingredient]:
        made = self._round_up_volume(self.volume)
        for _ in range(_MAX_SEARCH):
            mass = self.concentration.mass_in(made)
            weighable = (
                mass.is_whole_multiple_of(self.resolution)
                if mass >= self.min_weighable
                else self._aliquot("naltrexone HCl", mass, made) is not None
            )
            if weighable:
                return made, Ingredient(
                    API_NAME, mass, "active", "weighed 1:1: doses are naltrexone HCl"
                )
            made = made + self.make_up
        raise CompoundingError(  # pragma: no cover - needs an absurd concentration
            f"no volume near {self.volume} gives a whole-mg weight at {self.concentration}; "
            "choose a rounder concentration.",
            field="concentration",
        )

    def _from_tablets(self) -> tuple[Quantity, Ingredient]:
        needed = self.concentration.mass_in(self.volume)
        first = math.ceil(Fraction(needed.value) / Fraction(TABLET_STRENGTH.value))
        for tablets in range(max(first, 1), max(first, 1) + _MAX_SEARCH):
            mass = TABLET_STRENGTH * tablets
            if not is_exact(mass.value, self.concentration.mg_per_ml):
                continue
            made = self.concentration.volume_for(mass)
            if made >= self.volume and made.is_whole_multiple_of(self.make_up):
                return made, Ingredient(
                    TABLET_NAME,
                    Quantity(Decimal(tablets), Unit.TABLET),
                    "active",
                    f"{mass} naltrexone HCl in all; immediate-release tablets only",
                )
        raise CompoundingError(  # pragma: no cover - needs an absurd concentration
            f"no whole number of 50 mg tablets makes a whole-mL volume at {self.concentration}; "
            "choose a rounder concentration or use API powder.",
            field="concentration",
        )

    def _round_up_volume(self, volume: Quantity) -> Quantity:
        steps = Fraction(volume.value) / Fraction(self.make_up.value)
        return self.make_up * math.ceil(steps)


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _concentration(value: object, lowest: object, highest: object) -> Concentration:
    """The order's concentration, refused outside the configured range (mg/mL)."""
    conc = as_decimal(value, "concentration")
    if conc <= 0:
        raise CompoundingError(
            f"concentration must be positive, got {conc} mg/mL.", field="concentration"
        )
    maximum = as_decimal(highest, "max_concentration_mg_per_ml")
    if conc > maximum:
        raise CompoundingError(
            f"concentration {decimal_str(conc)} mg/mL is above the configured maximum of "
            f"{decimal_str(maximum)} mg/mL; LDN liquids are usually 1 mg/mL (LDN Research "
            "Trust). Lower it or change the configured maximum deliberately.",
            field="concentration",
        )
    minimum = as_decimal(lowest, "min_concentration_mg_per_ml")
    if conc < minimum:
        raise CompoundingError(
            f"concentration {conc:f} mg/mL is below the lowest accepted, {decimal_str(minimum)} "
            "mg/mL (a 6 mg dose would not fit an oral syringe); check the unit and use e.g. "
            "1 mg/mL.",
            field="concentration",
        )
    return Concentration(conc)
