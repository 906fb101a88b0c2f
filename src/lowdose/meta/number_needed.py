r"""The number needed to treat from a two-arm responder table, with an interval that is honest
when the trial cannot tell benefit from harm.

For :math:`a` responders of :math:`n_1` on the drug and :math:`c` of :math:`n_2` on placebo,

.. math::

    \mathrm{RD} = \frac{a}{n_1} - \frac{c}{n_2}, \qquad \mathrm{NNT} = \frac{1}{\mathrm{RD}},

kept as exact fractions. The 95 % interval of RD is Newcombe's hybrid score interval (method 10
of Newcombe, *Stat Med* 1998;17:873-890, doi:10.1002/(SICI)1097-0258(19980430)17:8<873::AID-
SIM779>3.0.CO;2-I), built from the two Wilson score intervals :math:`(l_i, u_i)`:

.. math::

    \mathrm{RD} - \sqrt{(p_1 - l_1)^2 + (u_2 - p_2)^2}, \qquad
    \mathrm{RD} + \sqrt{(u_1 - p_1)^2 + (p_2 - l_2)^2}.

Unlike the Wald interval it stays inside [-1, 1] and keeps its coverage with arms of ~50. The NNT
interval is the reciprocal of the RD interval (Altman, *BMJ* 1998;317:1309-1312,
doi:10.1136/bmj.317.7168.1309): when the RD interval excludes 0 it is the finite
:math:`[1/\mathrm{RD}_{hi}, 1/\mathrm{RD}_{lo}]`; when it includes 0 the interval is *disjoint*,
"NNT (benefit) :math:`1/\mathrm{RD}_{hi}` to ∞ to NNT (harm) :math:`1/|\mathrm{RD}_{lo}|`": the
trial cannot exclude that the drug helps no one more than placebo, and the interval says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from lowdose.errors import MetaInputError

__all__ = ["Z95", "NumberNeededToTreat", "newcombe_interval", "wilson_interval"]

#: Standard normal 97.5 % quantile (two-sided 95 %).
Z95 = 1.959963984540054


def wilson_interval(events: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson, *JASA* 1927;22:209-212)."""
    p, z2 = events / total, z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    return centre - half, centre + half


def newcombe_interval(a: int, n1: int, c: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """Newcombe's hybrid score interval of :math:`a/n_1 - c/n_2` (method 10)."""
    p1, p2 = a / n1, c / n2
    l1, u1 = wilson_interval(a, n1, z)
    l2, u2 = wilson_interval(c, n2, z)
    rd = p1 - p2
    return (
        rd - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        rd + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


@dataclass(frozen=True)
class NumberNeededToTreat:
    """Responders on a drug and on placebo, the risk difference and the number needed to treat.

    ``outcome`` says what a responder is (">=30% less pain"); ``source`` is the citation with its
    DOI; ``note`` what a reader must know (one trial, counts reconstructed...).
    """

    drug_responders: int
    drug_total: int
    placebo_responders: int
    placebo_total: int
    outcome: str = ""
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        for events, total, arm in (
            (self.drug_responders, self.drug_total, "drug"),
            (self.placebo_responders, self.placebo_total, "placebo"),
        ):
            if isinstance(events, bool) or isinstance(total, bool):
                raise MetaInputError(f"{arm} arm: give whole numbers of patients.", field=arm)
            if not (isinstance(events, int) and isinstance(total, int) and 0 <= events <= total):
                raise MetaInputError(
                    f"{arm} arm: {events} responders of {total} patients is not a count; give "
                    "0 <= responders <= patients.",
                    field=arm,
                )
            if total < 1:
                raise MetaInputError(f"{arm} arm: no patients.", field=arm)

    @property
    def drug_rate(self) -> Fraction:
        return Fraction(self.drug_responders, self.drug_total)

    @property
    def placebo_rate(self) -> Fraction:
        return Fraction(self.placebo_responders, self.placebo_total)

    @property
    def risk_difference(self) -> Fraction:
        """:math:`a/n_1 - c/n_2`, exact."""
        return self.drug_rate - self.placebo_rate

    @property
    def nnt(self) -> Fraction | None:
        """:math:`1/\\mathrm{RD}` when the drug did better than placebo, else ``None``."""
        rd = self.risk_difference
        return None if rd <= 0 else 1 / rd

    @property
    def rd_interval(self) -> tuple[float, float]:
        """95 % Newcombe hybrid score interval of the risk difference."""
        return newcombe_interval(
            self.drug_responders, self.drug_total, self.placebo_responders, self.placebo_total
        )

    @property
    def includes_no_difference(self) -> bool:
        """Whether the RD interval includes 0 (the NNT interval is then disjoint)."""
        lo, hi = self.rd_interval
        return lo <= 0 <= hi

    @property
    def nnt_benefit_from(self) -> float | None:
        """The smallest NNT (benefit) in the interval, :math:`1/\\mathrm{RD}_{hi}`."""
        hi = self.rd_interval[1]
        return None if hi <= 0 else 1 / hi

    @property
    def nnt_benefit_to(self) -> float | None:
        """The largest NNT (benefit), :math:`1/\\mathrm{RD}_{lo}`; ``None`` (∞) when RD may be 0."""
        lo = self.rd_interval[0]
        return None if lo <= 0 else 1 / lo

    @property
    def nnt_harm_from(self) -> float | None:
        """Smallest NNT (harm) when the interval reaches harm, :math:`1/|\\mathrm{RD}_{lo}|`."""
        lo = self.rd_interval[0]
        return None if lo >= 0 else 1 / -lo

    def sentence(self) -> str:
        """The NNT and its interval in words (Altman 1998 for an interval through 0)."""
        nnt = self.nnt
        lo, hi = self.rd_interval
        rates = (
            f"{self.drug_responders}/{self.drug_total} on the drug against "
            f"{self.placebo_responders}/{self.placebo_total} on placebo"
        )
        if nnt is None:
            return f"{rates}: no more responders than on placebo, so no number needed to treat."
        head = f"{rates}: about {float(nnt):.1f} patients treated for one extra responder"
        if lo > 0:
            return f"{head} (95% CI {1 / hi:.1f} to {1 / lo:.1f})."
        return (
            f"{head}. The 95% interval of the difference ({lo:+.3f} to {hi:+.3f}) includes no "
            f"difference, so the interval of the number needed to treat runs from "
            f"{1 / hi:.1f} (benefit) through infinity to {1 / -lo:.1f} (harm): the trial cannot "
            "exclude that the drug adds no responders over placebo."
        )

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.rd_interval
        nnt = self.nnt
        return {
            "drug": {"responders": self.drug_responders, "total": self.drug_total},
            "placebo": {"responders": self.placebo_responders, "total": self.placebo_total},
            "risk_difference": float(self.risk_difference),
            "risk_difference_ci": [lo, hi],
            "ci_method": "Newcombe hybrid score (method 10), 95%",
            "nnt": None if nnt is None else float(nnt),
            "nnt_benefit_from": self.nnt_benefit_from,
            "nnt_benefit_to": self.nnt_benefit_to,
            "nnt_harm_from": self.nnt_harm_from,
            "includes_no_difference": self.includes_no_difference,
            "sentence": self.sentence(),
            "outcome": self.outcome,
            "source": self.source,
            "note": self.note,
        }
