"""Frozen records of the LDN evidence base: sources, trials, effect sizes, reviews, comparators.

Every number carries where it came from (:class:`Reported`) and, when lowdose derived it,
how (``EffectRecord.how``). The web layer stores clinician-added trials and pooled N-of-1
results in its own database and passes them in as :class:`EffectRecord` objects
(``origin="clinician"`` or ``"n_of_1"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from lowdose.errors import EvidenceInputError
from lowdose.outcomes.pooling import Nof1SeriesEffect
from lowdose.serial import Plain

__all__ = [
    "ORIGINS",
    "Comparator",
    "ComparatorResult",
    "EffectRecord",
    "NotPoolable",
    "Outcome",
    "PrimaryLink",
    "Provenance",
    "Reported",
    "Review",
    "ReviewResult",
    "Source",
    "Trial",
]

#: Where an effect record comes from.
ORIGINS: tuple[str, ...] = ("published", "clinician", "n_of_1")


@dataclass(frozen=True)
class Source(Plain):
    """A citation, its primary identifiers (DOI, PMID, PMCID, registry ids) and the pages where
    its numbers were read (secondary provenance; see :mod:`lowdose.evidence.provenance`)."""

    key: str
    citation: str
    read_at: tuple[str, ...] = ()
    doi: str | None = None
    registry: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    other_registries: tuple[str, ...] = ()
    note: str = ""

    @property
    def registries(self) -> tuple[str, ...]:
        """Every registry id of the study, the main one first."""
        return ((self.registry,) if self.registry else ()) + self.other_registries

    @property
    def identified(self) -> bool:
        """True when a clinician can find the study at its source: a DOI, PMID or registry id."""
        return bool(self.doi or self.pmid or self.registries)


@dataclass(frozen=True)
class PrimaryLink(Plain):
    """One identifier of a source and its primary address (built by
    :func:`lowdose.evidence.provenance.primary_link`, which checks the identifier's form)."""

    kind: str
    identifier: str
    url: str
    words: str


@dataclass(frozen=True)
class Provenance(Plain):
    """Where a trial's numbers can be checked (primary) and where they were read (secondary)."""

    source: str
    citation: str
    primary: tuple[PrimaryLink, ...]
    read_at: tuple[str, ...]

    @property
    def primary_url(self) -> str | None:
        """The first primary link (the article when there is one), or None."""
        return self.primary[0].url if self.primary else None

    _also = ("primary_url",)


@dataclass(frozen=True)
class Reported:
    """A number (or finding) exactly as published, with its source and the page read."""

    what: str
    value: str
    source: str
    url: str | None = None


@dataclass(frozen=True)
class Trial(Plain):
    """One LDN study and its design; ``kind`` flags dose-finding and uncontrolled studies."""

    id: str
    label: str
    year: int | None
    source: str
    kind: Literal[
        "rct_parallel",
        "rct_crossover",
        "controlled_nonrandomised",
        "dose_finding",
        "uncontrolled",
        "registered_no_results",
    ]
    design: str
    randomised: bool
    blinding: str
    n: int | None
    n_note: str
    dose_mg: tuple[Decimal, ...]  # one dose, or (min, max) for a range
    dose_note: str
    duration: str
    primary_outcome: str
    flags: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    registry: str | None = None

    @property
    def controlled(self) -> bool:
        """Placebo-controlled (randomised or not)."""
        return self.kind in ("rct_parallel", "rct_crossover", "controlled_nonrandomised")

    _also = ("controlled",)


@dataclass(frozen=True)
class Outcome:
    """An outcome of the evidence base, its measure and which direction is good."""

    key: str
    label: str
    measure: str
    scale: str
    primary: bool = False
    harm: bool = False  # adverse outcome: ratio > 1 is worse
    higher_is_better: bool = False  # e.g. responder RR

    @property
    def benefit_below_null(self) -> bool:
        """True when values below the null (0, or ratio 1) favour LDN."""
        return not self.higher_is_better


@dataclass(frozen=True)
class EffectRecord(Plain):
    """One trial's effect on one outcome, ready to pool: ``yi`` and ``vi`` on metafor's scale
    (log scale for RR), plus provenance.

    Construct these for clinician-added trials (``origin="clinician"``) and pooled N-of-1
    series (``origin="n_of_1"``) and pass them to :func:`lowdose.evidence.summarize`.
    A clinician-added record carries its ``provenance`` (primary links from its DOI, PMID or
    registry id, built with :func:`lowdose.evidence.provenance.added_provenance`, and the page
    its numbers were read at); :func:`~lowdose.evidence.summarize` refuses one without a
    primary link. Shipped records leave it None: theirs is looked up from ``sources.json``.
    """

    trial_id: str
    label: str
    year: int | None
    outcome: str
    measure: str
    yi: float
    vi: float
    how: str
    randomised: bool
    n: int | None = None
    reported: tuple[Reported, ...] = ()
    caveats: tuple[str, ...] = ()
    origin: str = "published"
    kind: str = "rct_parallel"
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.yi):
            raise EvidenceInputError(
                f"{self.label}: effect size yi must be a finite number (got {self.yi}).",
                field="yi",
            )
        if not (math.isfinite(self.vi) and self.vi > 0):
            raise EvidenceInputError(
                f"{self.label}: sampling variance vi must be > 0 (got {self.vi}); give the SE "
                "squared, or derive it from a CI with lowdose.meta.conversions.se_from_ci.",
                field="vi",
            )
        if self.origin not in ORIGINS:
            raise EvidenceInputError(
                f"{self.label}: origin must be one of {', '.join(ORIGINS)} (got {self.origin!r}).",
                field="origin",
            )
        if not self.how.strip():
            raise EvidenceInputError(
                f"{self.label}: say how yi and vi were obtained (field 'how').", field="how"
            )

    @classmethod
    def from_series(cls, effect: Nof1SeriesEffect) -> EffectRecord:
        """The record of a pooled N-of-1 series (``PooledResult.as_effect_record()``)."""
        return cls(
            trial_id=effect.trial_id,
            label=effect.label,
            year=effect.year,
            outcome=effect.outcome,
            measure=effect.measure,
            yi=effect.yi,
            vi=effect.vi,
            how=effect.how,
            randomised=effect.randomised,
            n=effect.n,
            caveats=effect.caveats,
            origin=effect.origin,
            kind=effect.kind,
        )


