"""Safety screening before naltrexone (LDN) is prescribed, and the patient's wallet card.

The screen **fails closed**: an entry it cannot identify with confidence needs a person to
resolve it before anything can be signed, dispensed or released.

>>> from lowdose.safety import screen
>>> screen(medications=["Percocet 5/325"]).status
'contraindicated'
>>> screen(stopped=["methadone:14"]).status
'ok'
>>> screen(medications=["Xyzpain 30/500"]).status
'review'

The catalogue (``data/catalogue.json``, :mod:`lowdose.safety.catalogue`) lists ingredients
with the rule each falls under, products, and shorthand; :mod:`lowdose.safety.matching`
identifies them in free text and says what it matched; :mod:`lowdose.safety.rules` applies
the rules; :mod:`lowdose.safety.screening` collects findings into a status.

Exceptions::

    lowdose.errors.LowdoseError
    ├── ScreenBlockedError               the screen blocks signing/dispensing (``.result``)
    │   ├── ContraindicationError        a contraindication (hard stop)
    │   └── ReviewRequiredError          an entry a person must resolve first
    ├── InputError
    │   └── CautionReasonRequiredError   a caution was not acknowledged with a reason
    │       (plus plain InputError for bad input: field = medication, stopped, condition,
    │        surgery_in_days, resolutions; for a Resolution: kind, ingredients, reason;
    │        for the wallet card: dose_mg)
    └── DataError                        the drug catalogue is inconsistent (names file + entry)
"""

from __future__ import annotations

from lowdose.errors import (
    CautionReasonRequiredError,
    ContraindicationError,
    ReviewRequiredError,
    ScreenBlockedError,
)
from lowdose.safety.catalogue import (
    RULES,
    WASHOUT_DAYS,
    Catalogue,
    IngredientInfo,
    Product,
    Rule,
    Shorthand,
    catalogue,
    load_catalogue,
)
from lowdose.safety.conditions import CONDITION_ALIASES, CONDITIONS, normalise_condition
from lowdose.safety.findings import Finding, FindingSeverity, Status
from lowdose.safety.matching import Context, Identification, Match, identify
from lowdose.safety.resolutions import Resolution, ResolutionKind, resolution_key
from lowdose.safety.rules import DEPOT_DAYS
from lowdose.safety.screening import (
    SafetyScreen,
    ScreeningResult,
    StoppedMedication,
    check_prescribable,
    lookup,
    screen,
)
from lowdose.safety.wallet_card import WalletCard, wallet_card

__all__ = [
    "CONDITIONS",
    "CONDITION_ALIASES",
    "DEPOT_DAYS",
    "RULES",
    "WASHOUT_DAYS",
    "Catalogue",
    "CautionReasonRequiredError",
    "Context",
    "ContraindicationError",
    "Finding",
    "FindingSeverity",
    "Identification",
    "IngredientInfo",
    "Match",
    "Product",
    "Resolution",
    "ResolutionKind",
    "ReviewRequiredError",
    "Rule",
    "SafetyScreen",
    "ScreenBlockedError",
    "ScreeningResult",
    "Shorthand",
    "Status",
    "StoppedMedication",
    "WalletCard",
    "catalogue",
    "check_prescribable",
    "identify",
    "load_catalogue",
    "lookup",
    "normalise_condition",
    "resolution_key",
    "screen",
    "wallet_card",
]
