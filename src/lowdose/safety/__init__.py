"""Safety screening before naltrexone (LDN) is prescribed, and the patient's wallet card.

>>> from lowdose.safety import screen
>>> screen(medications=["Percocet 5/325"]).status
'contraindicated'
>>> screen(stopped=["methadone:14"]).status
'ok'

The drug catalogue (``data/drugs.json``) lists each screened ingredient with its brand and
combination names, the finding it raises and its sources; :mod:`lowdose.safety.matching`
recognises them in free text, case- and spelling-tolerantly, and says what it matched.

Exceptions::

    lowdose.errors.LowdoseError
    ├── ContraindicationError           signing attempted despite a contraindication (hard stop)
    ├── InputError
    │   └── CautionReasonRequiredError  a caution was not acknowledged with a reason
    │       (plus plain InputError for bad screening input: field = medication, stopped,
    │        condition, surgery_in_days; and for the wallet card: dose_mg)
    └── DataError                       the shipped drug catalogue is inconsistent
"""

from __future__ import annotations

from lowdose.safety.catalogue import WASHOUT_DAYS, Catalogue, DrugEntry, catalogue
from lowdose.safety.matching import DrugMatch, find_drugs
from lowdose.safety.screening import (
    CONDITIONS,
    CautionReasonRequiredError,
    ContraindicationError,
    Finding,
    SafetyScreen,
    ScreeningResult,
    StoppedMedication,
    check_prescribable,
    screen,
)
from lowdose.safety.wallet_card import WalletCard, wallet_card

__all__ = [
    "CONDITIONS",
    "WASHOUT_DAYS",
    "Catalogue",
    "CautionReasonRequiredError",
    "ContraindicationError",
    "DrugEntry",
    "DrugMatch",
    "Finding",
    "SafetyScreen",
    "ScreeningResult",
    "StoppedMedication",
    "WalletCard",
    "catalogue",
    "check_prescribable",
    "find_drugs",
    "screen",
    "wallet_card",
]
