"""Records from another system, kept read-only in a patient's record (docs/fhir.md, "Import").

A MedicationRequest, MedicationDispense, Condition, Practitioner or N-of-1 result that arrives in
an imported Bundle is history: shown to the care team as *from another record*, exported again
exactly as it came, never a lowdose prescription, dispensing or trial (nothing here can be
signed, sent to a pharmacy or dispensed). :mod:`lowdose.interop.fhir.history` decides what is
stored; :func:`apps.fhir.importing.import_bundle` is the only writer.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient
from lowdose.interop.fhir import HistoryResource

__all__ = ["HistoryRecord", "history_shown_to"]


class HistoryRecord(models.Model):
    """One resource kept from another record, as it was sent (without id, meta and subject)."""

    KINDS = (
        ("MedicationRequest", "Order"),
        ("MedicationDispense", "Dispensing"),
        ("Condition", "Diagnosis"),
        ("Practitioner", "Care professional"),
        ("Observation", "N-of-1 trial result"),
    )

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="history")
    resource_type = models.CharField(max_length=32, choices=KINDS)
    #: The sender's ``fullUrl`` (or one made from the content): references between kept
    #: resources use it, and the same resource sent again is recognised by it.
    full_url = models.CharField(max_length=400)
    resource = models.JSONField()
    summary = models.TextField()
    #: The day it happened (dispensed, result issued), for ``?since=``; none for an order.
    occurred_on = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("imported_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("patient", "full_url"), name="history_once_per_patient")
        ]

    def __str__(self) -> str:
        return f"{self.get_resource_type_display()} from another record (patient {self.patient_id})"

    def to_core(self) -> HistoryResource:
        return HistoryResource(
            resource_type=self.resource_type,
            full_url=self.full_url,
            resource=dict(self.resource),
            summary=self.summary,
            occurred_on=self.occurred_on,
        )


def history_shown_to(is_patient: bool, patient: Patient) -> list[HistoryRecord]:
    """The history of ``patient`` a reader sees: a patient never sees a draft order (a draft is
    its prescriber's until signed, here as in the export)."""
    rows = list(HistoryRecord.objects.filter(patient=patient))
    if is_patient:
        rows = [
            r
            for r in rows
            if not (r.resource_type == "MedicationRequest" and r.resource.get("status") == "draft")
        ]
    return rows
