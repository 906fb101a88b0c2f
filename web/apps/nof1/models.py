"""Blinded single-patient (N-of-1) trials.

The allocation (which kit holds which arm) lives in its own table, :class:`Allocation`, that
only three code paths read: the pharmacist's kit list, emergency
unblinding of one kit, and unblinding after the analysis plan is locked (all in ``actions.py`` and
``views.py`` behind :mod:`apps.accounts.access`). Everything else — the patient's and the
clinician's pages, the API — sees :attr:`Nof1Trial.schedule`, the periods with kit codes and dates
but no arms. The allocation and the codes are drawn independently from the operating system's
CSPRNG (:mod:`lowdose.outcomes.allocation`), so the codes carry no information about the arms;
the stored allocation is the only record (no seed exists to regenerate it).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from lowdose.outcomes import AnalysisPlan, Nof1Plan
from lowdose.outcomes.design import LEGACY_SEEDED


class Nof1Trial(models.Model):
    class Status(models.TextChoices):
        DESIGNED = "designed", "Designed: kits being prepared"
        RUNNING = "running", "Running: kits dispensed"
        LOCKED = "locked", "Analysis plan locked"
        UNBLINDED = "unblinded", "Unblinded"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="nof1_trials")
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, related_name="nof1_trials")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DESIGNED)
    arms = models.JSONField()  # e.g. ["placebo", "4.5"]: not secret
    cycles = models.PositiveSmallIntegerField()
    period_days = models.PositiveSmallIntegerField()
    run_in_days = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()
    schedule = models.JSONField()  # blinded periods: cycle, kit, start, end, analysis_start
    run_in_derivation = models.JSONField()
    operating_characteristics = models.JSONField(null=True, blank=True)
    # The analysis plan: drafted at design, frozen (fingerprinted) before unblinding.
    outcome = models.CharField(max_length=16, default="pain")
    mcid = models.FloatField(default=1.0)
    trend = models.BooleanField(default=False)
    plan_fingerprint = models.CharField(max_length=64, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kits_prepared_at = models.DateTimeField(null=True, blank=True)
    unblinded_at = models.DateTimeField(null=True, blank=True)
    unblinded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"N-of-1 trial {self.pk} of {self.patient}"

    def analysis_plan(self) -> AnalysisPlan:
        return AnalysisPlan(outcome=self.outcome, mcid=self.mcid, trend=self.trend)

    def kit_for(self, day: Any) -> dict[str, Any] | None:
        """The blinded period covering ``day`` (a date), if any."""
        iso = day.isoformat()
        for period in self.schedule:
            if period["start"] <= iso <= period["end"]:
                return dict(period)
        return None

    @property
    def is_unblinded(self) -> bool:
        return self.status == self.Status.UNBLINDED


class Allocation(models.Model):
    """The secret part of a trial: the full plan with arms (``Nof1Plan.to_dict()``).

    ``plan["randomisation"]`` says how it was drawn: ``os-csprng``, or ``legacy-seeded-31-bit``
    for plans stored before the CSPRNG (migration 0002; their old ``seed`` key is kept, unread).
    """

    trial = models.OneToOneField(Nof1Trial, on_delete=models.PROTECT, related_name="allocation")
    plan = models.JSONField()

    def __str__(self) -> str:
        return f"Allocation of trial {self.trial_id}"

    def as_plan(self) -> Nof1Plan:
        return Nof1Plan.from_dict(self.plan)

    @property
    def codes_protect_the_blind(self) -> bool:
        """False for a legacy plan, whose kit codes let anyone recover the allocation."""
        return bool(self.plan.get("randomisation", LEGACY_SEEDED) != LEGACY_SEEDED)


class EmergencyUnblinding(models.Model):
    """One kit revealed before the trial ended, with who, when and why."""

    trial = models.ForeignKey(Nof1Trial, on_delete=models.PROTECT, related_name="emergencies")
    kit = models.CharField(max_length=16)
    arm = models.CharField(max_length=16)
    reason = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Emergency unblinding of {self.kit} ({self.trial_id})"
