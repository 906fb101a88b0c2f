"""Ingredients, fillers, the salt question and configured limits, each with its source.

**Doses are naltrexone hydrochloride.** Every marketed oral product is "naltrexone hydrochloride
50 MG Oral Tablet" (RxNorm SCD 1483744; openFDA NDC records), LDN liquids are made from those
tablets at face value (2 × 50 mg tablets in 100 mL = 1 mg/mL; Fawcett, Morgan & Woods, Ann
Pharmacother 1997;31:1291-1295, as given by medicinesinformation.co.nz), and the published capsule
method weighs naltrexone HCl 1:1 against the labelled strength (100 × 4.5 mg capsules = 450 mg
naltrexone HCl; US Pharm 2020;45(3):9-10). So a "4.5 mg" LDN dose is 4.5 mg of the anhydrous
hydrochloride salt, and API powder is weighed 1:1. The free base is a smaller mass,

.. math::

    m_{\\text{base}} = m_{\\text{HCl}} \\times \\frac{341.41}{377.86},

(molecular weights: base 341.41, USP DI; HCl 377.86, openFDA label). That ratio is shown for
information only; the worksheet never converts. A dihydrate powder would need a further factor and
is refused (:data:`API_NAME` is the only API accepted).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from lowdose.errors import CompoundingError
from lowdose.pharmacy.units import Concentration, Quantity, Unit
from lowdose.regimens.protocol import MAX_DAILY_DOSE_MG

__all__ = [
    "API_NAME",
    "DEFAULT_FILLER",
    "DEFAULT_FILL_WEIGHT",
    "MAX_CAPSULES",
    "MAX_CONCENTRATION",
    "MAX_STRENGTH",
    "MAX_VOLUME",
    "MIN_CONCENTRATION",
    "MIN_STRENGTH",
    "NALTREXONE_BASE_MW",
    "NALTREXONE_HCL_MW",
    "STRENGTH_STEP",
    "TABLET_NAME",
    "TABLET_STRENGTH",
    "Filler",
    "IngredientSource",
    "Syringe",
    "check_filler",
]

#: The only commercial oral strength: 50 mg naltrexone HCl film-coated tablets (openFDA NDC
#: directory: every US oral naltrexone product listed is 50 mg).
TABLET_STRENGTH = Quantity(Decimal(50), Unit.MG)
TABLET_NAME = "naltrexone hydrochloride 50 mg tablets (immediate-release, crushed)"
#: Bulk API marketed for compounding (e.g. Letco NDC 62991-1243; openFDA).
API_NAME = "naltrexone hydrochloride USP powder (anhydrous)"
#: Molecular weights (g/mol): naltrexone base (USP DI via Drugs.com) and HCl (openFDA label).
NALTREXONE_BASE_MW = Decimal("341.41")
NALTREXONE_HCL_MW = Decimal("377.86")

#: Highest capsule strength accepted unless configured otherwise (same ceiling as the plans:
#: 6 mg, the FINAL trial dose).
MAX_STRENGTH = Quantity(MAX_DAILY_DOSE_MG, Unit.MG)
#: Lowest capsule strength accepted unless configured otherwise: 0.1 mg. LDN is 1-5 mg a day
#: (Toljan & Vrooman, Med Sci 2018;6(4):82) and cautious starts are 0.5 mg (LDN Research Trust,
#: "How to titrate LDN"); 1 µg-1 mg is "very low-dose naltrexone", an experimental adjunct in
#: methadone tapers (Toljan & Vrooman). 0.1 mg keeps a 5-fold margin below the 0.5 mg start and
#: refuses a microgram typed as a milligram (0.0001 mg).
MIN_STRENGTH = Quantity(Decimal("0.1"), Unit.MG)
#: Strengths are stated to 0.01 mg at most: a tenth of the 0.1 mg floor; a finer step only forces
#: a larger batch to reach whole-mg weighings.
STRENGTH_STEP = Quantity(Decimal("0.01"), Unit.MG)
#: Most capsules in one batch unless configured otherwise: the 180-day capsule BUD (USP <795>)
#: at up to five capsules a day is 900; 1000 leaves a margin and refuses "fill 10,000 capsules".
MAX_CAPSULES = 1000
#: Most oral liquid in one batch (dispensed or made) unless configured otherwise: 1000 mL. A
#: 35-day preserved BUD window at the 6 mg maximum is 210 mL at 1 mg/mL and 420 mL at 0.5 mg/mL;
#: a litre is more than one patient's bottle and refuses "500 L of liquid".
MAX_VOLUME = Quantity(Decimal(1000), Unit.ML)
#: Lowest oral-liquid concentration accepted: 0.1 mg/mL (the 6 mg maximum dose is then 60 mL,
#: already beyond any oral syringe; LDN liquids are usually 1 mg/mL, LDN Research Trust).
MIN_CONCENTRATION = Concentration(Decimal("0.1"))
#: Highest oral-liquid concentration accepted unless configured otherwise: 5 mg/mL is the highest
#: published LDN oral liquid found (Alberta Health Services compounding recipe #156, rev. 2018).
MAX_CONCENTRATION = Concentration(Decimal(5))
#: Powder a size #3 capsule holds, about 225 mg (The Compounder, L. Frieders: low-quality source).
#: A pharmacy must calibrate the fill weight of its own capsule size and filler lot.
DEFAULT_FILL_WEIGHT = Quantity(Decimal(225), Unit.MG)


class IngredientSource(enum.StrEnum):
    """Where the naltrexone comes from."""

    API = "api"
    TABLETS = "tablets"


@dataclass(frozen=True, slots=True)
class Filler:
    """A capsule filler and whether it is accepted, with the reason and source."""

    name: str
    accepted: bool
    reason: str
    source: str


_MCC = Filler(
    "microcrystalline cellulose (Avicel PH-105)",
    True,
    "inert filler; naltrexone HCl is incorporated geometrically into Avicel PH-105",
    "US Pharm 2020;45(3):9-10; Cote et al., Int J Pharm Compd 2018;22(3):252-256 (360-day "
    "stability in Avicel)",
)
_LACTOSE = Filler(
    "lactose monohydrate",
    True,
    "acceptable inert filler",
    "Swidan S, 'Low dose naltrexone' (Taylor & Francis chapter)",
)
_SUCROSE = Filler(
    "sucrose",
    True,
    "acceptable inert filler",
    "Swidan S, 'Low dose naltrexone' (Taylor & Francis chapter)",
)
_CACO3 = Filler(
    "calcium carbonate",
    False,
    "calcium carbonate is reported to reduce naltrexone absorption; use microcrystalline "
    "cellulose instead",
    "Swidan S, 'Low dose naltrexone' (Taylor & Francis chapter); The Compounder",
)
_SLOW = Filler(
    "slow-release filler",
    False,
    "LDN must be immediate-release; pharmacies are told not to make SR or slow-release LDN. "
    "Use microcrystalline cellulose instead",
    "LDN Research Trust US physician packet (quoted by IFM Synergy); lowdosenaltrexone.org",
)

_FILLERS: dict[str, Filler] = {
    "microcrystalline cellulose": _MCC,
    "microcrystalline cellulose (avicel ph-105)": _MCC,
    "mcc": _MCC,
    "avicel": _MCC,
    "avicel ph-105": _MCC,
    "avicel ph-102": _MCC,
    "lactose": _LACTOSE,
    "lactose monohydrate": _LACTOSE,
    "sucrose": _SUCROSE,
    "calcium carbonate": _CACO3,
    "caco3": _CACO3,
    "hypromellose": _SLOW,
    "hpmc": _SLOW,
    "methocel": _SLOW,
}
_SLOW_WORDS = ("slow", "sustained", "extended", "controlled", "delayed", " sr", "-sr", "(sr)")

DEFAULT_FILLER = _MCC


def check_filler(name: str) -> Filler:
    """Return the accepted filler called ``name`` or refuse it with a reason.

    Raises
    ------
    CompoundingError
        Calcium carbonate, any slow-, sustained-, extended- or controlled-release excipient, or a
        filler not on the accepted list.
    """
    key = " ".join(name.strip().lower().split())
    padded = f" {key}"
    if any(word in padded for word in _SLOW_WORDS):
        found = _SLOW
    else:
        found = _FILLERS.get(key) or _FILLERS.get(key.split(" (")[0]) or _unknown_filler(key)
    if not found.accepted:
        raise CompoundingError(
            f"filler {name!r} refused: {found.reason} (source: {found.source}).", field="filler"
        )
    return found


def _unknown_filler(key: str) -> Filler:
    return Filler(
        key,
        False,
        "it is not on the list of accepted inert fillers (microcrystalline cellulose, lactose, "
        "sucrose); use one of those",
        "lowdose accepted-filler list (docs/compounding.md)",
    )


_DEFAULT_CAPACITY = Quantity(Decimal(5), Unit.ML)
_DEFAULT_GRADUATION = Quantity(Decimal("0.1"), Unit.ML)


@dataclass(frozen=True, slots=True)
class Syringe:
    """The oral syringe dispensed with a liquid: capacity and graduation, both in mL.

    The default (5 mL marked every 0.1 mL) is a configurable assumption, not a clinical number:
    set it to the syringe the pharmacy actually dispenses.
    """

    capacity: Quantity = _DEFAULT_CAPACITY
    graduation: Quantity = _DEFAULT_GRADUATION

    def __post_init__(self) -> None:
        for what, q in (("capacity", self.capacity), ("graduation", self.graduation)):
            if q.unit is not Unit.ML or q.value <= 0:
                raise CompoundingError(
                    f"syringe {what} must be a positive volume in mL, got {q}.",
                    field=f"syringe_{what}",
                )
        if self.graduation > self.capacity:
            raise CompoundingError(
                "syringe graduation is larger than its capacity; check both.",
                field="syringe_graduation",
            )

    def check(self, dose: Quantity, volume: Quantity) -> None:
        """Refuse a dose volume this syringe cannot measure (over capacity, between marks)."""
        if volume > self.capacity:
            raise CompoundingError(
                f"a {dose} dose is {volume}, more than the {self.capacity} syringe holds; "
                "dispense a larger syringe or a stronger liquid.",
                field="concentration",
            )
        if not volume.is_whole_multiple_of(self.graduation):
            raise CompoundingError(
                f"a {dose} dose is {volume}, which falls between the {self.graduation} marks of "
                f"the syringe; choose a concentration that gives whole marks (e.g. 1 mg/mL) or a "
                "finer syringe.",
                field="concentration",
            )

    def __str__(self) -> str:
        return f"{self.capacity} oral syringe marked every {self.graduation}"
