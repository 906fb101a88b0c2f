"""The living summary: re-pooled from the shipped trials plus any records passed in.

For one outcome :func:`summarize` returns

* the random-effects result of the randomised trials (REML τ², Knapp-Hartung inference, as
  recommended for few studies by IntHout, Ioannidis & Borm 2014, *BMC Med Res Methodol*
  14:25) with its prediction interval;
* a sensitivity analysis adding the non-randomised controlled comparisons;
* the cumulative meta-analysis by year (how the picture moved as trials arrived);
* for crossover-based effects, a sensitivity analysis over the assumed within-person r;
* the adverse-event risk ratios, the placebo response (pain), the published reviews'
  pooled results for comparison, and the rule-generated :class:`~lowdose.evidence.verdict.Verdict`.

Records added by a clinician or pooled from N-of-1 series are :class:`EffectRecord` objects
passed as ``extra``; they are pooled like the shipped ones (by their ``randomised`` flag) and
labelled by their ``origin`` in the output.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lowdose.errors import EvidenceInputError
from lowdose.evidence.comparison import comparison_table
from lowdose.evidence.loader import effect_records, outcomes, reviews
from lowdose.evidence.placebo import PlaceboResponse, placebo_response
from lowdose.evidence.provenance import record_provenance
from lowdose.evidence.records import EffectRecord, NotPoolable, Outcome, Review
from lowdose.evidence.verdict import Verdict, make_verdict
from lowdose.evidence.watchlist import awaiting
from lowdose.meta.diagnostics import cumulative as cumulative_ma
from lowdose.meta.effects import RATIO_MEASURES
from lowdose.meta.model import MetaAnalysis, MetaResult
from lowdose.outcomes.pooling import Nof1SeriesEffect

__all__ = ["HARM_OUTCOMES", "SENSITIVITY_R", "OutcomeSummary", "summarize"]

#: Adverse-event outcomes shown with every summary.
HARM_OUTCOMES: tuple[str, ...] = ("adverse_events", "ae_withdrawal")
#: Within-person correlations for the crossover sensitivity analysis (low, assumed, high).
SENSITIVITY_R: tuple[float, ...] = (0.2, 0.5, 0.8)


def _pool(
    records: Sequence[EffectRecord], measure: str, method: str, test: str
) -> MetaResult | None:
    if not records:
        return None
    ordered = sorted(records, key=lambda r: (r.year is None, r.year or 0))
    return MetaAnalysis(
        yi=[r.yi for r in ordered],
        vi=[r.vi for r in ordered],
        method=method,
        test=test,
        measure=measure,
        study=[r.label for r in ordered],
        year=[r.year for r in ordered],
    ).fit()


def _scale(measure: str) -> Callable[[float], float]:
    """Back-transform for display: ``exp`` for ratio measures, identity otherwise."""
    if measure in RATIO_MEASURES:
        return math.exp
    return lambda x: x


def _result_dict(res: MetaResult | None) -> dict[str, Any] | None:
    if res is None:
        return None
    out = res.summary_dict()
    out["df"] = res.df
    out["studies"] = list(res.study)
    out["weights"] = list(res.weights)
    if res.measure in RATIO_MEASURES:
        out["ratio"] = res.back_transformed()
    return out


def _record_dict(rec: EffectRecord) -> dict[str, Any]:
    """A pooled record with its primary source (DOI, PubMed, registry) and the pages read."""
    out = rec.to_dict()
    prov = record_provenance(rec)
    out["provenance"] = prov.to_dict() if prov is not None else None
    return out


def _source_lines(records: Sequence[EffectRecord]) -> list[str]:
    """'Check at source' lines: each pooled trial's primary link, then where it was read."""
    lines = ["Check each trial at its source:"] if records else []
    for rec in records:
        prov = record_provenance(rec)
        if prov is None:
            lines.append(f"  {rec.label}: pooled from this clinic's N-of-1 trials (unpublished)")
            continue
        ids = ", ".join(link.url for link in prov.primary) or "no DOI, PMID or registry id"
        read = f" (read at {prov.read_at[0]})" if prov.read_at else ""
        lines.append(f"  {rec.label}: {ids}{read}")
    return lines


