"""Statuses and findings of a safety screen, and the source texts the rules cite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lowdose.serial import Plain

__all__ = [
    "RANK",
    "RULE_SOURCES",
    "Finding",
    "FindingSeverity",
    "Status",
    "status_of",
]

#: ``contraindicated`` (hard stop), ``review`` (a person must settle something the system
#: could not identify or confirm), ``caution`` (needs a recorded reason), ``ok`` (every entry
#: was identified and nothing was found).
Status = Literal["contraindicated", "review", "caution", "ok"]
FindingSeverity = Literal["contraindicated", "review", "caution", "info"]
#: Severity rank; the status is the worst finding.
RANK: dict[str, int] = {"info": 0, "caution": 1, "review": 2, "contraindicated": 3}
_STATUS_BY_RANK: dict[int, Status] = {0: "ok", 1: "caution", 2: "review", 3: "contraindicated"}


def status_of(severities: list[str] | tuple[str, ...]) -> Status:
    """The status for a set of finding severities (the worst; ``ok`` if only info)."""
    return _STATUS_BY_RANK[max((RANK[s] for s in severities), default=0)]


@dataclass(frozen=True, slots=True)
class Finding(Plain):
    """One screening finding.

    Attributes
    ----------
    code : str
        Stable identifier (``opioid-current``, ``medication-not-identified``…).
    severity : {"contraindicated", "review", "caution", "info"}
    message : str
        What was found and what to do, in words for people.
    matched : str
        What was recognised and how (``"'Norco10/325' → norco (product: hydrocodone +
        paracetamol)"``), or the condition name.
    source : str
        The basis (label section, monograph).
    ingredient : str or None
        The catalogue ingredient, when the finding is about one.
    entry : str or None
        The medication text the finding came from (current or stopped), as typed.
    resolvable : bool
        True for a ``review`` finding that a recorded :class:`~lowdose.safety.Resolution`
        can settle.
    """

    code: str
    severity: FindingSeverity
    message: str
    matched: str
    source: str
    ingredient: str | None = None
    entry: str | None = None
    resolvable: bool = False


#: Source texts cited by the rules themselves (the catalogue cites its own entries).
RULE_SOURCES: dict[str, str] = {
    "label-contraindications": (
        "Naltrexone hydrochloride tablets, US prescribing information, Contraindications: "
        "patients receiving opioid analgesics; current physiologic opioid dependence, including "
        "maintenance on methadone or partial agonists (buprenorphine); acute opioid withdrawal; "
        "failed naloxone challenge or positive urine opioid screen; hypersensitivity to "
        "naltrexone (DrugCentral label view, "
        "https://drugcentral.org/label/adb7c4dc-221a-4d91-9687-0d78913a92ad/view)."
    ),
    "label-interactions": (
        "Naltrexone (Vivitrol) US label section 7, Drug interactions: naltrexone antagonises "
        "opioid-containing cough and cold remedies, antidiarrhoeal preparations and opioid "
        "analgesics; thioridazine: lethargy and somnolence reported; disulfiram: two potentially "
        "hepatotoxic drugs, combination not recommended (openFDA drug label API; MPR naltrexone "
        "monograph, https://www.renalandurologynews.com/drug/naltrexone/)."
    ),
    "label-opioid-free-interval": (
        "Naltrexone dosage (label): patients must be opioid-free for a minimum of 7-10 days "
        "before starting (Drugs.com dosage, http://www.drugs.com/dosage/naltrexone.html; MPR "
        "monograph)."
    ),
    "label-switching": (
        "Vivitrol US label section 2.3: patients transitioning from buprenorphine or methadone "
        "may be vulnerable to precipitated withdrawal for as long as 2 weeks (openFDA label "
        "'recent major changes'; wording reproduced from Drugs.com)."
    ),
    "sublocade-label": (
        "Sublocade (buprenorphine extended-release injection) US prescribing information "
        "(Indivior; DailyMed): monthly dosing (at least 26 days between doses); after the last "
        "injection buprenorphine can remain in plasma for 12 months or longer, so patients who "
        "stop need monitoring for months [wording to be checked against the current DailyMed "
        "label; consistent secondary summary: bicyclehealth.com, 'detectable for up to a year']."
    ),
    "loperamide-inference": (
        "No source read names loperamide or eluxadoline. They are peripherally acting "
        "opioid-receptor agonist antidiarrhoeals; flagging them rests on the naltrexone label's "
        "'antidiarrhoeal preparations' wording (an inference, UNVERIFIED). Flagged as a caution "
        "for the clinician, not a hard stop."
    ),
    "duplicate-naltrexone": (
        "Products already containing naltrexone: Contrave/Mysimba (naltrexone 8 mg + bupropion "
        "90 mg per extended-release tablet), Vivitrol (naltrexone 380 mg depot), ReVia and "
        "generic 50 mg tablets (US/EU labels). A second naltrexone prescription duplicates "
        "therapy."
    ),
    "lybalvi-label": (
        "Lybalvi (olanzapine and samidorphan) US prescribing information, Contraindications: "
        "patients using opioids; patients undergoing acute opioid withdrawal (samidorphan is an "
        "opioid antagonist)."
    ),
    "pamora": (
        "Peripherally acting mu-opioid receptor antagonists (naloxegol/Movantik, "
        "methylnaltrexone/Relistor, naldemedine/Symproic, alvimopan/Entereg): US labels indicate "
        "them for opioid-induced constipation (alvimopan: postoperative ileus, short-term), so "
        "their presence suggests current opioid use."
    ),
    "nalmefene": (
        "Nalmefene: opioid antagonist (Selincro tablets, EU, alcohol dependence; Zurnai/Opvee "
        "injection and nasal spray, US, opioid overdose reversal)."
    ),
    "naloxone-kit": (
        "Naloxone rescue kits (Narcan, Kloxxado, Nyxoid, Prenoxad) are supplied to people who "
        "use opioids or are at risk of opioid overdose, and to those around them."
    ),
    "label-hepatic": (
        "Naltrexone hydrochloride oral tablet labels: acute hepatitis and liver failure are "
        "contraindications; dose-related hepatocellular injury possible (MPR/Renal & Urology "
        "News monograph; ASHP monograph, http://www.drugs.com/ppa/naltrexone-hydrochloride.html)."
        " The Vivitrol label removed this contraindication in 7/2013; lowdose follows the "
        "oral-tablet label."
    ),
    "pk-hepatic": (
        "Hepatic impairment: naltrexone AUC about 5-fold (compensated cirrhosis) and about "
        "10-fold (decompensated) that of healthy subjects (ASHP monograph; Swiss Fachinformation "
        "reg. 56109, 'kinetic' chapter, "
        "https://ch.oddb.org/fr/gcc/fachinfo/reg/56109/chapter/kinetic)."
    ),
    "label-pregnancy": (
        "Naltrexone (ReVia) label, pregnancy: early fetal loss in rats (>=30 mg/kg/day) and "
        "rabbits (>=60 mg/kg/day); no adequate human studies; former FDA category C (label text "
        "reproduced by motherfigure.com; MPR)."
    ),
    "lactmed": (
        "LactMed (via Drugs.com, Apr 2024, https://www.drugs.com/breastfeeding/naltrexone.html): "
        "naltrexone minimally excreted into milk, not a reason to stop breastfeeding; Chan CF et "
        "al. 2004 case report (infant dose about 0.86% of the maternal weight-adjusted dose)."
    ),
    "surgery": (
        "LDN Research Trust pharmacists: stop at least 2 days (S. Dickson) or 3 days (M. Moser) "
        "before surgery because anaesthetics often contain opioids "
        "(https://ldnresearchtrust.org/when-do-i-stop-low-dose-naltrexone-ldn-prior-surgery); "
        "Whately Y, Stead M. Australasian Anaesthesia 2023, doi:10.60115/11055/1180: oral "
        "naltrexone stopped 3 days before; emergencies need higher opioid doses and extra "
        "monitoring."
    ),
    "fail-closed": (
        "lowdose safety rule (PRODUCT.md, 'Safety first, failing closed'): anything the screen "
        "cannot identify with confidence blocks until a person resolves it."
    ),
}
