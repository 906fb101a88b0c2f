"""Reads of the evidence app: every summary is recomputed from the shipped data plus the stored
clinician-added trials, cached on the request at most (so an added trial shows on the next one).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.evidence.models import StoredEffect, StoredTrial
from apps.evidence.records import effect_record
from apps.nof1.pooling import pooled_evidence_records
from lowdose.evidence import EffectRecord, OutcomeSummary, summarize

__all__ = ["stored_records", "stored_trials", "summary_for"]

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
    return list(StoredTrial.objects.prefetch_related("effects"))


def stored_records(request: HttpRequest | None = None) -> tuple[EffectRecord, ...]:
    """Every clinician-added outcome number as a core :class:`EffectRecord`."""
    cache = _cache(request)
    if "records" not in cache:
        rows = StoredEffect.objects.select_related("trial").order_by("trial__year", "pk")
        cache["records"] = tuple(effect_record(row, row.trial) for row in rows)
    records: tuple[EffectRecord, ...] = cache["records"]
    return records


def summary_for(request: HttpRequest | None, outcome: str) -> OutcomeSummary:
    """The living summary of ``outcome`` (raises ``EvidenceInputError`` for an unknown one), from
    the shipped data, the clinician-added trials and this clinic's pooled N-of-1 series."""
    cache = _cache(request)
    key = f"summary:{outcome}"
    if key not in cache:
        if "nof1" not in cache:
            cache["nof1"] = pooled_evidence_records()
        cache[key] = summarize(outcome, extra=(*stored_records(request), *cache["nof1"]))
    summary: OutcomeSummary = cache[key]
    return summary
