"""Reads of the evidence app: every summary comes from the shipped data plus the stored
clinician-added trials *that a second person approved* and the clinic's pooled N-of-1 series
(a draft or rejected trial changes no summary: :mod:`apps.evidence.access`).

The stored records are read from the database on every request (once per request); the summaries
and their Vega-Lite charts, which take about a second to compute for every outcome, are memoised
in the process keyed by *those records themselves* (frozen, hashable dataclasses): the same data
gives the same key, and any added, changed or removed trial — or a newly unblinded N-of-1 trial —
gives another key, so an added trial shows on the next request on every app server, with nothing
to invalidate. The shipped data change only with the code (a restart).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest

from apps.evidence import display
from apps.evidence.models import Review, StoredEffect, StoredTrial
from apps.evidence.records import effect_record
from apps.nof1.pooling import pooled_evidence_records
from lowdose.evidence import EffectRecord, OutcomeSummary, Provenance, summarize

__all__ = [
    "cumulative_spec_for",
    "evidence_records",
    "forest_spec_for",
    "forget_summaries",
    "stored_records",
    "stored_trials",
    "summary_for",
    "trial_change",
]

_CACHE = "_lowdose_evidence"


def _cache(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {}
    cache: dict[str, Any] | None = getattr(request, _CACHE, None)
    if cache is None:
        cache = {}
        setattr(request, _CACHE, cache)
    return cache


def stored_trials() -> list[StoredTrial]:
    """The approved clinician-added trials (those in the summaries), with who approved them."""
    rows = StoredTrial.objects.filter(review=Review.APPROVED)
    return list(rows.select_related("added_by", "reviewed_by").prefetch_related("effects"))


def stored_records(request: HttpRequest | None = None) -> tuple[EffectRecord, ...]:
    """Every approved clinician-added outcome number as a core :class:`EffectRecord`, except
    those of a trial without a primary identifier (approved before one was required: they are
    held out of every summary and shown with a warning until the clinic admin adds one and a
    second person approves the trial again)."""
    cache = _cache(request)
    if "records" not in cache:
        rows = StoredEffect.objects.filter(trial__review=Review.APPROVED)
        rows = rows.select_related("trial").order_by("trial__year", "pk")
        found: dict[int, Provenance | None] = {}
        pooled = []
        for row in rows:
            if row.trial_id not in found:
                found[row.trial_id] = row.trial.provenance()
            prov = found[row.trial_id]
            if prov is not None:  # fail closed: no primary source, not pooled (held_out)
                pooled.append(effect_record(row, row.trial, prov))
        cache["records"] = tuple(pooled)
    records: tuple[EffectRecord, ...] = cache["records"]
    return records


def evidence_records(request: HttpRequest | None) -> tuple[EffectRecord, ...]:
    """What the summaries add to the shipped data: clinician-added trials, pooled N-of-1."""
    cache = _cache(request)
    if "nof1" not in cache:
        cache["nof1"] = pooled_evidence_records()
    extra: tuple[EffectRecord, ...] = (*stored_records(request), *cache["nof1"])
    return extra


#: Outcomes × versions of the added data kept per process (a summary is a few hundred kB at most).
MEMO_SIZE = 64


@lru_cache(maxsize=MEMO_SIZE)
def _summary(outcome: str, extra: tuple[EffectRecord, ...]) -> OutcomeSummary:
    return summarize(outcome, extra=extra)


@lru_cache(maxsize=MEMO_SIZE)
def _forest_spec(outcome: str, extra: tuple[EffectRecord, ...]) -> dict[str, Any] | None:
    return _summary(outcome, extra).forest_spec()


@lru_cache(maxsize=MEMO_SIZE)
def _cumulative_spec(outcome: str, extra: tuple[EffectRecord, ...]) -> dict[str, Any] | None:
    return _summary(outcome, extra).cumulative_spec()


def forget_summaries() -> None:
    """Empty the memo (for tests that count computations; never needed for correctness)."""
    for memo in (_summary, _forest_spec, _cumulative_spec):
        memo.cache_clear()


def summary_for(request: HttpRequest | None, outcome: str) -> OutcomeSummary:
    """The living summary of ``outcome`` (raises ``EvidenceInputError`` for an unknown one), from
    the shipped data, the clinician-added trials and this clinic's pooled N-of-1 series
    (memoised per version of those: see the module docstring)."""
    return _summary(outcome, evidence_records(request))


def forest_spec_for(request: HttpRequest | None, outcome: str) -> dict[str, Any] | None:
    """:meth:`OutcomeSummary.forest_spec` of :func:`summary_for`, memoised the same way.

    The dict is shared between requests: callers copy it before changing it (as
    :func:`apps.evidence.display.fit_width` does)."""
    return _forest_spec(outcome, evidence_records(request))


def cumulative_spec_for(request: HttpRequest | None, outcome: str) -> dict[str, Any] | None:
    """:meth:`OutcomeSummary.cumulative_spec` of :func:`summary_for`, memoised the same way."""
    return _cumulative_spec(outcome, evidence_records(request))


def trial_change(trial: StoredTrial) -> list[dict[str, str]]:
    """What approving ``trial`` changes: for each of its outcomes, the verdict and pooled estimate
    of the randomised trials without it (the summaries as they are) and with it.

    ``[{"outcome", "label", "before", "after", "estimate_before", "estimate_after"}]`` (the
    verdicts' labels; estimates as the pages show them, with their 95% CI; ``"—"`` if none);
    empty for a trial without a primary identifier, which cannot be approved.
    """
    prov = trial.provenance()
    if prov is None:  # cannot be approved or pooled until it has a primary identifier
        return []
    extra = evidence_records(None)
    added = tuple(effect_record(row, trial, prov) for row in trial.effects.all())
    change: list[dict[str, str]] = []
    for record in added:
        before = _summary(record.outcome, extra)
        after = _summary(record.outcome, (*extra, *added))
        change.append(
            {
                "outcome": record.outcome,
                "label": after.outcome.label,
                "before": before.verdict.label,
                "after": after.verdict.label,
                "estimate_before": _estimate(before),
                "estimate_after": _estimate(after),
            }
        )
    return change


def _estimate(summary: OutcomeSummary) -> str:
    shown = display.pooled(summary.randomised)
    return f"{shown.estimate} ({shown.ci})" if shown else "—"
