"""A patient's medication list, conditions and planned surgery, and their LDN prescriptions.

The clinical rules (screening, titration, compounding) live in the core: :mod:`lowdose.safety`,
:mod:`lowdose.regimens`, :mod:`lowdose.pharmacy`. These models store what the clinician entered
and what was decided, so that every screen can be re-run and every decision traced.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import Clinic, Patient, Pharmacy, User
from apps.clinical.preparation import Preparation, preparation_for
from lowdose.instruments import AssignmentSchedule
from lowdose.regimens import (
    DoseTime,
    TitrationStep,
    continue_from,
    custom_protocol,
    get_protocol,
)
from lowdose.safety import CONDITIONS


class MedicationQuerySet(models.QuerySet["Medication"]):
    def listed(self) -> MedicationQuerySet:
        """Entries on the list now (a removed entry is kept, with its history, for the record)."""
        return self.filter(removed_at__isnull=True)


class Medication(models.Model):
    """One medicine on the patient's list, as typed (``"Percocet 5/325"``).

    ``status`` says whether the patient takes it now; ``last_dose`` is the day of the last dose
    (needed for a stopped medicine: the opioid-free interval counts from it). A correction keeps
    the previous values in ``history``; a removal keeps the row (``removed_at``).
    """

    class Status(models.TextChoices):
        CURRENT = "current", "Taking now"
        STOPPED = "stopped", "Stopped"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(
        max_length=200, help_text="As the patient takes it, e.g. 'Percocet 5/325'"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CURRENT)
    last_dose = models.DateField(null=True, blank=True, help_text="Day of the last dose")
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    history = models.JSONField(
        default=list, blank=True, help_text="Earlier values, oldest first, with who changed them"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = MedicationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["status", "name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~models.Q(status="stopped") | models.Q(last_dose__isnull=False),
                name="medication_stopped_has_last_dose",
            ),
        ]

    def __str__(self) -> str:
        if self.status == self.Status.STOPPED:
            return f"{self.name} (stopped, last dose {self.last_dose})"
        return self.name

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.CURRENT

    def snapshot(self) -> dict[str, str | None]:
        """The values a correction replaces (kept in ``history``)."""
        return {
            "name": self.name,
            "status": self.status,
            "last_dose": None if self.last_dose is None else self.last_dose.isoformat(),
        }


class MedicationResolution(models.Model):
    """A person's answer to a ``review`` finding: what a medication text the screen could not
    identify contains. Clinic-wide (``patient`` empty) when it says what the text *is* — the
    ingredients, or "no opioid" — so the same text is settled for every patient of the clinic;
    for one patient when it confirms a depot washout, which is about that patient.
    """

    class Kind(models.TextChoices):
        INGREDIENTS = "ingredients", "Named the ingredients"
        NOT_OPIOID = "not_opioid", "Recorded as containing no opioid"
        WASHOUT_CONFIRMED = "washout_confirmed", "Confirmed the opioid-free interval"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=200, help_text="lowdose.safety.resolution_key(text)")
    text = models.CharField(max_length=200, help_text="The entry as it was first resolved")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ingredients = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-resolved_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["clinic", "key"],
                condition=models.Q(patient__isnull=True, replaced_at__isnull=True),
                name="resolution_one_per_clinic_text",
            ),
            models.UniqueConstraint(
                fields=["clinic", "patient", "key"],
                condition=models.Q(patient__isnull=False, replaced_at__isnull=True),
                name="resolution_one_per_patient_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text!r}: {self.get_kind_display().lower()}"


class ConditionQuerySet(models.QuerySet["Condition"]):
    def listed(self) -> ConditionQuerySet:
        """Conditions recorded now (a removed one is kept, with its reason, for the record)."""
        return self.filter(removed_at__isnull=True)


class Condition(models.Model):
    """A condition the safety screen asks about (:data:`lowdose.safety.CONDITIONS`).

    Removing it (entered in error, or no longer applies) keeps the row with who removed it, when
    and why; only conditions not removed are screened. Recorded again later, it is a new row.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="conditions")
    name = models.CharField(max_length=32, choices=[(c, c.replace("-", " ")) for c in CONDITIONS])
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = models.TextField(blank=True)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["added_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient", "name"],
                condition=models.Q(removed_at__isnull=True),
                name="condition_once_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True) | ~models.Q(removal_reason=""),
                name="condition_removal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.get_name_display()


class PlannedSurgeryQuerySet(models.QuerySet["PlannedSurgery"]):
    def planned(self) -> PlannedSurgeryQuerySet:
        """Dates that stand (a changed or cleared date is kept, with its reason, as history)."""
        return self.filter(replaced_at__isnull=True)


