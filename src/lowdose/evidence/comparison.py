r"""LDN beside the comparator drugs: responders, NNT, withdrawals for adverse events, NNH.

The comparator rows are the published values (``comparators.json``). The LDN row is derived
from the only LDN trial reporting responders and adverse-event withdrawals by arm (FINAL
2024): the number needed to treat is :math:`1/\mathrm{RD}` with the risk difference from the
2×2 counts and a Wald 95% CI (metafor ``escalc(measure="RD")``). When that CI includes zero
the NNT has no finite CI (Altman, *BMJ* 1998;317:1309) and ``nnt_ci`` is ``None`` with a note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lowdose.evidence.loader import comparators, raw, sources, trials
from lowdose.meta.effects import escalc
from lowdose.serial import Plain

__all__ = ["ComparisonRow", "comparison_table"]

_Z95 = 1.959963984540054  # standard normal 97.5% quantile


@dataclass(frozen=True)
class ComparisonRow(Plain):
    """One drug (and dose) with its placebo-controlled results; percentages drug vs placebo."""

    drug: str
    dose: str
    responder_30: tuple[float | None, float | None]
    responder_50: tuple[float | None, float | None]
    nnt: float | None
    nnt_ci: tuple[float, float] | None
    nnt_outcome: str
    ae_withdrawal: tuple[float | None, float | None]
    nnh: float | None
    nnh_ci: tuple[float, float] | None
    nnh_outcome: str
    source: str
    note: str = ""


def _counts(trial: str, outcome: str) -> dict[str, Any] | None:
    for rec in raw("effects")["records"]:
        if rec["trial"] == trial and rec["outcome"] == outcome:
            d: dict[str, Any] = rec["derivation"]
            return d if d["kind"] == "counts" else None
    return None


def _number_needed(
    d: dict[str, Any],
) -> tuple[float, tuple[float, float] | None, str]:
    es = escalc("RD", ai=[d["ai"]], n1i=[d["n1i"]], ci=[d["ci"]], n2i=[d["n2i"]])
    rd, se = es.yi[0], math.sqrt(es.vi[0])
    lo, hi = rd - _Z95 * se, rd + _Z95 * se
    value = 1 / abs(rd)
    how = (
        f"[derived] 1/RD, RD = {d['ai']}/{d['n1i']} - {d['ci']}/{d['n2i']} = {rd:.3f} "
        f"(95% CI {lo:.3f} to {hi:.3f})"
    )
    if lo <= 0 <= hi:
        return value, None, how + "; the CI of RD includes 0, so the NNT/NNH has no finite CI"
    ci = (1 / hi, 1 / lo) if rd > 0 else (1 / abs(lo), 1 / abs(hi))
    return value, (min(ci), max(ci)), how


def _pct(x: Any) -> tuple[float | None, float | None]:
    if x is None:
        return (None, None)
    return (x.drug_pct, x.placebo_pct)


def comparison_table() -> tuple[ComparisonRow, ...]:
    """LDN (derived from FINAL 2024) followed by every comparator drug and dose."""
    cites = sources()
    final = trials()["final2024"]
    resp = _counts("final2024", "pain_responder_30")
    wd = _counts("final2024", "ae_withdrawal")
    rows = []
    if resp is not None and wd is not None:
        nnt, nnt_ci, nnt_how = _number_needed(resp)
        nnh, nnh_ci, nnh_how = _number_needed(wd)
        rows.append(
            ComparisonRow(
                drug="low-dose naltrexone",
                dose="6 mg (FINAL 2024)",
                responder_30=(45.0, 28.0),
                responder_50=(None, None),
                nnt=nnt,
                nnt_ci=nnt_ci,
                nnt_outcome=">=30% pain relief, one trial (not powered for it); " + nnt_how,
                ae_withdrawal=(
                    round(100 * wd["ai"] / wd["n1i"], 1),
                    round(100 * wd["ci"] / wd["n2i"], 1),
                ),
                nnh=nnh,
                nnh_ci=nnh_ci,
                nnh_outcome="withdrawal for adverse events; " + nnh_how,
                source=cites[final.source].citation,
                note="single trial; responder counts reconstructed from rounded percentages",
            )
        )
    for c in comparators():
        nnh_source = c.nnh.source if c.nnh is not None and c.nnh.source else c.source
        rows.append(
            ComparisonRow(
                drug=c.drug,
                dose=c.dose,
                responder_30=_pct(c.responder_30),
                responder_50=_pct(c.responder_50),
                nnt=c.nnt.value if c.nnt else None,
                nnt_ci=c.nnt.ci if c.nnt else None,
                nnt_outcome=c.nnt.outcome if c.nnt else "",
                ae_withdrawal=_pct(c.ae_withdrawal),
                nnh=c.nnh.value if c.nnh else None,
                nnh_ci=c.nnh.ci if c.nnh else None,
                nnh_outcome=c.nnh.outcome if c.nnh else "",
                source="; ".join(
                    dict.fromkeys([cites[c.source].citation, cites[nnh_source].citation])
                ),
            )
        )
    return tuple(rows)
