"""Load the shipped evidence files (``data/*.json``) into frozen records.

Effect sizes are *derived here, in code*, from the numbers as published, so that every
derivation is executable and its wording (``EffectRecord.how``) comes from the function that
did it. Derivation kinds:

``published_smd``
    a published Cohen's d with group sizes: :math:`v = 1/n_1 + 1/n_2 + d^2/(2(n_1+n_2))`
    (the large-sample variance metafor uses for the SMD).
``paired_p``
    a crossover trial's P value → raw-score SMD with the assumed within-person correlation
    (:func:`lowdose.meta.conversions.smd_from_p_paired`).
``ci`` / ``p_value``
    an estimate with its CI or P value → SE (Cochrane Handbook 6.5.2); ``log_scale`` for a
    ratio given as the ratio itself.
``counts``
    2×2 counts → log risk ratio (metafor ``escalc(measure="RR")``).
``published_yi_vi``
    the effect size and variance on the pooling scale as published (a clinician's added trial).
``not_poolable``
    the outcome was measured but nothing poolable was reported.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import astuple
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from lowdose.errors import EvidenceDataError, EvidenceInputError
from lowdose.evidence.records import (
    Comparator,
    ComparatorResult,
    EffectRecord,
    NotPoolable,
    Outcome,
    Reported,
    Review,
    ReviewResult,
    Source,
    Trial,
)
from lowdose.meta.conversions import Derived, se_from_ci, se_from_p, smd_from_p_paired
from lowdose.meta.effects import escalc

__all__ = [
    "DEFAULT_R",
    "comparators",
    "derive",
    "effect_records",
    "outcomes",
    "placebo_data",
    "raw",
    "reviews",
    "sources",
    "trials",
]


@cache
def raw(name: str) -> Any:
    """Parsed contents of ``data/<name>.json``."""
    try:
        text = (
            resources.files("lowdose.evidence")
            .joinpath("data", f"{name}.json")
            .read_text(encoding="utf-8")
        )
    except FileNotFoundError:
        raise EvidenceDataError(
            f"evidence file data/{name}.json is missing; reinstall lowdose."
        ) from None
    return json.loads(text)


def _assumed_r() -> float:
    return float(raw("effects")["assumptions"]["within_person_r"]["value"])


#: Within-person correlation assumed for crossover trials (see effects.json "assumptions").
DEFAULT_R: float = _assumed_r()


@cache
def sources() -> dict[str, Source]:
    """Citation key → :class:`Source`."""
    out = {}
    for key, s in raw("sources").items():
        if key.startswith("_"):
            continue
        out[key] = Source(
            key=key,
            citation=s["citation"],
            read_at=tuple(s.get("read_at", ())),
            doi=s.get("doi"),
            registry=s.get("registry"),
            pmid=s.get("pmid"),
            pmcid=s.get("pmcid"),
            other_registries=tuple(s.get("other_registries", ())),
            note=s.get("note", ""),
        )
    return out


def _doses(text: str | None) -> tuple[Decimal, ...]:
    if not text:
        return ()
    return tuple(Decimal(part) for part in text.split("-"))


@cache
def trials() -> dict[str, Trial]:
    """Trial id → :class:`Trial` (every study in the evidence reference, flagged by kind)."""
    known = sources()
    out = {}
    for t in raw("trials")["trials"]:
        if t["source"] not in known:
            raise EvidenceDataError(f"trial {t['id']}: unknown source {t['source']!r}.")
        out[t["id"]] = Trial(
            id=t["id"],
            label=t["label"],
            year=t["year"],
            source=t["source"],
            kind=t["kind"],
            design=t["design"],
            randomised=bool(t["randomised"]),
            blinding=t["blinding"],
            n=t["n"],
            n_note=t.get("n_note", ""),
            dose_mg=_doses(t.get("dose_mg")),
            dose_note=t.get("dose_note", ""),
            duration=t.get("duration", ""),
            primary_outcome=t.get("primary_outcome", ""),
            flags=tuple(t.get("flags", ())),
            findings=tuple(t.get("findings", ())),
            registry=t.get("registry"),
        )
    return out


@cache
def outcomes() -> dict[str, Outcome]:
    """Outcome key → :class:`Outcome`."""
    return {
        key: Outcome(
            key=key,
            label=o["label"],
            measure=o["measure"],
            scale=o["scale"],
            primary=bool(o.get("primary", False)),
            harm=bool(o.get("harm", False)),
            higher_is_better=bool(o.get("higher_is_better", False)),
        )
        for key, o in raw("effects")["outcomes"].items()
    }


def derive(derivation: Mapping[str, Any], *, label: str, r: float = DEFAULT_R) -> Derived:
    """The effect size, its variance and the derivation in words, from the numbers as published.

    ``derivation["kind"]`` is one of the kinds in the module docstring; the rest of the mapping
    holds that kind's numbers. Both the shipped files and a clinician's added trial (web layer)
    come through here, so a number is derived one way whoever entered it. ``label`` names the
    trial in an error; ``r`` is the within-person correlation for ``paired_p``.
    """
    d = derivation
    kind = d["kind"]
    if kind == "published_yi_vi":
        return Derived(d["yi"], d["vi"], d["how"])
    if kind == "published_smd":
        n1, n2 = d["n1"], d["n2"]
        y = d["direction"] * d["d"]
        v = 1 / n1 + 1 / n2 + y**2 / (2 * (n1 + n2))
        how = (
            f"published Cohen's d = {d['d']} (sign: {'-' if d['direction'] < 0 else '+'}); "
            f"v = 1/{n1} + 1/{n2} + d^2/(2 x {n1 + n2}) (large-sample SMD variance)"
        )
        return Derived(y, v, how)
    if kind == "paired_p":
        return smd_from_p_paired(d["p"], d["n"], r=r, direction=d["direction"])
    if kind == "ci":
        return se_from_ci(
            d["estimate"],
            d["lower"],
            d["upper"],
            level=d.get("level", 0.95),
            log_scale=bool(d.get("log_scale", False)),
        )
    if kind == "p_value":
        return se_from_p(d["estimate"], d["p"])
    if kind == "counts":
        es = escalc("RR", ai=[d["ai"]], n1i=[d["n1i"]], ci=[d["ci"]], n2i=[d["n2i"]])
        how = (
            f"log RR from {d['ai']}/{d['n1i']} vs {d['ci']}/{d['n2i']} (metafor escalc measure RR)"
        )
        if "counts_how" in d:
            how += f"; counts: {d['counts_how']}"
        return Derived(float(es.yi[0]), float(es.vi[0]), how)
    raise EvidenceDataError(f"{label}: unknown derivation kind {kind!r} in effects.json.")


def effect_records(
    r: float | None = None,
) -> tuple[tuple[EffectRecord, ...], tuple[NotPoolable, ...]]:
    """All shipped effect records (derived with within-person correlation ``r``) and the
    outcomes that were measured but could not be pooled."""
    r = DEFAULT_R if r is None else r
    if not -1 < r < 1:
        raise EvidenceInputError(f"within-person r must be in (-1, 1), got {r}.", field="r")
    known_trials, known_outcomes, known_sources = trials(), outcomes(), sources()
    pooled: list[EffectRecord] = []
    skipped: list[NotPoolable] = []
    for rec in raw("effects")["records"]:
        trial = known_trials.get(rec["trial"])
        if trial is None or rec["outcome"] not in known_outcomes:
            raise EvidenceDataError(f"effects.json: unknown trial/outcome in {rec!r:.80}.")
        reported = tuple(Reported(**x) for x in rec["reported"])
        for x in reported:
            if x.source not in known_sources:
                raise EvidenceDataError(f"{trial.label}: unknown source {x.source!r}.")
        if rec["derivation"]["kind"] == "not_poolable":
            skipped.append(
                NotPoolable(
                    trial.id, trial.label, rec["outcome"], rec["derivation"]["reason"], reported
                )
            )
            continue
        yi, vi, how = astuple(derive(rec["derivation"], label=trial.label, r=r))
        if not (math.isfinite(yi) and vi > 0):
            raise EvidenceDataError(f"{trial.label}: derivation gave yi={yi}, vi={vi}.")
        pooled.append(
            EffectRecord(
                trial_id=trial.id,
                label=trial.label,
                year=trial.year,
                outcome=rec["outcome"],
                measure=known_outcomes[rec["outcome"]].measure,
                yi=yi,
                vi=vi,
                how=how,
                randomised=trial.randomised,
                n=trial.n,
                reported=reported,
                caveats=tuple(rec.get("caveats", ())),
                kind=trial.kind,
            )
        )
    return tuple(pooled), tuple(skipped)


@cache
def reviews() -> tuple[Review, ...]:
    """Published reviews with their pooled results."""
    return tuple(
        Review(
            source=rv["source"],
            label=rv["label"],
            year=rv["year"],
            trials=rv["trials"],
            model=rv["model"],
            results=tuple(
                ReviewResult(
                    outcome=x["outcome"],
                    measure=x.get("measure"),
                    estimate=x.get("estimate"),
                    ci_low=x.get("ci_low"),
                    ci_high=x.get("ci_high"),
                    I2=x.get("I2"),
                    note=x.get("note", ""),
                )
                for x in rv["results"]
            ),
        )
        for rv in raw("reviews")["reviews"]
    )


def _cr(d: dict[str, Any] | None) -> ComparatorResult | None:
    if d is None:
        return None
    return ComparatorResult(
        drug_pct=d.get("drug_pct"),
        placebo_pct=d.get("placebo_pct"),
        rr=d.get("rr"),
        rr_ci=tuple(d["rr_ci"]) if d.get("rr_ci") else None,
        value=d.get("value"),
        ci=tuple(d["ci"]) if d.get("ci") else None,
        studies=d.get("studies"),
        patients=d.get("patients"),
        outcome=d.get("outcome", ""),
        note=d.get("note", ""),
        source=d.get("source"),
    )


@cache
def comparators() -> tuple[Comparator, ...]:
    """Comparator drugs (placebo-controlled results in fibromyalgia)."""
    return tuple(
        Comparator(
            drug=c["drug"],
            dose=c["dose"],
            source=c["source"],
            responder_30=_cr(c.get("responder_30")),
            responder_50=_cr(c.get("responder_50")),
            nnt=_cr(c.get("nnt")),
            ae_withdrawal=_cr(c.get("ae_withdrawal")),
            nnh=_cr(c.get("nnh")),
        )
        for c in raw("comparators")["drugs"]
    )


def placebo_data() -> dict[str, Any]:
    """The parsed placebo-response file (see :mod:`lowdose.evidence.placebo`)."""
    data: dict[str, Any] = raw("placebo")
    return data
