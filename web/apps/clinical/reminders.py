"""The clinical app's facts for reminders, registered with :mod:`apps.notifications.facts` when
Django starts (:class:`apps.clinical.apps.ClinicalConfig`): titration steps and tonight's dose
from the signed or dispensed prescriptions, questionnaires from the assignments. One query each
for any number of patients."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apps.clinical.models import Assignment, Prescription
from lowdose.errors import RegimenError, UnknownInstrumentError
from lowdose.instruments import registry
from lowdose.regimens import DoseTime

__all__ = ["ClinicalPlanFacts"]


def _current(patient_ids: list[int]) -> dict[int, Prescription]:
    """Each patient's newest signed or dispensed prescription."""
    rows = Prescription.objects.filter(
        patient_id__in=patient_ids,
        status__in=(Prescription.Status.SIGNED, Prescription.Status.DISPENSED),
    ).order_by("patient_id", "-signed_at", "-pk")
    found: dict[int, Prescription] = {}
    for row in rows:
        found.setdefault(row.patient_id, row)
    return found


def _title(instrument: str) -> str:
    try:
        return registry.get(instrument).title
    except UnknownInstrumentError:
        return "a questionnaire from your clinic"


class ClinicalPlanFacts:
    """:class:`apps.notifications.facts.PlanFacts` from prescriptions and assignments."""

    def titration_steps(self, patient_ids: list[int], day: date) -> dict[int, Decimal]:
        steps: dict[int, Decimal] = {}
        for patient_id, prescription in _current(patient_ids).items():
            for step in prescription.plan():
                if step.start == day:
                    steps[patient_id] = step.dose_mg
        return steps

    def tonights_doses(self, patient_ids: list[int], day: date) -> dict[int, Decimal]:
        doses: dict[int, Decimal] = {}
        for patient_id, prescription in _current(patient_ids).items():
            try:  # with its open-ended maintenance step: the dose after this supply too
                plan = prescription.ongoing_plan()
            except RegimenError:  # a protocol no longer shipped: the stored steps still hold
                plan = prescription.plan()
            for step in plan:
                if step.contains(day):
                    doses[patient_id] = step.dose_mg
        return doses

    def morning_dosers(self, patient_ids: list[int]) -> set[int]:
        return {
            pid
            for pid, prescription in _current(patient_ids).items()
            if prescription.dose_time == DoseTime.MORNING
        }

    def questionnaires_due(self, patient_ids: list[int], day: date) -> dict[int, list[str]]:
        due: dict[int, list[str]] = {}
        for assignment in Assignment.objects.filter(patient_id__in=patient_ids, start__lte=day):
            dates = assignment.schedule().due_dates(until=day)
            if dates and dates[-1].due == day:
                due.setdefault(assignment.patient_id, []).append(_title(assignment.instrument))
        return due
