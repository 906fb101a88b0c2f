r"""Plain-language verdicts generated from the numbers by fixed rules — never hand-written.

The verdict is computed from the random-effects result of the *randomised* trials for one
outcome. Exactly one **main rule** fires (first match, top to bottom), then every
**qualifier** whose condition holds adds a sentence. Texts are templates; only numbers and
labels are filled in. "Benefit side" means below the null (0, or a ratio of 1) for symptoms
and harms, above it for responder ratios.

Main rules
----------
=======================  =====================================================================
code                     condition
=======================  =====================================================================
``no_data``              no randomised trial reported the outcome in a poolable form
``single_trial``         exactly one randomised trial
``consistent_benefit``   CI and prediction interval both entirely on the benefit side
``benefit_varies``       CI on the benefit side, prediction interval crosses the null
``worse``                CI entirely on the harmful side
``no_clear_difference``  CI includes the null
=======================  =====================================================================

Qualifiers
----------
``size`` (SMD only)
    the pooled |SMD| named with Cohen's (1988) bands: < 0.2 "smaller than small",
    0.2–0.5 "small", 0.5–0.8 "moderate", ≥ 0.8 "large".
``heterogeneity``
    I² ≥ 50% — "substantial" in the Cochrane Handbook's overlapping bands (10.10.2).
``largest_trial``
    the randomised trial with the most participants has a CI that includes the null while the
    pooled CI does not.
``picture_changed``
    in the cumulative meta-analysis by year, whether the CI excluded the null (on the benefit
    side) changed between an earlier step and the latest one.
``few_trials``
    fewer than 5 randomised trials: the τ² estimate and the prediction interval are very
    uncertain (Veroniki et al. 2016).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lowdose.evidence.records import EffectRecord, Outcome
from lowdose.meta.effects import RATIO_MEASURES
from lowdose.meta.model import MetaResult

__all__ = [
    "COHEN_BANDS",
    "HETEROGENEITY_I2",
    "MIN_TRIALS_FOR_PI",
    "RULE_WORDS",
    "Verdict",
    "make_verdict",
]

#: Cohen J. Statistical power analysis for the behavioral sciences, 2nd ed. 1988: 0.2 small,
#: 0.5 medium, 0.8 large.
COHEN_BANDS: tuple[tuple[float, str], ...] = (
    (0.2, "smaller than what is usually called a small effect"),
    (0.5, "small"),
    (0.8, "moderate"),
    (float("inf"), "large"),
)
#: Cochrane Handbook 10.10.2: I² of 50-90% "may represent substantial heterogeneity".
HETEROGENEITY_I2 = 50.0
#: Veroniki et al. 2016 (Res Synth Methods 7:55): τ² is poorly estimated with few studies;
#: 5 is used here as the point below which the prediction interval is flagged as fragile.
MIN_TRIALS_FOR_PI = 5


#: Each rule's code (kept stable for the API and exports) → what it means, for people.
RULE_WORDS: dict[str, str] = {
    "no_data": "no trial reported this",
    "single_trial": "only one trial",
    "consistent_benefit": "LDN better, consistently",
    "benefit_varies": "LDN better on average, varies between trials",
    "no_clear_difference": "no clear difference",
    "worse": "placebo did better",
    "size": "size of the difference",
    "heterogeneity": "trials disagree",
    "largest_trial": "largest trial found no clear difference",
    "picture_changed": "picture changed over time",
    "few_trials": "too few trials to judge the spread",
}


@dataclass(frozen=True)
class Verdict:
    """The generated verdict: the main rule's code, the sentences, and every rule that fired."""

    code: str
    text: str
    rules: tuple[str, ...]

    @property
    def label(self) -> str:
        """The main rule in words."""
        return RULE_WORDS[self.code]

    @property
    def rule_labels(self) -> tuple[str, ...]:
        """Every rule that fired, in words."""
        return tuple(RULE_WORDS[rule] for rule in self.rules)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON; ``label`` and ``rule_labels`` say the codes in words."""
        return {
            "code": self.code,
            "label": self.label,
            "text": self.text,
            "rules": list(self.rules),
            "rule_labels": list(self.rule_labels),
        }


def _side(low: float, high: float, null: float, benefit_below: bool) -> str:
    if high < null:
        return "benefit" if benefit_below else "harm"
    if low > null:
        return "harm" if benefit_below else "benefit"
    return "null"


def _fmt(res: MetaResult, value: float) -> str:
    return f"{math.exp(value):.2f}" if res.measure in RATIO_MEASURES else f"{value:.2f}"


def make_verdict(
    outcome: Outcome,
    res: MetaResult | None,
    records: Sequence[EffectRecord],
    cumulative: Sequence[MetaResult] = (),
) -> Verdict:
    """Apply the rules in the module docstring; ``records`` are the randomised trials pooled."""
    label = outcome.label
    # lower-case the first letter for use mid-sentence, but keep acronyms (FIQR) intact
    name = label if label[:2].isupper() else label[0].lower() + label[1:]
    if res is None or not records:
        return Verdict(
            "no_data",
            f"No randomised trial has reported {name} in a form that can be pooled.",
            ("no_data",),
        )
    if res.k == 1:
        rec = records[0]
        return Verdict(
            "single_trial",
            f"Only one randomised trial ({rec.label}) reported {name} in a usable form; "
            "one trial is not enough to judge.",
            ("single_trial",),
        )
    null = 0.0
    below = outcome.benefit_below_null
    if outcome.harm:
        # for harms "benefit side" (below 1) means fewer events on LDN
        below = True
    ci_side = _side(res.ci_low, res.ci_high, null, below)
    code, text = _headline(outcome, name, res, ci_side, _side(res.pi_low, res.pi_high, null, below))
    sentences = [text]
    rules = [code]
    if res.measure == "SMD":
        size = abs(res.estimate)
        band = next(label for limit, label in COHEN_BANDS if size < limit)
        sentences.append(f"The average difference is {band} (|SMD| {size:.2f}).")
        rules.append("size")
    if res.I2 >= HETEROGENEITY_I2:
        sentences.append(f"The trials disagree a lot with each other (I² = {res.I2:.0f}%).")
        rules.append("heterogeneity")
    if ci_side != "null" and (largest := _largest_trial_sentence(records, null, below)):
        sentences.append(largest)
        rules.append("largest_trial")
    if changed := _picture_changed_sentence(cumulative, null, below):
        sentences.append(changed)
        rules.append("picture_changed")
    if res.k < MIN_TRIALS_FOR_PI:
        sentences.append(
            f"With only {res.k} trials, the spread between trials is itself very uncertain."
        )
        rules.append("few_trials")
    return Verdict(code, " ".join(sentences), tuple(rules))


def _headline(
    outcome: Outcome, name: str, res: MetaResult, ci_side: str, pi_side: str
) -> tuple[str, str]:
    """The verdict's code and first sentence, from which side of the null the CI and PI lie."""
    est, lo, hi = _fmt(res, res.estimate), _fmt(res, res.ci_low), _fmt(res, res.ci_high)
    what = "ratio" if res.measure in RATIO_MEASURES else res.measure
    numbers = f"(pooled {what} {est}, 95% CI {lo} to {hi}; {res.k} randomised trials)"
    if outcome.harm:
        good, bad = "fewer", "more"
        if ci_side == "benefit":
            return "consistent_benefit", f"LDN led to {good} {name} than placebo {numbers}."
        if ci_side == "harm":
            return "worse", f"LDN led to {bad} {name} than placebo {numbers}."
        return (
            "no_clear_difference",
            f"{outcome.label}: no clear difference between LDN and placebo {numbers}.",
        )
    if ci_side == "benefit" and pi_side == "benefit":
        return (
            "consistent_benefit",
            f"LDN was better than placebo for {name}, consistently across trials {numbers}.",
        )
    if ci_side == "benefit":
        return (
            "benefit_varies",
            f"On average LDN was better than placebo for {name} {numbers}, but the results "
            "vary between trials: in a new setting the effect could be absent.",
        )
    if ci_side == "harm":
        return "worse", f"Placebo did better than LDN for {name} {numbers}."
    return "no_clear_difference", f"LDN was not clearly better than placebo for {name} {numbers}."


