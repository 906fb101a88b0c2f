"""Placebo response in fibromyalgia, to show beside a patient's open-label change.

A patient who starts LDN openly and feels better experiences drug effect *plus* placebo
response *plus* regression to the mean. The outcomes engineer shows
:func:`placebo_response` next to the patient's change so that part of it is not taken for
drug effect. :func:`placebo_reference` gives the same figure in the response analysis's own
shape (:class:`lowdose.outcomes.PlaceboReference`), for the caller to pass in.
"""

from __future__ import annotations

from dataclasses import dataclass

from lowdose.errors import EvidenceInputError
from lowdose.evidence.loader import placebo_data, sources, trials
from lowdose.outcomes.placebo import PlaceboReference, from_evidence
from lowdose.serial import Plain

__all__ = ["PlaceboArm", "PlaceboResponse", "placebo_reference", "placebo_response"]


@dataclass(frozen=True)
class PlaceboArm:
    """The placebo arm of one LDN trial (change on the 0–10 scale where reported)."""

    trial: str
    change: float | None
    ci_low: float | None
    ci_high: float | None
    reported: str


@dataclass(frozen=True)
class PlaceboResponse(Plain):
    """Pooled within-arm placebo response for one outcome.

    Attributes
    ----------
    mean_change, mean_change_ci
        Mean change on placebo on the 0–10 scale (negative = improvement) with its 95% CI,
        from the largest pooled analysis available; ``mean_change_how`` says how it was
        derived.
    responder_30_pct, responder_30_ci
        Percentage of placebo patients reaching a ≥30% pain reduction (and ≥50% below).
    ldn_trial_arms
        The placebo arms of the LDN trials themselves.
    sources
        Citations of every number above.
    """

    outcome: str
    mean_change: float
    mean_change_ci: tuple[float, float]
    mean_change_how: str
    mean_change_trials: int
    responder_30_pct: float
    responder_30_ci: tuple[float, float]
    responder_50_pct: float
    responder_50_ci: tuple[float, float]
    responder_trials: int
    ldn_trial_arms: tuple[PlaceboArm, ...]
    sources: tuple[str, ...]

    def summary(self) -> str:
        """One paragraph in plain language."""
        lo, hi = self.mean_change_ci
        return (
            f"On placebo, fibromyalgia pain falls by about {-self.mean_change:.1f} points on a "
            f"0-10 scale (95% CI {-hi:.1f} to {-lo:.1f}; {self.mean_change_trials} trials), and "
            f"{self.responder_30_pct:.0f}% of placebo patients reach a 30% reduction "
            f"({self.responder_30_ci[0]:.1f}-{self.responder_30_ci[1]:.1f}%)."
        )


def placebo_response(outcome: str = "pain") -> PlaceboResponse:
    """Pooled placebo response in fibromyalgia drug trials for ``outcome``.

    Only ``"pain"`` has pooled placebo-arm data in the evidence reference (Häuser et al. 2011,
    *Pain* 152:1709 and *Schmerz* 25:619); other outcomes raise
    :class:`~lowdose.errors.EvidenceInputError`.
    """
    data = placebo_data()
    if outcome not in data or outcome.startswith("_"):
        available = ", ".join(k for k in data if not k.startswith("_"))
        raise EvidenceInputError(
            f"no pooled placebo-response data for outcome {outcome!r}; available: {available}.",
            field="outcome",
        )
    d = data[outcome]
    pc, r30, r50 = d["pooled_change"], d["responder_30"], d["responder_50"]
    known = sources()
    names = trials()
    keys = [pc["source"], r30["source"], r50["source"]]
    arms = []
    for arm in d["ldn_trial_arms"]:
        trial = names[arm["trial"]]
        keys.append(trial.source)
        arms.append(
            PlaceboArm(trial.label, arm["change"], arm["ci_low"], arm["ci_high"], arm["reported"])
        )
    cites = tuple(dict.fromkeys(known[k].citation for k in keys))
    return PlaceboResponse(
        outcome=outcome,
        mean_change=pc["estimate"],
        mean_change_ci=(pc["ci_low"], pc["ci_high"]),
        mean_change_how=f"{pc['reported']}; {pc['how']}",
        mean_change_trials=pc["trials"],
        responder_30_pct=r30["percent"],
        responder_30_ci=(r30["ci_low"], r30["ci_high"]),
        responder_50_pct=r50["percent"],
        responder_50_ci=(r50["ci_low"], r50["ci_high"]),
        responder_trials=r30["trials"],
        ldn_trial_arms=tuple(arms),
        sources=cites,
    )


def placebo_reference(outcome: str = "pain") -> PlaceboReference | None:
    """The pooled placebo change of ``outcome`` for the response analysis; ``None`` if absent.

    Pass it to :class:`lowdose.outcomes.ResponseAnalysis` as ``placebo``.
    """
    try:
        obj = placebo_response(outcome=outcome)
    except (LookupError, ValueError):  # no figure for this outcome
        return None
    return from_evidence(obj, outcome)
