"""Input and output schemas of the evidence API: only these fields cross the boundary."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

from config.api_input import BodyIn


class EffectIn(BodyIn):
    outcome: str = Field(description="pain, pain_nrs, pain_responder_30, fatigue, mood, sleep, …")
    measure: str | None = Field(None, description="Optional check: must be the outcome's measure.")
    yi: float | None = Field(None, description="Effect size on the pooling scale (log for RR).")
    vi: float | None = Field(None, description="Its sampling variance (SE squared).")
    estimate: float | None = Field(None, description="Or: the estimate as published (ratio for RR)")
    ci_low: float | None = Field(None, description="… with its 95% CI; lowdose derives the SE.")
    ci_high: float | None = None
    derived: bool = Field(False, description="True if yi/vi were computed, not read off the paper.")
    how: str = Field("", max_length=1000, description="How yi/vi were obtained (when derived).")
    reported_what: str = Field(max_length=200, description="What was read, e.g. 'pain NRS change'")
    reported_value: str = Field(max_length=200, description="The number exactly as published.")


class TrialIn(BodyIn):
    trial_id: str = Field(max_length=60, description="Short unique id, e.g. 'smith2027'.")
    label: str = Field(max_length=80, description="As shown in plots, e.g. 'Smith 2027'.")
    year: int
    kind: Literal["rct_parallel", "rct_crossover", "controlled_nonrandomised"]
    n: int | None = None
    dose: str = Field("", max_length=80)
    citation: str = Field(max_length=400)
    doi: str = Field("", max_length=200, description="DOI, e.g. 10.1000/xyz123.")
    pmid: str = Field("", max_length=20, description="PubMed id (digits) or PMCID (PMC…).")
    registry_id: str = Field(
        "",
        max_length=40,
        description="Trial-registry id: NCT…, ACTRN…, ISRCTN… or a EudraCT number. At least one "
        "of doi, pmid and registry_id is required (the primary source every number links to).",
    )
    url: str = Field("", max_length=400, description="Where the numbers were read (secondary).")
    effects: list[EffectIn] = Field(min_length=1)


class EffectOut(Schema):
    outcome: str
    measure: str
    yi: float
    vi: float
    derived: bool
    how: str
    reported_what: str
    reported_value: str


class ChangeOut(Schema):
    outcome: str
    label: str
    before: str
    after: str
    estimate_before: str
    estimate_after: str


class TrialOut(Schema):
    trial_id: str
    label: str
    year: int
    kind: str
    n: int | None
    dose: str
    citation: str
    doi: str
    pmid: str
    registry_id: str
    url: str
    provenance: ProvenanceOut | None = Field(
        None,
        description="Primary links from doi, pmid and registry_id, and the url read at; null when "
        "the trial has no identifier of a known form (it cannot be approved until one is added).",
    )
    effects: list[EffectOut]
    review: str = Field(description="draft (in no summary yet), approved or rejected")
    reviewed_by: str | None = Field(None, description="Username of the reviewer, once reviewed.")
    reviewed_at: str | None = Field(None, description="When it was reviewed (ISO 8601, UTC).")
    review_note: str = ""
    review_change: list[ChangeOut] = Field(
        default_factory=list,
        description="On approval: each outcome's verdict and pooled estimate without and with it.",
    )


class ReviewIn(BodyIn):
    decision: Literal["approve", "reject"]
    note: str = Field(max_length=2000, description="Why (required; what was checked).")


class VerdictOut(Schema):
    code: str
    text: str
    rules: list[str]


class PooledOut(Schema):
    k: int
    measure: str
    method: str
    test: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    tau2_ci_low: float | None
    tau2_ci_high: float | None
    I2: float
    H2: float
    Q: float
    Q_p: float
    p: float
    df: int | None
    studies: list[str]
    ratio: dict[str, float] | None = Field(None, description="Back-transformed (ratio measures)")


class CumulativeOut(Schema):
    added: str
    year: int | None
    k: int
    estimate: float
    ci_low: float
    ci_high: float


class PrimaryLinkOut(Schema):
    kind: str
    identifier: str
    url: str
    words: str


class ProvenanceOut(Schema):
    """Where a trial's numbers can be checked (primary: DOI, PubMed, registry) and where they
    were read (secondary)."""

    source: str
    citation: str
    primary: list[PrimaryLinkOut]
    primary_url: str | None
    read_at: list[str]


class FactOut(Schema):
    value: str | int
    source: str
    verified: bool
    note: str


class RegisteredTrialOut(Schema):
    registry: str
    registry_url: str
    conditions: list[str]
    title: str
    design: str
    planned_n: FactOut
    status: FactOut
    sponsor: str
    read_at: list[str]


class AwaitingOut(Schema):
    """Registered trials of the condition without results, and how many participants they plan."""

    condition: str
    label: str
    checked: str
    trials: list[RegisteredTrialOut]
    n_trials: int
    participants_planned: int
    unverified_sizes: int
    words: str


class RecordOut(Schema):
    trial_id: str
    label: str
    year: int | None
    measure: str
    yi: float
    vi: float
    how: str
    randomised: bool
    n: int | None
    origin: str
    kind: str
    caveats: list[str]
    reported: list[dict[str, str | None]]
    provenance: ProvenanceOut | None


class SummaryOut(Schema):
    outcome: str
    label: str
    measure: str
    scale: str
    method: str
    test: str
    condition: str
    verdict: VerdictOut
    awaiting_results: AwaitingOut
    randomised: PooledOut | None
    all_controlled: PooledOut | None
    cumulative: list[CumulativeOut]
    harms: dict[str, PooledOut | None]
    records: list[RecordOut]
    placebo_response: dict[str, Any] | None
    comparators: list[dict[str, Any]] | None
    published_reviews: list[dict[str, Any]]
