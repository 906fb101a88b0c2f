"""Clinician-added trials and their outcome numbers (the shipped trials live in the core).

A :class:`StoredTrial` and its :class:`StoredEffect` rows become
:class:`lowdose.evidence.EffectRecord` objects (``origin="clinician"``) that
:func:`lowdose.evidence.summarize` pools with the shipped trials; the core validates them
(:mod:`apps.evidence.records`) before anything is written. Each number keeps its citation
(the trial's primary identifiers — DOI, PubMed id, registry id — the page it was read at, and
what was read) and, when derived, says how.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import User
from lowdose.evidence import EvidenceInputError, Provenance, added_provenance

#: Placebo-controlled designs, as ``lowdose.evidence.Trial.kind`` names them (an effect
#: against placebo needs a control group, so uncontrolled studies cannot be added here).
KINDS = [
    ("rct_parallel", "randomised, parallel groups"),
    ("rct_crossover", "randomised crossover"),
    ("controlled_nonrandomised", "placebo-controlled, not randomised"),
]
RANDOMISED_KINDS = ("rct_parallel", "rct_crossover")


class Review(models.TextChoices):
    """Where a clinician-added trial stands: only an approved trial enters the summaries."""

    DRAFT = "draft", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class StoredTrial(models.Model):
    """A trial a clinician added: design and citation (what the numbers were read from)."""

    trial_id = models.SlugField(
        max_length=60, unique=True, help_text="Short unique id, e.g. 'smith2027'."
    )
    label = models.CharField(max_length=80, help_text="As shown in plots, e.g. 'Smith 2027'.")
    year = models.PositiveSmallIntegerField(help_text="Year of publication (orders the plots).")
    kind = models.CharField(max_length=32, choices=KINDS)
    n = models.PositiveIntegerField(null=True, blank=True, help_text="Participants analysed.")
    dose = models.CharField(max_length=80, blank=True, help_text="e.g. '4.5 mg at bedtime'.")
    citation = models.CharField(max_length=400, help_text="Authors. Journal year;vol:pages.")
    # Its primary source (issue 16, item 1): at least one of these three is required to add or
    # approve a trial, so every pooled number links to the article, PubMed or the registry.
    doi = models.CharField(max_length=200, blank=True, help_text="e.g. 10.1000/xyz123")
    pmid = models.CharField(
        "PubMed id",
        max_length=20,
        blank=True,
        help_text="PMID (digits, e.g. 19453963) or PubMed Central id (PMC + digits).",
    )
    registry_id = models.CharField(
        "trial-registry id",
        max_length=40,
        blank=True,
        help_text="e.g. NCT04270877, ACTRN12623000172606, ISRCTN12345678 or a EudraCT number.",
    )
    url = models.URLField(
        max_length=400, blank=True, help_text="Where the numbers were read (secondary)."
    )
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # A second look before the public summaries change (issue 16, item 2): a trial is a draft
    # until another clinician of the author's clinic or its clinic admin approves it (with a
    # note) or rejects it. Rows that existed before this field became drafts (fail closed).
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.DRAFT)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="Why it was approved or rejected.")
    #: What the approval changed, computed with and without the trial when it was approved:
    #: ``[{"outcome", "label", "before", "after", "estimate_before", "estimate_after"}]``.
    review_change = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["year", "label"]
        verbose_name = "clinician-added trial"

    def __str__(self) -> str:
        return f"{self.label} ({self.kind})"

    @property
    def approved(self) -> bool:
        return self.review == Review.APPROVED

    @property
    def randomised(self) -> bool:
        return self.kind in RANDOMISED_KINDS

    @property
    def source_key(self) -> str:
        """The anchor of this trial's citation on the clinician page."""
        return f"clinician-{self.trial_id}"

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Its DOI, PubMed id and registry id, those given (article first)."""
        return tuple(i for i in (self.doi, self.pmid, self.registry_id) if i.strip())

    def provenance(self) -> Provenance | None:
        """Where its numbers can be checked (primary links) and were read (the URL); None when
        it has no identifier of a known form (such a trial is not approved or pooled)."""
        try:
            return added_provenance(
                self.source_key, self.citation, self.identifiers, (self.url,) if self.url else ()
            )
        except EvidenceInputError:
            return None


class StoredEffect(models.Model):
    """One outcome of a clinician-added trial on the pooling scale (log scale for ratios)."""

    trial = models.ForeignKey(StoredTrial, on_delete=models.CASCADE, related_name="effects")
    outcome = models.CharField(max_length=40, help_text="An outcome of lowdose.evidence.")
    measure = models.CharField(max_length=8, help_text="Must be the outcome's measure.")
    yi = models.FloatField(help_text="Effect size (log risk ratio for RR outcomes).")
    vi = models.FloatField(help_text="Sampling variance (SE squared).")
    reported_what = models.CharField(max_length=200, help_text="What was read, e.g. 'pain NRS'.")
    reported_value = models.CharField(max_length=200, help_text="The number as published.")
    derived = models.BooleanField(default=False, help_text="yi/vi computed, not published.")
    how = models.TextField(help_text="How yi and vi were obtained (required when derived).")

    class Meta:
        ordering: ClassVar = ["trial", "outcome"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["trial", "outcome"], name="stored_effect_once"),
            models.CheckConstraint(condition=models.Q(vi__gt=0), name="stored_effect_vi_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.trial.label}: {self.outcome}"
