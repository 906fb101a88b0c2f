"""Clinician-added trials ↔ the core's record types.

Input (from the API or the admin) is validated by building :class:`lowdose.evidence.EffectRecord`
objects and running them through :func:`lowdose.evidence.summarize`, which checks the outcome
and its measure; any problem raises :class:`lowdose.evidence.EvidenceInputError` (a
:class:`lowdose.errors.InputError` naming the field) before anything is written. Stored rows go
back to the core the same way (:func:`effect_record`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from typing import Any

from django.utils import timezone

from apps.evidence.models import KINDS, RANDOMISED_KINDS, Review, StoredEffect, StoredTrial
from lowdose.errors import InputError
from lowdose.evidence import (
    EffectRecord,
    EvidenceInputError,
    Provenance,
    Reported,
    added_provenance,
    outcomes,
    summarize,
    trials,
)
from lowdose.evidence.loader import derive
from lowdose.evidence.provenance import PUBMED_KINDS, REGISTRY_KINDS, check_identifier
from lowdose.meta.effects import RATIO_MEASURES

__all__ = [
    "CLINICIAN_CAVEAT",
    "IDENTIFIER_FIELDS",
    "TrialInput",
    "check_identifiers",
    "effect_record",
    "validate_trial",
]

CLINICIAN_CAVEAT = "added by a clinician; not part of the curated evidence base"


@dataclass(frozen=True)
class TrialInput:
    """A validated trial and its effects, ready to store (``effects`` are core records)."""

    trial_id: str
    label: str
    year: int
    kind: str
    n: int | None
    dose: str
    citation: str
    doi: str
    pmid: str
    registry_id: str
    url: str
    effects: tuple[EffectRecord, ...]
    derived: tuple[bool, ...]


def _text(data: Mapping[str, Any], key: str, *, required: bool = True, limit: int = 400) -> str:
    value = data.get(key)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise EvidenceInputError(f"'{key}' is required.", field=key)
    if len(text) > limit:
        raise EvidenceInputError(f"'{key}' is longer than {limit} characters.", field=key)
    return text


def _number(data: Mapping[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EvidenceInputError(
            f"{where}: '{key}' must be a number (got {value!r}).", field=key
        ) from None
    if not math.isfinite(number):
        raise EvidenceInputError(f"{where}: '{key}' must be a finite number.", field=key)
    return number


#: The primary identifiers a clinician gives (at least one), and the kinds each box takes.
IDENTIFIER_FIELDS: dict[str, tuple[str, ...]] = {
    "doi": ("doi",),
    "pmid": PUBMED_KINDS,
    "registry_id": REGISTRY_KINDS,
}


def check_identifiers(data: Mapping[str, Any]) -> dict[str, str]:
    """The trial's DOI, PubMed id and registry id, each checked for its form (blank ones kept
    blank); an input error naming the field unless at least one is given and all are valid."""
    found = {}
    for key, kinds in IDENTIFIER_FIELDS.items():
        text = _text(data, key, required=False, limit=200 if key == "doi" else 40)
        found[key] = check_identifier(text, kinds, key) if text else ""
    if not any(found.values()):
        raise EvidenceInputError(
            "give at least one of 'doi', 'pmid' or 'registry_id' (a DOI, a PubMed id, or a "
            "trial-registry id such as NCT04270877), so every number links to its primary "
            "source; a 'url' alone is not enough.",
            field="doi",
        )
    return found


def _taken(trial_id: str) -> str | None:
    """Why ``trial_id`` cannot be used for a new trial, or None when it is free."""
    if trial_id in trials():
        return (
            f"trial_id {trial_id!r} is already in the evidence base (a shipped trial); choose "
            "another id."
        )
    stored = StoredTrial.objects.filter(trial_id=trial_id).first()
    if stored is None:
        return None
    if stored.review == Review.REJECTED:
        when = f" on {stored.reviewed_at:%Y-%m-%d}" if stored.reviewed_at else ""
        return (
            f"trial_id {trial_id!r} was rejected{when} (the reason is on the review page); to "
            f"submit a corrected version, add it under a new id such as '{trial_id}-2', or ask "
            "the clinic admin to correct the rejected one (a corrected trial goes back for "
            "review)."
        )
    if stored.review == Review.DRAFT:
        return (
            f"trial_id {trial_id!r} is already waiting for review (added "
            f"{stored.added_at:%Y-%m-%d}); choose another id for another trial."
        )
    return f"trial_id {trial_id!r} is already in the evidence base; choose another id."


def _effect(
    raw: Mapping[str, Any], i: int, trial: Mapping[str, Any], prov: Provenance
) -> tuple[EffectRecord, bool]:
    where = f"effects[{i}]"
    known = outcomes()
    outcome = _text(raw, "outcome", limit=40)
    if outcome not in known:
        raise EvidenceInputError(
            f"{where}: unknown outcome {outcome!r}; use one of {', '.join(known)}.",
            field="outcome",
        )
    measure = known[outcome].measure
    given = str(raw.get("measure") or measure)
    if given != measure:
        raise EvidenceInputError(
            f"{where}: {outcome} is pooled as {measure}, not {given}; convert the number first.",
            field="measure",
        )
    yi, vi = _number(raw, "yi", where), _number(raw, "vi", where)
    est = _number(raw, "estimate", where)
    lo, hi = _number(raw, "ci_low", where), _number(raw, "ci_high", where)
    how = _text(raw, "how", required=False, limit=1000)
    if yi is not None and vi is not None and est is None and lo is None and hi is None:
        derived = bool(raw.get("derived", False))
        if derived and not how:
            raise EvidenceInputError(
                f"{where}: a derived number must say how it was derived ('how').", field="how"
            )
        how = how or "yi and vi as published"
        derivation: dict[str, Any] = {"kind": "published_yi_vi", "yi": yi, "vi": vi, "how": how}
    elif est is not None and lo is not None and hi is not None and yi is None and vi is None:
        derived = True
        log_scale = measure in RATIO_MEASURES
        derivation = {
            "kind": "ci",
            "estimate": est,
            "lower": lo,
            "upper": hi,
            "log_scale": log_scale,
        }
    else:
        raise EvidenceInputError(
            f"{where}: give either 'yi' and 'vi' (the pooling scale, log for ratios), or "
            "'estimate', 'ci_low' and 'ci_high' as published (95% CI) - not both, not parts.",
            field="yi",
        )
    try:  # derived by the core, the same way as the shipped evidence
        yi, vi, how_derived = astuple(derive(derivation, label=where))
    except InputError as exc:
        raise EvidenceInputError(f"{where}: {exc}", field=exc.field or "ci_low") from None
    if derivation["kind"] == "ci":
        how = f"[derived] {how_derived}" + (f"; {how}" if how else "")
    else:
        how = how_derived
    record = EffectRecord(
        trial_id=str(trial["trial_id"]),
        label=str(trial["label"]),
        year=int(trial["year"]),
        outcome=outcome,
        measure=measure,
        yi=yi,
        vi=vi,
        how=how,
        randomised=trial["kind"] in RANDOMISED_KINDS,
        n=trial.get("n"),
        reported=(
            Reported(
                what=_text(raw, "reported_what", limit=200),
                value=_text(raw, "reported_value", limit=200),
                source=prov.source,
                url=prov.read_at[0] if prov.read_at else None,
            ),
        ),
        caveats=(CLINICIAN_CAVEAT,),
        origin="clinician",
        kind=str(trial["kind"]),
        provenance=prov,
    )
    return record, derived


def validate_trial(data: Mapping[str, Any], effects: Sequence[Mapping[str, Any]]) -> TrialInput:
    """Check a trial and its effects with the core; raise ``EvidenceInputError`` if unusable."""
    trial_id = _text(data, "trial_id", limit=60).lower()
    if not trial_id.replace("_", "").replace("-", "").isalnum():
        raise EvidenceInputError(
            "'trial_id' may contain only letters, digits, '-' and '_' (e.g. 'smith2027').",
            field="trial_id",
        )
    taken = _taken(trial_id)
    if taken:
        raise EvidenceInputError(taken, field="trial_id")
    label = _text(data, "label", limit=80)
    try:
        year = int(data.get("year"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EvidenceInputError(
            "'year' must be a whole number, e.g. 2027.", field="year"
        ) from None
    if not 1950 <= year <= timezone.localdate().year + 1:  # the clinic's today
        raise EvidenceInputError(
            f"'year' {year} is not a plausible publication year.", field="year"
        )
    kind = _text(data, "kind", limit=32)
    if kind not in dict(KINDS):
        raise EvidenceInputError(
            f"'kind' must be one of {', '.join(k for k, _ in KINDS)} (got {kind!r}); "
            "an effect against placebo needs a control group.",
            field="kind",
        )
    n = data.get("n")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 2):
        raise EvidenceInputError("'n' must be a whole number of participants >= 2.", field="n")
    citation = _text(data, "citation")
    ids = check_identifiers(data)
    url = _text(data, "url", required=False)
    if url and not url.startswith(("https://", "http://")):
        raise EvidenceInputError("'url' must start with https:// or http://.", field="url")
    if not effects:
        raise EvidenceInputError("give at least one outcome number in 'effects'.", field="effects")
    fields = {"trial_id": trial_id, "label": label, "year": year, "kind": kind, "n": n}
    prov = added_provenance(f"clinician-{trial_id}", citation, ids.values(), (url,) if url else ())
    built = [_effect(e, i, fields, prov) for i, e in enumerate(effects)]
    seen = [r.outcome for r, _ in built]
    dupes = sorted({o for o in seen if seen.count(o) > 1})
    if dupes:
        raise EvidenceInputError(f"outcome {dupes[0]!r} is given twice.", field="outcome")
    records = tuple(r for r, _ in built)
    summarize(records[0].outcome, extra=records)  # the core's own checks of every record
    return TrialInput(
        trial_id=trial_id,
        label=label,
        year=year,
        kind=kind,
        n=n,
        dose=_text(data, "dose", required=False, limit=80),
        citation=citation,
        doi=ids["doi"],
        pmid=ids["pmid"],
        registry_id=ids["registry_id"],
        url=url,
        effects=records,
        derived=tuple(d for _, d in built),
    )


def effect_record(
    row: StoredEffect, trial: StoredTrial, provenance: Provenance | None = None
) -> EffectRecord:
    """A stored effect as the core's record (``origin="clinician"``), with the trial's
    provenance (pass it when known, to build it once per trial). A trial without a primary
    identifier gives a record the core refuses to pool: callers leave such trials out
    (:func:`apps.evidence.queries.stored_records`)."""
    prov = provenance or trial.provenance()
    return EffectRecord(
        trial_id=trial.trial_id,
        label=trial.label,
        year=trial.year,
        outcome=row.outcome,
        measure=row.measure,
        yi=row.yi,
        vi=row.vi,
        how=row.how,
        randomised=trial.randomised,
        n=trial.n,
        reported=(
            Reported(
                what=row.reported_what,
                value=row.reported_value,
                source=trial.source_key,
                url=trial.url or None,
            ),
        ),
        caveats=(CLINICIAN_CAVEAT,),
        origin="clinician",
        kind=trial.kind,
        provenance=prov,
    )
