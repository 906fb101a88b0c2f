"""What placebo alone did in the LDN trials, shown beside a patient's own change.

The numbers belong to the evidence engine (:mod:`lowdose.evidence`); this module only defines
the small frozen shape the response analysis displays and :func:`from_evidence`, which adapts
the evidence engine's figure to it. The caller loads the figure and passes it in
(``lowdose.evidence.placebo_reference`` does both): the science packages never load the
evidence base. When there is no figure for an outcome the caller passes ``None`` and the result
says "placebo reference not available" rather than inventing a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lowdose.serial import Plain

__all__ = ["PlaceboReference", "from_evidence"]


@dataclass(frozen=True)
class PlaceboReference(Plain):
    """The change seen on placebo in the LDN trials, on the same 0–10 scale as the diary.

    Attributes
    ----------
    outcome
        Diary outcome it refers to (``"pain"``...).
    change
        Mean change from baseline on placebo, in points (negative = lower score).
    ci_low, ci_high
        Its 95 % interval, when the source gives one.
    source
        Citation(s) of the trials or the pooled estimate.
    """

    outcome: str
    change: float
    ci_low: float | None = None
    ci_high: float | None = None
    source: str = ""
    responder_30_pct: float | None = None

    def sentence(self) -> str:
        """One line for people: what placebo alone did."""
        interval = ""
        if self.ci_low is not None and self.ci_high is not None:
            interval = f" (95% CI {self.ci_low:+.1f} to {self.ci_high:+.1f})"
        sources = [x.strip() for x in self.source.split("; ") if x.strip()]
        src = ""
        if sources:
            more = f"; +{len(sources) - 1} more" if len(sources) > 1 else ""
            src = f" [{sources[0].rstrip('.')}{more}]"
        responders = ""
        if self.responder_30_pct is not None:
            responders = f" {self.responder_30_pct:.0f}% of placebo patients reach a 30% reduction."
        return (
            f"Placebo alone changed {self.outcome} by {self.change:+.1f} points in "
            f"fibromyalgia trials{interval}.{responders}{src}"
        )


def _number(obj: Any, *names: str) -> float | None:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if math.isfinite(number):
                return number
    return None


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _text(obj: Any, *names: str) -> str:
    for name in names:
        value = _get(obj, name)
        if isinstance(value, list | tuple):
            return "; ".join(str(v) for v in value)
        if value:
            return str(value)
    return ""


def _pair(obj: Any, *names: str) -> tuple[float | None, float | None]:
    for name in names:
        value = _get(obj, name)
        if isinstance(value, list | tuple) and len(value) == 2:
            lo, hi = _number({"v": value[0]}, "v"), _number({"v": value[1]}, "v")
            return lo, hi
    return None, None


def from_evidence(obj: Any, outcome: str) -> PlaceboReference | None:
    """Adapt whatever :func:`lowdose.evidence.placebo_response` returns (object or dict).

    Recognised fields: ``mean_change``/``change``/``mean``/``estimate``; the interval as
    ``mean_change_ci``/``ci`` (a pair) or ``ci_low``/``ci_lb``/``lower`` and
    ``ci_high``/``ci_ub``/``upper``; ``sources``/``source``/``citation``/``label``;
    ``responder_30_pct``.
    """
    if obj is None:
        return None
    if isinstance(obj, PlaceboReference):
        return obj
    change = _number(obj, "mean_change", "change", "mean", "estimate", "value")
    if change is None:
        return None
    lo, hi = _pair(obj, "mean_change_ci", "ci")
    return PlaceboReference(
        outcome=outcome,
        change=change,
        ci_low=lo if lo is not None else _number(obj, "ci_low", "ci_lb", "lower", "low"),
        ci_high=hi if hi is not None else _number(obj, "ci_high", "ci_ub", "upper", "high"),
        source=_text(obj, "sources", "source", "citation", "label"),
        responder_30_pct=_number(obj, "responder_30_pct"),
    )
