"""Stored check-ins. Validation lives in the core (:func:`lowdose.diary.parse_checkin`); the
database repeats the essential ranges as constraints so that no path can store a bad row.

A patient may change or delete a check-in for :data:`lowdose.diary.CHANGE_WINDOW` after making
it. A change keeps the version it replaces as a :class:`CheckinRevision`; a deletion keeps the row
(``deleted_at``) outside the diary: :meth:`CheckinQuerySet.in_diary` is what every statistic,
chart, alert and analysis reads.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient, User
from lowdose.daily import DAILY_SCALES
from lowdose.diary import SEVERITIES, SIDE_EFFECTS
from lowdose.diary import Checkin as CoreCheckin
from lowdose.diary import SideEffect as CoreSideEffect


class CheckinQuerySet(models.QuerySet["Checkin"]):
    def in_diary(self) -> CheckinQuerySet:
        """The entries that count: a deleted check-in is kept for the record, outside the diary."""
        return self.filter(deleted_at__isnull=True)


class Checkin(models.Model):
    DOSE_STATUSES: ClassVar = [("taken", "Taken"), ("missed", "Missed"), ("none", "No dose due")]

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checkins")
    client_id = models.UUIDField(default=uuid.uuid4)
    day = models.DateField()
    recorded_at = models.DateTimeField()
    # One column per daily scale, named as the scale: adding a scale to lowdose.daily is one
    # entry there and a migration here (makemigrations), nothing else.
    for _scale in DAILY_SCALES:
        locals()[_scale.name] = models.PositiveSmallIntegerField()
    del _scale
    if TYPE_CHECKING:  # the type checker cannot see columns made in a loop; a new one works anyway
        pain: int
        fatigue: int
        sleep: int
        mood: int
    dose_status = models.CharField(max_length=8, choices=DOSE_STATUSES)
    dose_mg = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    dose_time = models.TimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    kit = models.CharField(max_length=16, blank=True)  # blinded N-of-1 kit code
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(
        null=True, blank=True, help_text="Last changed by the patient (earlier versions: revisions)"
    )
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Deleted by the patient: kept, counted nowhere"
    )
    deleted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CheckinQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["day", "recorded_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["patient", "client_id"], name="checkin_client_id_once"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{s.name}__gte": s.low, f"{s.name}__lte": s.high}),
                    name=f"checkin_{s.name}_{s.low}_{s.high}",
                )
                for s in DAILY_SCALES
            ],
            models.CheckConstraint(
                condition=(
                    models.Q(dose_status="taken", dose_mg__gt=0, dose_mg__lte=50)
                    | (models.Q(dose_status="taken", dose_mg__isnull=True) & ~models.Q(kit=""))
                    | (~models.Q(dose_status="taken") & models.Q(dose_mg__isnull=True))
                ),
                name="checkin_dose_matches_status",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["patient", "day"])]

    def __str__(self) -> str:
        return f"Check-in {self.client_id} of patient {self.patient_id} for {self.day}"

    def to_core(self) -> CoreCheckin:
        return CoreCheckin(
            client_id=self.client_id,
            day=self.day,
            recorded_at=self.recorded_at,
            scores={scale.name: getattr(self, scale.name) for scale in DAILY_SCALES},
            dose_status=self.dose_status,  # type: ignore[arg-type]
            dose_mg=self.dose_mg,
            dose_time=self.dose_time,
            side_effects=tuple(
                CoreSideEffect(e.name, e.severity, e.detail)
                for e in sorted(self.side_effects.all(), key=lambda e: SIDE_EFFECTS.index(e.name))
            ),
            note=self.note,
            kit=self.kit,
        )

    def snapshot(self) -> dict[str, Any]:
        """The answers as they stand, in the API's words (what a revision keeps)."""
        return answers_of(self.to_core())


def answers_of(checkin: CoreCheckin) -> dict[str, Any]:
    """A check-in's answers as JSON values, in the API's words: what a revision keeps, and what a
    change compares."""
    return {
        "day": checkin.day.isoformat(),
        **{scale.name: checkin.score(scale.name) for scale in DAILY_SCALES},
        "dose_status": checkin.dose_status,
        "dose_mg": None if checkin.dose_mg is None else f"{checkin.dose_mg:f}",
        "dose_time": None if checkin.dose_time is None else checkin.dose_time.strftime("%H:%M"),
        "side_effects": [
            {"name": e.name, "severity": e.severity, "detail": e.detail}
            for e in checkin.side_effects
        ],
        "note": checkin.note,
        "kit": checkin.kit,
    }


class CheckinRevision(models.Model):
    """A version of a check-in that the patient's change replaced, kept as it was."""

    checkin = models.ForeignKey(Checkin, on_delete=models.PROTECT, related_name="revisions")
    values = models.JSONField(help_text="The answers before the change (Checkin.snapshot())")
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar = ["replaced_at", "pk"]

    def __str__(self) -> str:
        return (
            f"Earlier version of check-in {self.checkin_id} (replaced {self.replaced_at:%Y-%m-%d})"
        )


class SideEffectReport(models.Model):
    checkin = models.ForeignKey(Checkin, on_delete=models.CASCADE, related_name="side_effects")
    name = models.CharField(max_length=32, choices=[(n, n) for n in SIDE_EFFECTS])
    severity = models.CharField(max_length=16, choices=[(s, s) for s in SEVERITIES])
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["checkin", "name"], name="side_effect_once_per_checkin")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.severity})"


class PatientSummary(models.Model):
    """What the clinician's panel shows of one patient, stored so that the panel reads one row
    per patient instead of every check-in (:mod:`apps.checkins.summaries` keeps it).

    The numbers are the core's (:func:`lowdose.diary.summarize`), computed on the patient's
    calendar day ``computed_on``: the 7-day means move with the date, so a daily job recomputes
    every row. Each part is refreshed in the transaction of the change that moves it: the diary
    part by a check-in stored, changed, deleted or imported; the alert counts by an alert raised,
    acknowledged or resolved; the treatment part by a prescription signed or dispensed and a
    trial designed or unblinded. ``manage.py rebuild_patient_summaries`` recomputes all of it.
    """

    patient = models.OneToOneField(
        Patient, primary_key=True, on_delete=models.CASCADE, related_name="panel_summary"
    )
    computed_on = models.DateField(
        null=True, blank=True, help_text="The patient's day the diary figures were computed on"
    )
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    last7 = models.JSONField(
        null=True, blank=True, help_text="Mean score per daily scale over the last 7 days"
    )
    change_from_baseline = models.JSONField(
        null=True, blank=True, help_text="Recent mean minus baseline mean, per daily scale"
    )
    current_dose_mg = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    open_alerts = models.PositiveIntegerField(default=0)
    urgent_alerts = models.PositiveIntegerField(default=0)
    silence_alert_open = models.BooleanField(
        default=False, help_text='An open "no check-in" alert (the next check-in closes it)'
    )
    prescribed = models.BooleanField(
        default=False, help_text="Holds a signed or dispensed naltrexone prescription"
    )
    in_trial = models.BooleanField(default=False, help_text="In an N-of-1 trial not yet unblinded")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["last_checkin_at"], name="summary_last_checkin")]

    def __str__(self) -> str:
        return f"Panel summary of patient {self.patient_id}"
