"""Blinded single-patient (N-of-1) trials.

The allocation (which kit holds which arm) lives in its own table, :class:`Allocation`, that
only three code paths read: the pharmacist's kit list, emergency
unblinding of one kit, and unblinding at the end of the trial (all in ``actions.py`` and
``views.py`` behind :mod:`apps.accounts.access`). Everything else — the patient's and the
clinician's pages, the API — sees :attr:`Nof1Trial.schedule`, the periods with kit codes and dates
but no arms. The allocation and the codes are drawn independently from the operating system's
CSPRNG (:mod:`lowdose.outcomes.allocation`), so the codes carry no information about the arms;
the stored allocation is the only record (no seed exists to regenerate it).

A trial's state is not stored: it is derived from the moments of the steps taken so far
(``kits_prepared_at``, ``locked_at``, ``stopped_at``, ``emergency_unblinded_at``,
``unblinded_at``) and the patient's calendar day by :mod:`lowdose.outcomes.trial_states`, through
:mod:`apps.nof1.states`; only the actions in ``actions.py`` write those moments.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from lowdose.outcomes import AnalysisPlan, Nof1Plan
from lowdose.outcomes.design import LEGACY_SEEDED


class TrialQuerySet(models.QuerySet["Nof1Trial"]):
    def blinded(self) -> TrialQuerySet:
        """Trials not unblinded yet (their kits may still be with the patient)."""
        return self.filter(unblinded_at__isnull=True)

    def unblinded(self) -> TrialQuerySet:
        return self.filter(unblinded_at__isnull=False)

    def running_on(self, day: date) -> TrialQuerySet:
        """Trials in the ``running`` state on ``day``: kits prepared, plan locked, ``day`` within
        the schedule, not ended early (:meth:`lowdose.outcomes.trial_states.TrialFacts.state`)."""
        return self.filter(
            kits_prepared_at__isnull=False,
            locked_at__isnull=False,
            stopped_at__isnull=True,
            emergency_unblinded_at__isnull=True,
            unblinded_at__isnull=True,
            start__lte=day,
            end__gte=day,
        )


class Nof1Trial(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="nof1_trials")
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, related_name="nof1_trials")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    arms = models.JSONField()  # e.g. ["placebo", "4.5"]: not secret
    cycles = models.PositiveSmallIntegerField()
    period_days = models.PositiveSmallIntegerField()
    run_in_days = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()
    schedule = models.JSONField()  # blinded periods: cycle, kit, start, end, analysis_start
    run_in_derivation = models.JSONField()
    # The design assistant: its assumptions are fixed at design; the simulated figures are cached
    # per design (apps.nof1.assistant). Trials designed before that store the figures here.
    design_assumptions = models.JSONField(null=True, blank=True)
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
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stop_reason = models.TextField(blank=True)
    # The first emergency unblinding (each one is an EmergencyUnblinding row): it ends the blind.
    emergency_unblinded_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)

    objects = TrialQuerySet.as_manager()

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
        return self.unblinded_at is not None


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


class DesignSimulation(models.Model):
    """The design assistant's figures for one design, computed by a background job.

    ``key`` is the SHA-256 of the simulation's inputs (:func:`apps.nof1.assistant.inputs_of`:
    the design and the assumptions, never dates, kit codes or the allocation), so every trial of
    the same design shares one row and one computation. The row is created, without figures,
    in the transaction that designs the trial; the job fills ``figures`` (or records a failure).
    The figures are a pure function of the key (the simulation is seeded), so a second run of
    the job — at-least-once delivery — writes the same figures again.
    """

    key = models.CharField(max_length=64, unique=True)
    inputs = models.JSONField()
    figures = models.JSONField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)  # the simulation's run time, for admins
    failed_at = models.DateTimeField(null=True, blank=True)
    # What went wrong, for the administrator (the admin and the worker's log); pages say only
    # what to do.
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Design simulation {self.key[:12]}"

    @property
    def done(self) -> bool:
        return self.figures is not None

    @property
    def failed(self) -> bool:
        return self.figures is None and self.failed_at is not None
