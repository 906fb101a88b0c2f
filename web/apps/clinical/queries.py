"""Read-side helpers: the patient's "today" (the screen itself: :mod:`apps.clinical.screening`)
and the dose they are on now (:func:`current_dose_for`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apps.accounts import treatment
from apps.accounts.models import Patient
from apps.checkins.models import Checkin
from apps.clinical.models import Prescription
from lowdose.regimens import CurrentDose, TrialWindow, current_dose

__all__ = ["current_dose_for", "open_trial_windows", "patient_today"]


def patient_today(patient: Patient) -> date:
    """Today's date where the patient lives (:meth:`Patient.today`)."""
    return patient.today()


def current_dose_for(patient: Patient, today: date | None = None) -> CurrentDose | None:
    """The dose the patient is on (:func:`lowdose.regimens.current_dose`): the plans that were
    dispensed and the doses the diary records as taken (a blinded trial kit has no dose and is
    left out), or ``None`` when nothing is current."""
    day = patient_today(patient) if today is None else today
    plans = [rx.plan() for rx in patient.prescriptions.filter(status=Prescription.Status.DISPENSED)]
    taken = [
        (row.day, Decimal(row.dose_mg).normalize())
        for row in Checkin.objects.in_diary()
        .filter(
            patient=patient,
            dose_status="taken",
            dose_mg__isnull=False,
            day__lte=day,
        )
        .order_by("day")
        .only("day", "dose_mg")
        if row.dose_mg is not None
    ]
    return current_dose(plans, taken, day)


def open_trial_windows(patient: Patient, today: date | None = None) -> list[TrialWindow]:
    """The days held by the patient's N-of-1 trials that have not ended (designed, kits
    prepared, plan locked or running), from the first period's run-in to the last blinded day
    (the N-of-1 app tells: :func:`apps.accounts.treatment.open_trial_windows`)."""
    return treatment.open_trial_windows(patient, patient_today(patient) if today is None else today)
