"""One summary per condition: the pooled trials where completed trials exist, else what is coming.

Clinics prescribe LDN for fibromyalgia, long COVID, ME/CFS and CRPS. Only fibromyalgia has
completed randomised trials with results in the evidence base; for the others the summary says
so, by a fixed rule, and lists the registered trials awaiting results
(:mod:`lowdose.evidence.watchlist`). A condition gets a pooled summary and its own verdict only
when ``data/registered.json`` marks it ``with_results`` *and* randomised trials of it are pooled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lowdose.evidence.summary import OutcomeSummary, summarize
from lowdose.evidence.watchlist import Awaiting, Condition, awaiting, conditions

__all__ = ["NO_COMPLETED_TRIALS", "ConditionSummary", "condition_summary"]

#: Verdict code when no completed randomised trial of the condition has reported results.
NO_COMPLETED_TRIALS = "no_completed_trials"


@dataclass(frozen=True)
class ConditionSummary:
    """A condition's verdict, its pooled summary (or None) and the trials awaiting results."""

    condition: Condition
    summary: OutcomeSummary | None
    awaiting: Awaiting
    verdict_code: str
    verdict_text: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON for ``--json``."""
        return {
            "condition": self.condition.key,
            "label": self.condition.label,
            "verdict": {"code": self.verdict_code, "text": self.verdict_text},
            "awaiting_results": self.awaiting.to_dict(),
            "summary": self.summary.to_dict() if self.summary is not None else None,
        }

    def text(self) -> str:
        """Plain text for people."""
        lines = [self.condition.label, "", self.verdict_text, "", self.awaiting.words.capitalize()]
        for t in self.awaiting.trials:
            lines.append(
                f"  {t.registry} ({t.registry_url}): {t.title}; {t.planned} planned"
                f"{'' if t.planned_n.verified else ' (unverified)'}; {t.status.value}"
            )
        lines.append(f"Registry records checked {self.awaiting.checked.isoformat()}.")
        return "\n".join(lines)


def condition_summary(condition: str = "fibromyalgia", outcome: str = "pain") -> ConditionSummary:
    """The summary of one condition (``fibromyalgia``, ``long_covid``, ``me_cfs``, ``crps``)."""
    waiting = awaiting(condition)  # checks the condition
    cond = conditions()[condition]
    summary = summarize(outcome) if cond.with_results else None
    if summary is not None and summary.randomised is not None:
        return ConditionSummary(cond, summary, waiting, summary.verdict.code, summary.verdict.text)
    s = "" if waiting.n_trials == 1 else "s"
    text = (
        f"No completed randomised trial of LDN in {cond.label} has reported results yet, so "
        f"there is nothing to pool and no verdict on whether it works. {waiting.n_trials} "
        f"registered trial{s} ({waiting.participants_planned} participants planned) "
        f"{'is' if waiting.n_trials == 1 else 'are'} awaiting results."
    )
    return ConditionSummary(cond, None, waiting, NO_COMPLETED_TRIALS, text)