@dataclass(frozen=True)
class OutcomeSummary:
    """Everything the evidence pages and ``lowdose evidence`` show for one outcome."""

    outcome: Outcome
    method: str
    test: str
    records: tuple[EffectRecord, ...]
    not_poolable: tuple[NotPoolable, ...]
    randomised: MetaResult | None
    all_controlled: MetaResult | None
    cumulative: tuple[MetaResult, ...]
    r_sensitivity: tuple[tuple[float, MetaResult], ...]
    harms: tuple[tuple[str, MetaResult | None], ...]
    placebo: PlaceboResponse | None
    reviews: tuple[tuple[Review, tuple[int, ...]], ...]
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON for the API and ``--json``."""
        return {
            "outcome": self.outcome.key,
            "label": self.outcome.label,
            "measure": self.outcome.measure,
            "scale": self.outcome.scale,
            "method": self.method,
            "test": self.test,
            "condition": "fibromyalgia",
            "verdict": self.verdict.to_dict(),
            "awaiting_results": awaiting("fibromyalgia").to_dict(),
            "randomised": _result_dict(self.randomised),
            "all_controlled": _result_dict(self.all_controlled),
            "cumulative": [
                {
                    "added": c.study[-1],
                    "year": c.year[-1],
                    "k": c.k,
                    "estimate": c.estimate,
                    "ci_low": c.ci_low,
                    "ci_high": c.ci_high,
                }
                for c in self.cumulative
            ],
            "r_sensitivity": [
                {"r": r, "estimate": m.estimate, "ci_low": m.ci_low, "ci_high": m.ci_high}
                for r, m in self.r_sensitivity
            ],
            "records": [_record_dict(r) for r in self.records],
            "not_poolable": [n.to_dict() for n in self.not_poolable],
            "harms": {key: _result_dict(m) for key, m in self.harms},
            "placebo_response": self.placebo.to_dict() if self.placebo else None,
            "comparators": (
                [row.to_dict() for row in comparison_table()]
                if self.outcome.key.startswith("pain")
                else None
            ),
            "published_reviews": [
                {
                    "label": rv.label,
                    "year": rv.year,
                    "trials": rv.trials,
                    "model": rv.model,
                    "results": [
                        {
                            "measure": rv.results[i].measure,
                            "estimate": rv.results[i].estimate,
                            "ci_low": rv.results[i].ci_low,
                            "ci_high": rv.results[i].ci_high,
                            "I2": rv.results[i].I2,
                            "note": rv.results[i].note,
                        }
                        for i in idx
                    ],
                }
                for rv, idx in self.reviews
            ],
        }

    def forest_spec(self) -> dict[str, Any] | None:
        """Vega-Lite forest plot of the randomised trials (with the prediction interval)."""
        if self.randomised is None:
            return None
        from lowdose.meta.plots import forest_spec

        return forest_spec(self.randomised, title=f"{self.outcome.label}: randomised trials")

    def cumulative_spec(self) -> dict[str, Any] | None:
        """Vega-Lite cumulative forest plot (by year)."""
        if not self.cumulative:
            return None
        from lowdose.meta.plots import cumulative_forest_spec

        return cumulative_forest_spec(
            self.cumulative, title=f"{self.outcome.label}: cumulative meta-analysis by year"
        )

    def summary(self) -> str:
        """Plain-text summary for people."""
        lines = [f"{self.outcome.label} ({self.outcome.scale})", "", self.verdict.text, ""]
        res = self.randomised
        if res is not None:
            f = _scale(res.measure)
            lines.append(
                f"Randomised trials (k={res.k}, {self.method}, {self.test}): "
                f"{f(res.estimate):.2f} [{f(res.ci_low):.2f}, {f(res.ci_high):.2f}], "
                f"prediction interval [{f(res.pi_low):.2f}, {f(res.pi_high):.2f}], "
                f"I² = {res.I2:.0f}%"
            )
        for c in self.cumulative:
            g = _scale(c.measure)
            lines.append(
                f"  by {c.year[-1]}: + {c.study[-1]:<14} k={c.k}  {g(c.estimate):+.2f} "
                f"[{g(c.ci_low):+.2f}, {g(c.ci_high):+.2f}]"
            )
        for key, m in self.harms:
            if m is not None:
                lines.append(
                    f"{outcomes()[key].label}: RR {math.exp(m.estimate):.2f} "
                    f"[{math.exp(m.ci_low):.2f}, {math.exp(m.ci_high):.2f}] (k={m.k})"
                )
        if self.r_sensitivity:
            parts = [
                f"r={r}: {m.estimate:+.2f} [{m.ci_low:+.2f}, {m.ci_high:+.2f}]"
                for r, m in self.r_sensitivity
            ]
            lines.append("Crossover correlation sensitivity: " + "; ".join(parts))
        for rv, idx in self.reviews:
            for i in idx:
                x = rv.results[i]
                if x.estimate is None or x.ci_low is None or x.ci_high is None:
                    lines.append(f"Published: {rv.label}: {x.note}")
                    continue
                note = f" ({x.note})" if x.note else ""
                lines.append(
                    f"Published: {rv.label}: {x.measure} {x.estimate:+.2f} "
                    f"[{x.ci_low:+.2f}, {x.ci_high:+.2f}]{note}"
                )
        if self.placebo is not None:
            lines.append(self.placebo.summary())
        for n in self.not_poolable:
            lines.append(f"Not poolable: {n.label} - {n.reason}")
        lines.append(awaiting("fibromyalgia").words.capitalize())
        lines += _source_lines(self.records)
        return "\n".join(lines)


def _checked_extra(
    extra: Sequence[EffectRecord | Nof1SeriesEffect], known: dict[str, Outcome]
) -> tuple[EffectRecord, ...]:
    """The records passed in, as :class:`EffectRecord`, each of a known outcome and measure."""
    added = tuple(x if isinstance(x, EffectRecord) else EffectRecord.from_series(x) for x in extra)
    for rec in added:
        if rec.outcome not in known:
            raise EvidenceInputError(
                f"{rec.label}: unknown outcome {rec.outcome!r}; use one of {', '.join(known)}.",
                field="extra",
            )
        if rec.measure != known[rec.outcome].measure:
            raise EvidenceInputError(
                f"{rec.label}: {rec.outcome} is pooled as {known[rec.outcome].measure} but the "
                f"record is {rec.measure}; convert it to {known[rec.outcome].measure} first.",
                field="extra",
            )
        if rec.origin == "clinician" and (rec.provenance is None or not rec.provenance.primary):
            raise EvidenceInputError(
                f"{rec.label}: a clinician-added record needs its primary source (a DOI, PMID "
                "or trial-registry id: lowdose.evidence.added_provenance) to be pooled.",
                field="extra",
            )
    return added


def summarize(
    outcome: str = "pain",
    extra: Sequence[EffectRecord | Nof1SeriesEffect] = (),
    *,
    method: str = "REML",
    test: str = "knha",
    r: float | None = None,
) -> OutcomeSummary:
    """The living summary of one outcome (see module docstring).

    Parameters
    ----------
    outcome
        A key of the evidence base: ``pain``, ``pain_nrs``, ``pain_responder_30``, ``fatigue``,
        ``mood``, ``sleep``, ``fiqr``, ``adverse_events``, ``ae_withdrawal``.
    extra
        Additional :class:`EffectRecord` objects (clinician-added trials, pooled N-of-1
        series; a :class:`lowdose.outcomes.Nof1SeriesEffect` is converted with
        :meth:`EffectRecord.from_series`). Records of other outcomes are ignored except
        adverse-event records, which feed the harms section; a record whose measure differs
        from its outcome's is an error, and so is a clinician-added record without a primary
        source (its ``provenance``: a DOI, PMID or registry id).
    r
        Within-person correlation for crossover derivations (default: the evidence file's
        assumption, 0.5).
    """
    known = outcomes()
    if outcome not in known:
        raise EvidenceInputError(
            f"unknown outcome {outcome!r}; choose one of {', '.join(known)}.", field="outcome"
        )
    out = known[outcome]
    added = _checked_extra(extra, known)
    # the web layer may pass every stored record; each summary takes its own outcome's
    mine = tuple(x for x in added if x.outcome == outcome)
    shipped, skipped = effect_records(r)
    records = tuple(x for x in shipped if x.outcome == outcome) + mine
    randomised = [x for x in records if x.randomised]
    res_rand = _pool(randomised, out.measure, method, test)
    res_all = _pool(records, out.measure, method, test)
    cumulative = cumulative_ma(res_rand) if res_rand is not None else ()
    sens: list[tuple[float, MetaResult]] = []
    if any(x.kind == "rct_crossover" for x in randomised):
        for rr in SENSITIVITY_R:
            alt = [x for x in effect_records(rr)[0] if x.outcome == outcome and x.randomised]
            pooled = _pool(alt + [x for x in mine if x.randomised], out.measure, method, test)
            if pooled is not None:
                sens.append((rr, pooled))
    harms = []
    for key in HARM_OUTCOMES:
        hrecs = [x for x in (*shipped, *added) if x.outcome == key and x.randomised]
        harms.append((key, _pool(hrecs, "RR", method, test)))
    matching = []
    for rv in reviews():
        idx = tuple(i for i, x in enumerate(rv.results) if x.outcome == outcome)
        if idx:
            matching.append((rv, idx))
    placebo = placebo_response("pain") if outcome.startswith("pain") else None
    return OutcomeSummary(
        outcome=out,
        method=method,
        test=test,
        records=records,
        not_poolable=tuple(x for x in skipped if x.outcome == outcome),
        randomised=res_rand,
        all_controlled=res_all,
        cumulative=tuple(cumulative),
        r_sensitivity=tuple(sens),
        harms=tuple(harms),
        placebo=placebo,
        reviews=tuple(matching),
        verdict=make_verdict(out, res_rand, randomised, cumulative),
    )
