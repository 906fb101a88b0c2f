"""The clinical app's facts about a patient's treatment, registered with
:mod:`apps.accounts.treatment` when Django starts (:class:`apps.clinical.apps.ClinicalConfig`)."""

from __future__ import annotations

from apps.accounts.models import Patient
from apps.clinical.models import Prescription
from apps.clinical.screening import safety_hold

__all__ = ["ClinicalPrescriptionFacts"]


class ClinicalPrescriptionFacts:
    """:class:`apps.accounts.treatment.PrescriptionFacts` from the stored prescriptions and the
    safety screen."""

    def prescribed(self, patient_ids: list[int]) -> set[int]:
        rows = Prescription.objects.filter(
            patient_id__in=patient_ids,
            status__in=(Prescription.Status.SIGNED, Prescription.Status.DISPENSED),
        )
        return set(rows.values_list("patient_id", flat=True))

    def safety_hold(self, patient: Patient) -> bool:
        return safety_hold(patient)