@dataclass(frozen=True)
class NotPoolable(Plain):
    """A trial that measured an outcome but reported nothing that can be pooled."""

    trial_id: str
    label: str
    outcome: str
    reason: str
    reported: tuple[Reported, ...] = ()


@dataclass(frozen=True)
class ReviewResult:
    """One pooled result of a published review."""

    outcome: str
    measure: str | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    I2: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Review(Plain):
    """A published systematic review / meta-analysis of LDN."""

    source: str
    label: str
    year: int
    trials: str
    model: str
    results: tuple[ReviewResult, ...] = field(default=())


@dataclass(frozen=True)
class ComparatorResult:
    """Drug vs placebo percentages (or an NNT/NNH) with their CI, as published."""

    drug_pct: float | None = None
    placebo_pct: float | None = None
    rr: float | None = None
    rr_ci: tuple[float, float] | None = None
    value: float | None = None  # NNT / NNH
    ci: tuple[float, float] | None = None
    studies: int | None = None
    patients: int | None = None
    outcome: str = ""
    note: str = ""
    source: str | None = None


@dataclass(frozen=True)
class Comparator(Plain):
    """Another fibromyalgia drug: responders, NNT, withdrawals for adverse events, NNH."""

    drug: str
    dose: str
    source: str
    responder_30: ComparatorResult | None
    responder_50: ComparatorResult | None
    nnt: ComparatorResult | None
    ae_withdrawal: ComparatorResult | None
    nnh: ComparatorResult | None
