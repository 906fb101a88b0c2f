"""What a patient buys with LDN: responders over placebo, as a number needed to treat.

Only one LDN trial reports responders by arm: FINAL 2024 (Bruun et al., *Lancet Rheumatol*
2024;6:e31-e39, doi:10.1016/S2665-9913(23)00278-3, NCT04270877; naltrexone 6 mg, 12 weeks):
≥30 % less pain in 45 % on LDN and 28 % on placebo (not a powered outcome), counts 22/49 and
14/50 reconstructed from the rounded percentages (``effects.json``). The gain over placebo, not
the 45 %, is what treatment adds: :class:`lowdose.meta.number_needed.NumberNeededToTreat`.
"""

from __future__ import annotations

from lowdose.evidence.loader import raw, sources, trials
from lowdose.meta.number_needed import NumberNeededToTreat

__all__ = ["ldn_responder_benefit"]

_TRIAL, _OUTCOME = "final2024", "pain_responder_30"


def ldn_responder_benefit() -> NumberNeededToTreat | None:
    """LDN against placebo for ≥30 % pain relief (FINAL 2024), or ``None`` if the evidence base
    has no responder counts by arm."""
    for rec in raw("effects")["records"]:
        if rec["trial"] != _TRIAL or rec["outcome"] != _OUTCOME:
            continue
        d = rec["derivation"]
        if d.get("kind") != "counts":
            return None
        source = sources()[trials()[_TRIAL].source]
        doi = f", doi:{source.doi}" if source.doi else ""
        return NumberNeededToTreat(
            drug_responders=d["ai"],
            drug_total=d["n1i"],
            placebo_responders=d["ci"],
            placebo_total=d["n2i"],
            outcome="at least 30% less pain after 12 weeks (naltrexone 6 mg)",
            source=f"{source.citation.rstrip('.')}{doi}",
            note="one trial, not powered for this outcome; counts reconstructed from the "
            "published rounded percentages (45% and 28%)",
        )
    return None
