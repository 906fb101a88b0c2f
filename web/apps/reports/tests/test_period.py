"""The period rule: since the last visit (a clinician's questionnaire or a signed prescription
before today), else from the first check-in, at most 84 days back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from apps.clinical.models import AssessmentResult, Prescription
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from apps.reports.period import DEFAULT_DAYS, period_for
from lowdose import instruments


def _clinician_result(patient: Patient, by: User, days_ago: int) -> None:
    result = instruments.score("phq2", {"item1": 1, "item2": 0})
    AssessmentResult.objects.create(
        patient=patient,
        instrument="phq2",
        version=result.version,
        total=str(result.total),
        band=result.band or "",
        interpretation=result.interpretation,
        result=result.to_dict(),
        completed_on=patient_today(patient) - timedelta(days=days_ago),
        completed_by=by,
    )


def test_period_starts_at_the_last_visit_not_today(patient: Patient, clinician: User) -> None:
    today = patient_today(patient)
    _clinician_result(patient, clinician, 40)
    _clinician_result(patient, clinician, 12)
    _clinician_result(patient, clinician, 0)  # today's visit does not end the period
    _clinician_result(patient, patient.user, 3)  # type: ignore[arg-type]  # the patient's own

    period = period_for(patient)

    assert (period.start, period.end, period.rule) == (
        today - timedelta(days=12),
        today,
        "last_visit",
    )
    assert period.last_visit == today - timedelta(days=12)


def test_a_signed_prescription_is_a_visit(patient: Patient, clinician: User) -> None:
    pharmacy = Pharmacy.objects.create(name="Report pharmacy")
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    Prescription.objects.filter(pk=rx.pk).update(signed_at=timezone.now() - timedelta(days=9))

    assert period_for(patient).start == patient_today(patient) - timedelta(days=9)


def test_without_a_visit_from_the_first_checkin_at_most_84_days(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    today = patient_today(patient)
    make_checkin(patient, 20)
    assert (period_for(patient).start, period_for(patient).rule) == (
        today - timedelta(days=20),
        "first_checkin",
    )
    make_checkin(patient, 200)
    assert period_for(patient).start == today - timedelta(days=DEFAULT_DAYS - 1)


def test_chosen_dates_replace_the_rule(patient: Patient) -> None:
    today = patient_today(patient)
    start = (today - timedelta(days=30)).isoformat()
    end = (today - timedelta(days=2)).isoformat()

    period = period_for(patient, start, end)

    assert (period.start.isoformat(), period.end.isoformat(), period.rule, period.days) == (
        start,
        end,
        "chosen",
        29,
    )