class PlannedSurgery(models.Model):
    """A planned surgery date. Changing or clearing it keeps this row with who did it, when
    and why (``replaced_*``, ``reason``); a changed date is a new row."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="surgeries")
    on = models.DateField()
    description = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why the date was changed or cleared")

    objects = PlannedSurgeryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["on"]
        verbose_name_plural = "planned surgeries"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(replaced_at__isnull=True) | ~models.Q(reason=""),
                name="surgery_change_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Surgery on {self.on}"

    def snapshot(self) -> dict[str, str]:
        """The values a change replaces (in the audit event)."""
        return {"on": self.on.isoformat(), "description": self.description}


class Prescription(models.Model):
    """A compounded LDN prescription: draft → signed (and routed) → dispensed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed and sent to the pharmacy"
        DISPENSED = "dispensed", "Dispensed"

    class Form(models.TextChoices):
        CAPSULE = "capsule", "Capsules"
        LIQUID = "liquid", "Oral liquid"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="prescriptions")
    clinician = models.ForeignKey(User, on_delete=models.PROTECT, related_name="prescriptions")
    protocol = models.CharField(max_length=40)
    start_date = models.DateField()
    dose_time = models.CharField(max_length=16, choices=[(t.value, t.value) for t in DoseTime])
    supply_days = models.PositiveSmallIntegerField(default=84)
    steps = models.JSONField(help_text="Dated steps from lowdose.regimens (TitrationStep.to_dict)")
    custom_steps = models.JSONField(
        default=list,
        blank=True,
        help_text='protocol "custom" only: [[dose_mg, days or null], ...] as prescribed',
    )
    form = models.CharField(max_length=16, choices=Form.choices)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    pharmacy = models.ForeignKey(
        Pharmacy, null=True, blank=True, on_delete=models.PROTECT, related_name="prescriptions"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    off_label_statement = models.TextField(blank=True)
    consent_recorded = models.BooleanField(default=False)
    caution_reason = models.TextField(blank=True)
    caution_codes = models.JSONField(default=list, blank=True)
    screening = models.JSONField(null=True, blank=True, help_text="ScreeningResult.to_dict()")
    created_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    # The plan this one adjusts or replaces, and the key every plan of that chain shares: the
    # calendar's UIDs are built from it and the day (lowdose.interop.ics), so an adjusted plan's
    # events replace the original's in a patient's calendar instead of doubling them.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (
                    models.Q(consent_recorded=True, signed_at__isnull=False, pharmacy__isnull=False)
                    & ~models.Q(off_label_statement="")
                ),
                name="prescription_signed_needs_consent_pharmacy_statement",
            ),
            models.CheckConstraint(
                condition=models.Q(form="capsule") | models.Q(concentration_mg_per_ml__gt=0),
                name="prescription_liquid_has_concentration",
            ),
        ]

    def __str__(self) -> str:
        return f"LDN prescription {self.pk} for patient {self.patient_id} ({self.status})"

    def plan(self) -> tuple[TitrationStep, ...]:
        """The stored dated steps as core objects (exact decimals)."""
        return tuple(
            TitrationStep(
                start=date.fromisoformat(s["start"]),
                end=None if s["end"] is None else date.fromisoformat(s["end"]),
                dose_mg=Decimal(s["dose_mg"]),
                time=DoseTime(s["time"]),
                note=s.get("note", ""),
            )
            for s in self.steps
        )

    def preparation(self) -> Preparation:
        """Capsules, or the oral liquid at its stored concentration
        (:func:`apps.clinical.preparation.preparation_for`)."""
        return preparation_for(self.form, Decimal(self.concentration_mg_per_ml or 0))

    def ongoing_plan(self) -> tuple[TitrationStep, ...]:
        """The protocol's plan from the same start, with its open-ended maintenance step: what
        the patient keeps taking after this supply (used for monthly and yearly cost). A custom
        plan, or a protocol started from the current dose, is rebuilt from its stored steps."""
        protocol = (
            custom_protocol([(Decimal(d), n) for d, n in self.custom_steps])
            if self.custom_steps
            else get_protocol(self.protocol)
        )
        return protocol.schedule(self.start_date, time=DoseTime(self.dose_time))

    @property
    def plan_title(self) -> str:
        """The plan in words for the pages: the protocol's title, "Continue at 4.5 mg", or
        "Standard titration, from 3 mg" (never the protocol's code)."""
        if self.protocol == "custom":
            return "Custom titration"
        protocol = get_protocol(self.protocol)
        if self.custom_steps:
            return continue_from(protocol, Decimal(self.custom_steps[0][0])).title
        return protocol.title

    @property
    def end_date(self) -> date | None:
        return self.plan()[-1].end


class Assignment(models.Model):
    """An instrument the clinician asked the patient to complete: a baseline on ``start`` and,
    when ``every_weeks`` is set, again every that many weeks (:class:`AssignmentSchedule`)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assignments")
    instrument = models.CharField(max_length=32)
    start = models.DateField()
    every_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["start", "instrument"]

    def __str__(self) -> str:
        return f"{self.instrument} for patient {self.patient_id} from {self.start}"

    def schedule(self) -> AssignmentSchedule:
        if self.every_weeks is None:
            return AssignmentSchedule(self.instrument, self.start, occurrences=1)
        return AssignmentSchedule(self.instrument, self.start, every_weeks=self.every_weeks)


class AssessmentResult(models.Model):
    """One completed instrument, scored by the core; the definition's version (and, for the ACR
    criteria, the criteria version) is stored with the score. A clinician's correction of
    answers they entered re-scores them and keeps the previous answers and score in
    ``history``."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="assessment_results"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    instrument = models.CharField(max_length=32)
    version = models.CharField(max_length=200)
    criteria_version = models.CharField(max_length=16, blank=True)
    total = models.CharField(max_length=16)
    band = models.CharField(max_length=40, blank=True)
    interpretation = models.TextField()
    result = models.JSONField(help_text="ScoreResult.to_dict() / CriteriaResult.to_dict()")
    completed_on = models.DateField()
    completed_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = models.JSONField(
        default=list,
        blank=True,
        help_text="Earlier answers and scores, oldest first, with who corrected them and why",
    )

    class Meta:
        ordering: ClassVar = ["-completed_at"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} for patient {self.patient_id} ({self.completed_on})"

    def snapshot(self) -> dict[str, object]:
        """The values a correction replaces (kept in ``history`` and in the audit event)."""
        return {
            "answers": dict(self.result.get("answers", {})),
            "total": self.total,
            "band": self.band,
            "interpretation": self.interpretation,
            "version": self.version,
            "criteria_version": self.criteria_version,
        }
