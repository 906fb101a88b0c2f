"""The demo clinic's clinical data loads idempotently and walks the path a visitor follows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from apps.accounts.locale import when
from apps.accounts.models import Patient, User
from apps.clinical.models import Assignment, Medication, Prescription
from apps.clinical.queries import current_dose_for
from apps.clinical.screening import screen_patient
from apps.demo.clinic import load_demo
from apps.pharmacy.models import PriceEntry

pytestmark = pytest.mark.django_db


def test_the_clinical_demo_loads_twice_without_change(
    client_for: Callable[[User | None], Client],
) -> None:
    load_demo()
    counts = (PriceEntry.objects.count(), Medication.objects.count(), Prescription.objects.count())
    load_demo()
    assert Assignment.objects.count() == 1
    assert counts == (
        PriceEntry.objects.count(),
        Medication.objects.count(),
        Prescription.objects.count(),
    )
    assert counts == (19, 4, 2)

    sam = Patient.objects.get(user__username="patient2")
    assert screen_patient(sam).status == "contraindicated"  # tramadol: the hard stop to resolve
    alex = Patient.objects.get(user__username="patient")
    assert screen_patient(alex).can_sign

    # One treatment story: the titration the diary records, dispensed, ending yesterday on
    # 4.5 mg; then 4.5 mg to the day before the N-of-1 trial starts, signed for the pharmacy.
    done, rx = Prescription.objects.order_by("start_date")
    assert done.status == "dispensed"
    assert done.plan()[-1].dose_mg == Decimal("4.5")
    assert rx.status == "signed"
    assert rx.plan_title == "Continue at 4.5 mg"
    assert [(s.dose_mg, s.days) for s in rx.plan()] == [(Decimal("4.5"), 7)]
    trial = alex.nof1_trials.get()
    assert rx.end_date == trial.start - timedelta(days=1)
    assert done.end_date == rx.start_date - timedelta(days=1)
    current = current_dose_for(alex)
    assert current is not None
    assert current.dose_mg == Decimal("4.5")
    card = client_for(alex.user).get(f"/patients/{alex.pk}/wallet-card/").context["card"]
    assert "4.5 mg daily" in card.lines[0]
    assert f"Taking naltrexone since: {when(done.start_date)}" in card.details
    pharmacist = User.objects.get(username="pharmacist")
    assert client_for(pharmacist).get("/pharmacy/").context["to_make"] == [rx]

    page = client_for(alex.user).get(f"/patients/{alex.pk}/prescriptions/{rx.pk}/cost/")
    monthly = {row.pharmacy: row.cost.monthly.amount for row in page.context["rows"]}
    # The published prices come to the $30–100 a month the sources quote.
    assert len(monthly) == 2
    assert all(30 <= amount <= 100 for amount in monthly.values())
