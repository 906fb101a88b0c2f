"""Compounding arithmetic, beyond-use dates, labels, dispensing records and cost for LDN.

Public API (all results are frozen dataclasses with ``to_dict()``)::

    from lowdose.pharmacy import CapsuleCompounding, LiquidCompounding
    sheet = CapsuleCompounding("4.5", 30, "api").fit()          # Worksheet
    sheet = CapsuleCompounding("0.5", 30, "api", min_weighable_mg="120").fit()  # + trituration
    sheet = LiquidCompounding("1", "100", "tablets", doses_mg=["1.5", "4.5"]).fit()
    supply = liquid_supply(plan, "1")                             # whole-titration quantities
    cost = CostEstimate(plan, [price_list], "liquid", benefit=ldn_responder_benefit()).fit()

Doses are milligrams of naltrexone **hydrochloride** (see :mod:`lowdose.pharmacy.formulation`).
Every quantity is an exact :class:`Quantity` (Decimal + unit); mg, mL and counts never mix, and
arithmetic that would need rounding raises instead (:func:`exact`).

Exceptions::

    LowdoseError
    ├── InputError
    │   └── PharmacyError              a pharmacy request cannot be fulfilled as given
    │       ├── CompoundingError       a preparation refused, with the reason (field= names input)
    │       └── PriceListError         a price list or cost question is inconsistent
    └── UnitMismatchError (also TypeError)  mg combined with mL, capsules with tablets, ...
"""

from __future__ import annotations

from lowdose.errors import CompoundingError, PharmacyError, PriceListError, UnitMismatchError
from lowdose.pharmacy.bud import BeyondUse, BudCategory, Storage, beyond_use
from lowdose.pharmacy.capsules import BALANCE_RESOLUTION, CapsuleCompounding
from lowdose.pharmacy.cost import (
    MAX_CAPSULES_PER_DOSE,
    CostEstimate,
    CostResult,
    ExtraResponderCost,
    PharmacyCost,
    period_cost,
)
from lowdose.pharmacy.currency import CURRENCIES, minor_units
from lowdose.pharmacy.dispensing import DispensingRecord, dispense
from lowdose.pharmacy.formulation import (
    DEFAULT_FILL_WEIGHT,
    MAX_CAPSULES,
    MAX_CONCENTRATION,
    MAX_STRENGTH,
    MAX_VOLUME,
    MIN_CONCENTRATION,
    MIN_STRENGTH,
    TABLET_STRENGTH,
    Filler,
    IngredientSource,
    Syringe,
    check_filler,
)
from lowdose.pharmacy.liquid import LiquidCompounding
from lowdose.pharmacy.packs import DoseCapsules, PeriodCost, PurchaseLine
from lowdose.pharmacy.plan import capsule_worksheets, liquid_batches, split_plan
from lowdose.pharmacy.prices import PriceList, PriceListEntry, ProductForm
from lowdose.pharmacy.supply import (
    TitrationSupply,
    capsule_supply,
    liquid_supply,
    titration_directions,
)
from lowdose.pharmacy.units import Concentration, Money, Quantity, Unit, exact, mg, ml
from lowdose.pharmacy.weighing import (
    MIN_WEIGHABLE,
    LiquidAliquot,
    Trituration,
    liquid_aliquot,
    triturate,
)
from lowdose.pharmacy.worksheet import Ingredient, Overage, Worksheet, label_text

__all__ = [
    "BALANCE_RESOLUTION",
    "CURRENCIES",
    "DEFAULT_FILL_WEIGHT",
    "MAX_CAPSULES",
    "MAX_CAPSULES_PER_DOSE",
    "MAX_CONCENTRATION",
    "MAX_STRENGTH",
    "MAX_VOLUME",
    "MIN_CONCENTRATION",
    "MIN_STRENGTH",
    "MIN_WEIGHABLE",
    "TABLET_STRENGTH",
    "BeyondUse",
    "BudCategory",
    "CapsuleCompounding",
    "CompoundingError",
    "Concentration",
    "CostEstimate",
    "CostResult",
    "DispensingRecord",
    "DoseCapsules",
    "ExtraResponderCost",
    "Filler",
    "Ingredient",
    "IngredientSource",
    "LiquidAliquot",
    "LiquidCompounding",
    "Money",
    "Overage",
    "PeriodCost",
    "PharmacyCost",
    "PharmacyError",
    "PriceList",
    "PriceListEntry",
    "PriceListError",
    "ProductForm",
    "PurchaseLine",
    "Quantity",
    "Storage",
    "Syringe",
    "TitrationSupply",
    "Trituration",
    "Unit",
    "UnitMismatchError",
    "Worksheet",
    "beyond_use",
    "capsule_supply",
    "capsule_worksheets",
    "check_filler",
    "dispense",
    "exact",
    "label_text",
    "liquid_aliquot",
    "liquid_batches",
    "liquid_supply",
    "mg",
    "minor_units",
    "ml",
    "period_cost",
    "split_plan",
    "titration_directions",
    "triturate",
]
