"""Numbers of the core's summaries, formatted once for the pages (and for the tests that check
the pages against the core). Ratio measures are shown back-transformed (exp), as the core's
``summary()`` prints them; every formatted number keeps the anchor of its source.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.evidence.models import StoredTrial
from lowdose.evidence import OutcomeSummary, Provenance, Reported, sources
from lowdose.evidence.provenance import primary_links, provenance_of, record_provenance
from lowdose.meta.effects import RATIO_MEASURES
from lowdose.meta.model import MetaResult

__all__ = [
    "ADVERSE_EFFECTS",
    "HELD_OUT",
    "Pooled",
    "check_rows",
    "citation_keys",
    "fit_width",
    "fmt",
    "interval",
    "pooled",
    "record_rows",
    "review_rows",
    "source_rows",
]

#: Said of an approved clinician-added trial without a primary identifier (approved before one
#: was required): it is held out of every summary (:func:`apps.evidence.queries.stored_records`).
HELD_OUT = (
    "No primary source: no DOI, PubMed id or trial-registry id was given, so this trial is held "
    "out of every summary until the clinic admin adds one and a second person approves it again."
)

#: Specific adverse effects the published reviews pooled (shown on the patient page).
ADVERSE_EFFECTS = ("vivid_dreams", "headache", "dizziness", "nausea", "abdominal_pain")


def _shown(measure: str) -> Callable[[float], float]:
    """Back-transform for display: ``exp`` for ratio measures, identity otherwise."""
    if measure in RATIO_MEASURES:
        return math.exp
    return lambda x: x


def fmt(value: float | None, digits: int = 2) -> str:
    """Fixed precision with an ASCII minus, the way the tests read it back."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:.{digits}f}"
    return "0.00" if text == "-0.00" and digits == 2 else text


def interval(low: float | None, high: float | None, digits: int = 2) -> str:
    return f"{fmt(low, digits)} to {fmt(high, digits)}"


@dataclass(frozen=True)
class Pooled:
    """One pooled result on the display scale."""

    k: int
    measure: str
    estimate: str
    ci: str
    pi: str
    i2: str
    tau2: str
    q_p: str
    p: str
    studies: tuple[str, ...]
    #: what these studies cannot estimate and why (one study: τ², the Knapp–Hartung interval)
    not_estimable: tuple[str, ...] = ()


def pooled(res: MetaResult | None) -> Pooled | None:
    if res is None:
        return None
    f = _shown(res.measure)
    return Pooled(
        k=res.k,
        measure=res.measure,
        estimate=fmt(f(res.estimate)),
        ci=interval(f(res.ci_low), f(res.ci_high)),
        pi=interval(f(res.pi_low), f(res.pi_high)) if res.k > 1 else "—",
        i2=fmt(res.I2, 0) if res.k > 1 else "—",
        tau2=fmt(res.tau2, 3) if res.k > 1 else "—",
        q_p=fmt(res.Q_p, 3) if res.k > 1 else "—",
        p=fmt(res.p, 3),
        studies=tuple(res.study),
        not_estimable=res.not_estimable,
    )


def fit_width(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    """The core's spec sized to its container (a phone is narrower than the core's 420 px);
    only the layout changes, never the data or the marks."""
    if spec is None:
        return None
    return {**spec, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}}


def citation_keys() -> dict[str, str]:
    """Citation text → source key (comparator rows and placebo sources carry the text)."""
    return {s.citation: key for key, s in sources().items()}


def _reported(rep: Reported, prov: Provenance | None) -> dict[str, Any]:
    """A number as published, linked to its primary source (its shipped source's, else the
    record's own: a clinician's trial) with what that link opens, in words."""
    src = sources().get(rep.source)
    own = provenance_of(src) if src is not None else prov
    first = own.primary[0] if own and own.primary else None
    return {
        "rep": rep,
        "href": first.url if first else f"#src-{rep.source}",
        "words": first.words if first else "source",
    }


def record_rows(summary: OutcomeSummary) -> list[dict[str, Any]]:
    """Each pooled input on the display scale, linked to its primary source (DOI, PubMed,
    registry: shipped and clinician-added trials alike), with its citation anchor."""
    rows = []
    for rec in summary.records:
        se = math.sqrt(rec.vi)
        lo, hi = rec.yi - 1.959963984540054 * se, rec.yi + 1.959963984540054 * se
        f = _shown(summary.outcome.measure)
        prov = record_provenance(rec)
        source = rec.reported[0].source if rec.reported else ""
        rows.append(
            {
                "record": rec,
                "estimate": fmt(f(rec.yi)),
                "ci": interval(f(lo), f(hi)),
                "source": source,
                "href": (prov.primary_url if prov else None) or f"#src-{source}",
                "primary": prov.primary if prov else (),
                "reported": [_reported(rep, prov) for rep in rec.reported],
            }
        )
    return rows


def check_rows(summary: OutcomeSummary) -> list[dict[str, Any]]:
    """Each pooled trial with where to check it (primary links) and where it was read."""
    rows = []
    for rec in summary.records:
        prov = record_provenance(rec)
        src = sources().get(prov.source) if prov else None
        rows.append(
            {
                "label": rec.label,
                "origin": rec.origin,
                "primary": prov.primary if prov else (),
                "read_at": prov.read_at if prov else (),
                "note": src.note if src else "",
            }
        )
    return rows


def review_rows(summary: OutcomeSummary) -> list[dict[str, Any]]:
    rows = []
    for review, idx in summary.reviews:
        for i in idx:
            x = review.results[i]
            rows.append(
                {
                    "review": review,
                    "result": x,
                    "estimate": fmt(x.estimate),
                    "ci": interval(x.ci_low, x.ci_high) if x.ci_low is not None else "—",
                    "i2": fmt(x.I2, 0) if x.I2 is not None else "—",
                }
            )
    return rows


def source_rows(stored: list[StoredTrial]) -> list[dict[str, Any]]:
    """Every citation with its anchor, its primary links (DOI, PubMed, registry: where a number
    is checked) and the pages the numbers were read at (secondary provenance)."""
    rows = [
        {
            "key": key,
            "citation": s.citation,
            "primary": primary_links(s),
            "note": s.note,
            "read_at": s.read_at,
            "clinician": False,
        }
        for key, s in sources().items()
    ]
    for t in stored:
        prov = t.provenance()
        rows.append(
            {
                "key": t.source_key,
                "citation": t.citation,
                "primary": prov.primary if prov else (),
                "note": "" if prov else HELD_OUT,
                "read_at": (t.url,) if t.url else (),
                "clinician": True,
            }
        )
    return rows
