"""Pool a clinic's completed N-of-1 trials, de-identified, with ``PooledNof1``.

Only unblinded trials whose locked outcome is pain count; each contributes the posterior mean and
SD of its one (or first) LDN arm against placebo. Patients appear as "Patient A", "Patient B"…
in the order their trials were unblinded: no names, no ids.
"""

from __future__ import annotations

import string

from apps.accounts.models import Clinic
from apps.nof1.models import Nof1Trial
from lowdose.evidence import EffectRecord
from lowdose.outcomes import PooledNof1, PooledResult, TrialEffect

__all__ = ["MIN_TRIALS", "completed_pain_trials", "pool_clinic", "pooled_evidence_records"]

MIN_TRIALS = 2


def completed_pain_trials(clinic: Clinic | None = None) -> list[Nof1Trial]:
    """Unblinded trials with pain as the locked outcome, of one clinic or of this server."""
    rows = Nof1Trial.objects.unblinded().filter(outcome="pain")
    if clinic is not None:
        rows = rows.filter(patient__clinic=clinic)
    return list(rows.order_by("unblinded_at", "pk"))


def _label(index: int) -> str:
    letters = string.ascii_uppercase
    return f"Patient {letters[index % 26]}{index // 26 or ''}"


def pool_clinic(trials: list[Nof1Trial], *, mcid: float = 1.0) -> PooledResult | None:
    """The pooled result, or ``None`` with fewer than :data:`MIN_TRIALS` completed trials."""
    effects = []
    for index, trial in enumerate(trials):
        arm = (trial.result or {}).get("effects", [{}])[0]
        if "mean" not in arm:
            continue
        effects.append(
            TrialEffect(
                _label(index), float(arm["mean"]), float(arm["sd"]), str(arm["arm"]), "pain"
            )
        )
    if len(effects) < MIN_TRIALS:
        return None
    return PooledNof1(effects, mcid=mcid, lower_is_better=True).fit()


def pooled_evidence_records() -> tuple[EffectRecord, ...]:
    """The pooled N-of-1 series of this server as an evidence record (``origin="n_of_1"``, outcome
    ``pain_nrs``), shown in the living summary as its own source; empty below MIN_TRIALS."""
    pooled = pool_clinic(completed_pain_trials())
    return () if pooled is None else (EffectRecord.from_series(pooled.as_effect_record()),)
