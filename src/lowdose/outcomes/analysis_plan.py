"""The pre-specified analysis plan of an N-of-1 trial, locked before unblinding.

The web layer stores :meth:`AnalysisPlan.fingerprint` when the clinician locks the plan and
refuses to unblind until it is locked; at analysis time :meth:`AnalysisPlan.verify` proves the
plan used is the plan locked (outcome, MCID, trend, priors). Changing any of them after seeing
the allocation would be outcome switching.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from lowdose.daily import DAILY_SCALES, DailyScales, Diary
from lowdose.errors import AnalysisError
from lowdose.outcomes.design import Nof1Plan
from lowdose.outcomes.nof1 import Nof1Analysis, Nof1Result
from lowdose.outcomes.priors import Priors

__all__ = ["AnalysisPlan"]

MODEL = "AR(1) Bayesian regression v1: cycle blocks, effect per arm vs placebo"


@dataclass(frozen=True)
class AnalysisPlan:
    """Outcome, MCID, trend and priors: everything that decides the result."""

    outcome: str = "pain"
    mcid: float = 1.0
    trend: bool = False
    priors: Priors = field(default_factory=Priors)
    #: the daily scales ``outcome`` is one of (not part of the fingerprint: only the name is)
    scales: DailyScales = field(default=DAILY_SCALES, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.scales.scale(self.outcome)
        if not (math.isfinite(self.mcid) and self.mcid > 0):
            raise AnalysisError(f"mcid must be > 0 points, got {self.mcid!r}", field="mcid")

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "mcid": self.mcid,
            "trend": self.trend,
            "priors": self.priors.to_dict(),
            "model": MODEL,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalysisPlan:
        try:
            return cls(
                outcome=str(data["outcome"]),
                mcid=float(data["mcid"]),
                trend=bool(data["trend"]),
                priors=Priors(**data.get("priors", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, AnalysisError):
                raise
            raise AnalysisError(
                f"analysis plan is incomplete or malformed ({exc!s})", field="analysis_plan"
            ) from None

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of the plan (store it when the plan is locked)."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def verify(self, locked_fingerprint: str) -> None:
        """Raise :class:`AnalysisError` unless this is the plan that was locked."""
        if self.fingerprint() != locked_fingerprint:
            raise AnalysisError(
                "this analysis plan differs from the one locked before unblinding; analyse "
                "with the locked plan (outcome, MCID, trend and priors cannot change now)",
                field="analysis_plan",
            )

    def analyse(self, diary: Diary, plan: Nof1Plan, *, locked_fingerprint: str) -> Nof1Result:
        """Verify the lock, then run :class:`Nof1Analysis` with exactly this plan."""
        self.verify(locked_fingerprint)
        return Nof1Analysis(
            diary,
            plan,
            outcome=self.outcome,
            mcid=self.mcid,
            trend=self.trend,
            priors=self.priors,
        ).fit()
