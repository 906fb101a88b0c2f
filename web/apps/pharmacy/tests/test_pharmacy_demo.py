"""The demo clinic's clinical data loads idempotently and walks the path a visitor follows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from apps.accounts.management.demo import load_demo
from apps.accounts.models import Patient, User
from apps.clinical.models import Assignment, Medication, Prescription
from apps.clinical.screening import screen_patient
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
    assert counts == (7, 4, 1)

    sam = Patient.objects.get(user__username="patient2")
    assert screen_patient(sam).status == "contraindicated"  # tramadol: the hard stop to resolve
    alex = Patient.objects.get(user__username="patient")
    assert screen_patient(alex).can_sign

    rx = Prescription.objects.get()
    assert rx.status == "signed"
    pharmacist = User.objects.get(username="pharmacist")
    assert client_for(pharmacist).get("/pharmacy/").context["to_make"] == [rx]

    page = client_for(alex.user).get(f"/patients/{alex.pk}/prescriptions/{rx.pk}/cost/")
    monthly = {row.pharmacy: row.cost.monthly.amount for row in page.context["rows"]}
    # The published prices come to the $30–100 a month the sources quote.
    assert len(monthly) == 2
    assert all(30 <= amount <= 100 for amount in monthly.values())