def _largest_trial_sentence(
    records: Sequence[EffectRecord], null: float, below: bool
) -> str | None:
    """The largest trial's own 95% CI includes the null: say so (rule ``largest_trial``)."""
    largest = max(records, key=lambda r: r.n or 0)
    z = 1.959963984540054  # 95% normal quantile, for the single-trial CI
    l_lo, l_hi = largest.yi - z * largest.vi**0.5, largest.yi + z * largest.vi**0.5
    if _side(l_lo, l_hi, null, below) != "null":
        return None
    return f"The largest trial ({largest.label}, n={largest.n}) did not find a clear difference."


def _picture_changed_sentence(
    cumulative: Sequence[MetaResult], null: float, below: bool
) -> str | None:
    """The cumulative analysis once sided otherwise than now (rule ``picture_changed``)."""
    if len(cumulative) < 2:
        return None
    sides = [_side(c.ci_low, c.ci_high, null, below) for c in cumulative]
    last = sides[-1]
    earlier = [(c, s) for c, s in zip(cumulative[:-1], sides[:-1], strict=True) if s != last]
    if not earlier:
        return None
    step, side = earlier[-1]
    year = step.year[-1] if step.year[-1] else "an earlier point"
    then = (
        "favoured LDN"
        if side == "benefit"
        else ("favoured placebo" if side == "harm" else "showed no clear difference")
    )
    now = (
        "favours LDN"
        if last == "benefit"
        else ("favours placebo" if last == "harm" else "shows no clear difference")
    )
    return (
        f"The picture changed over time: up to {year} the pooled result {then}; "
        f"with the trials since, it {now}."
    )
