"""Conditions the screen asks about, their aliases and findings.

Sources (texts in :data:`lowdose.safety.findings.RULE_SOURCES`): the naltrexone tablet label
(DrugCentral view), Contraindications — current opioid dependence, acute opioid withdrawal,
hypersensitivity; oral-tablet labels — acute hepatitis and liver failure (MPR, ASHP); exposure
in hepatic impairment about 5-fold (compensated cirrhosis) and 10-fold (decompensated: ASHP
monograph; Swiss Fachinformation 56109); pregnancy (ReVia label); breastfeeding (LactMed).

Decompensated cirrhosis is chronic liver failure, the label's category, so it maps to
``liver-failure`` (contraindicated); compensated cirrhosis is a caution.
"""

from __future__ import annotations

from dataclasses import dataclass

from lowdose.errors import InputError
from lowdose.safety.findings import FindingSeverity

__all__ = [
    "CONDITIONS",
    "CONDITION_ALIASES",
    "ConditionRule",
    "condition_rule",
    "normalise_condition",
]


@dataclass(frozen=True, slots=True)
class ConditionRule:
    """The finding a condition raises and the ids of its sources."""

    severity: FindingSeverity
    message: str
    source_ids: tuple[str, ...]


_RULES: dict[str, ConditionRule] = {
    "opioid-dependence": ConditionRule(
        "contraindicated",
        "Current opioid dependence (including maintenance treatment) is a contraindication on "
        "the naltrexone label: naltrexone would precipitate withdrawal. Do not prescribe; refer "
        "to the team treating the opioid use disorder.",
        ("label-contraindications",),
    ),
    "acute-opioid-withdrawal": ConditionRule(
        "contraindicated",
        "Acute opioid withdrawal is a contraindication on the naltrexone label. Do not "
        "prescribe; reassess once withdrawal is over and the opioid-free interval is complete.",
        ("label-contraindications",),
    ),
    "naltrexone-hypersensitivity": ConditionRule(
        "contraindicated",
        "Hypersensitivity to naltrexone is a contraindication on the naltrexone label. Do not "
        "prescribe.",
        ("label-contraindications",),
    ),
    "acute-hepatitis": ConditionRule(
        "contraindicated",
        "Acute hepatitis is a contraindication on the naltrexone tablet label: do not prescribe.",
        ("label-hepatic",),
    ),
    "liver-failure": ConditionRule(
        "contraindicated",
        "Liver failure (including decompensated cirrhosis, which raises naltrexone exposure "
        "about 10-fold) is a contraindication on the naltrexone tablet label: do not prescribe.",
        ("label-hepatic", "pk-hepatic"),
    ),
    "cirrhosis": ConditionRule(
        "caution",
        "Compensated cirrhosis raises naltrexone exposure about 5-fold (about 10-fold once "
        "decompensated, which is a contraindication): consider the lowest starting dose, slow "
        "titration and liver tests, and record the reason for prescribing.",
        ("pk-hepatic", "label-hepatic"),
    ),
    "pregnancy": ConditionRule(
        "caution",
        "Pregnancy: animal studies showed early fetal loss at high doses and there are no adequate "
        "human studies; discuss risks and benefits and record the reason for prescribing.",
        ("label-pregnancy",),
    ),
    "breastfeeding": ConditionRule(
        "caution",
        "Breastfeeding: naltrexone is minimally excreted into milk and LactMed does not consider "
        "it a reason to stop breastfeeding; monitor the infant and record the reason.",
        ("lactmed",),
    ),
}
#: Accepted condition names (underscores and spaces accepted in place of hyphens).
CONDITIONS: tuple[str, ...] = tuple(_RULES)
#: Other names accepted for a condition (normalised with hyphens).
CONDITION_ALIASES: dict[str, str] = {
    "opioid-use-disorder": "opioid-dependence",
    "oud": "opioid-dependence",
    "opioid-addiction": "opioid-dependence",
    "opioid-dependency": "opioid-dependence",
    "opioid-withdrawal": "acute-opioid-withdrawal",
    "naltrexone-allergy": "naltrexone-hypersensitivity",
    "allergy-to-naltrexone": "naltrexone-hypersensitivity",
    "hepatitis": "acute-hepatitis",
    "hepatic-failure": "liver-failure",
    "acute-liver-failure": "liver-failure",
    "decompensated-cirrhosis": "liver-failure",
    "end-stage-liver-disease": "liver-failure",
    "compensated-cirrhosis": "cirrhosis",
    "pregnant": "pregnancy",
    "breast-feeding": "breastfeeding",
    "lactation": "breastfeeding",
    "lactating": "breastfeeding",
}


def normalise_condition(name: str) -> str:
    """Return the canonical condition name or raise :class:`InputError` (``field="condition"``).

    >>> normalise_condition("Decompensated cirrhosis")
    'liver-failure'
    """
    key = "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
    key = CONDITION_ALIASES.get(key, key)
    if key not in _RULES:
        raise InputError(
            f"unknown condition {name!r}; use one of {', '.join(CONDITIONS)} "
            "(underscores and spaces are accepted too).",
            field="condition",
        )
    return key


def condition_rule(name: str) -> ConditionRule:
    """The rule of a canonical condition name."""
    return _RULES[name]
