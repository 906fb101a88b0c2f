"""Beyond-use dates under USP <795> (revision official 1 November 2023), by category and storage.

The 2023 chapter classifies a compounded non-sterile preparation (CNSP) by water activity
(:math:`a_w`, USP <922>) and, without a USP monograph or CNSP-specific stability data, limits its
beyond-use date (BUD) to:

=============================================  ==========  =================================
Category                                       Max BUD     Storage
=============================================  ==========  =================================
Aqueous, not preserved (:math:`a_w \\ge 0.6`)   14 days     refrigerated only
Aqueous, preserved (:math:`a_w \\ge 0.6`)       35 days     room temperature or refrigerated
Non-aqueous oral liquid (:math:`a_w < 0.6`)     90 days     room temperature or refrigerated
Other non-aqueous (capsules, tablets, powders)  180 days    room temperature or refrigerated
=============================================  ==========  =================================

Sources: 14 and 35 days, PCCA blog (Rhoads M, 28 June 2023) quoting USP; 90 and 180 days, exam
study notes consistent with the 180-day limit cited by Cote et al., Int J Pharm Compd
2018;22(3):252-256 (the USP text itself was not read: verify). Longer BUDs need stability data for
the *same* formulation (Fawcett 1997 for the 1 mg/mL ascorbate/glycerol liquid: 60 days at 4 °C;
Cote 2018 for Avicel capsules: 360 days) and are not applied automatically.

The BUD is counted from the day of compounding: :math:`\\text{BUD} = d_0 + n` days.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from lowdose.errors import CompoundingError
from lowdose.serial import Plain

__all__ = ["BeyondUse", "BudCategory", "Storage", "beyond_use"]


class BudCategory(enum.StrEnum):
    """USP <795> (2023) CNSP categories."""

    AQUEOUS_NONPRESERVED = "aqueous-nonpreserved"
    AQUEOUS_PRESERVED = "aqueous-preserved"
    NONAQUEOUS_ORAL_LIQUID = "nonaqueous-oral-liquid"
    NONAQUEOUS_SOLID = "nonaqueous-solid"


class Storage(enum.StrEnum):
    """Where the patient keeps the preparation."""

    REFRIGERATED = "refrigerated"
    ROOM_TEMPERATURE = "room temperature"


@dataclass(frozen=True, slots=True)
class _Rule:
    days: int
    allowed: frozenset[Storage]
    default: Storage
    source: str


_RULES: dict[BudCategory, _Rule] = {
    BudCategory.AQUEOUS_NONPRESERVED: _Rule(
        14,
        frozenset({Storage.REFRIGERATED}),
        Storage.REFRIGERATED,
        "USP <795> (2023) via PCCA blog, Rhoads 2023: non-preserved aqueous, 14 days refrigerated",
    ),
    BudCategory.AQUEOUS_PRESERVED: _Rule(
        35,
        frozenset(Storage),
        Storage.REFRIGERATED,
        "USP <795> (2023) via PCCA blog, Rhoads 2023: preserved aqueous, 35 days",
    ),
    BudCategory.NONAQUEOUS_ORAL_LIQUID: _Rule(
        90,
        frozenset(Storage),
        Storage.ROOM_TEMPERATURE,
        "USP <795> (2023), secondary study notes (verify in the USP text): non-aqueous oral "
        "liquid, 90 days",
    ),
    BudCategory.NONAQUEOUS_SOLID: _Rule(
        180,
        frozenset(Storage),
        Storage.ROOM_TEMPERATURE,
        "USP <795> (2023), secondary study notes; 180-day limit also cited by Cote et al. 2018 "
        "(verify in the USP text): capsules and other non-aqueous solids, 180 days",
    ),
}


@dataclass(frozen=True, slots=True)
class BeyondUse(Plain):
    """A beyond-use rule applied: category, storage, days and the source."""

    category: BudCategory
    storage: Storage
    days: int
    source: str

    def date_from(self, compounded_on: date) -> date:
        """The beyond-use date for a preparation compounded on ``compounded_on``."""
        return compounded_on + timedelta(days=self.days)


def beyond_use(category: BudCategory, storage: Storage | None = None) -> BeyondUse:
    """The USP <795> default BUD for ``category`` kept at ``storage`` (default: the usual one).

    Raises
    ------
    CompoundingError
        The storage is not allowed for the category (an unpreserved aqueous liquid at room
        temperature).
    """
    rule = _RULES[BudCategory(category)]
    chosen = rule.default if storage is None else Storage(storage)
    if chosen not in rule.allowed:
        raise CompoundingError(
            f"USP <795> allows a {category.value} preparation only "
            f"{' or '.join(sorted(s.value for s in rule.allowed))}, not {chosen.value}; store it "
            "refrigerated, or add a preservative (35 days at room temperature or refrigerated).",
            field="storage",
        )
    return BeyondUse(
        category=BudCategory(category), storage=chosen, days=rule.days, source=rule.source
    )
