"""The wallet card shows the dose prescribed for today and the plan; the cost page prices the
capsule strengths the worksheet compounds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from apps.accounts.locale import when
from apps.accounts.models import Patient, User
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from apps.pharmacy.models import PriceEntry
from lowdose.regimens import get_protocol

pytestmark = pytest.mark.django_db


def test_the_card_shows_todays_dose_of_the_plan_and_when_treatment_started(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    patient: Patient,
) -> None:
    today = patient_today(patient)
    first = today - timedelta(days=84)
    pharmacy = pharmacist.pharmacies.get()
    make_prescription(  # 4.5 mg from day 85 (today) to day 112
        patient, clinician, status="dispensed", pharmacy=pharmacy, start=first, days=112
    )
    make_prescription(  # a later plan that starts in a week does not prescribe today
        patient, clinician, pharmacy=pharmacy, start=today + timedelta(days=7), days=85
    )

    card = client_for(patient.user).get(f"/patients/{patient.pk}/wallet-card/").context["card"]

    assert card.lines[0] == "I take low-dose naltrexone (LDN) 4.5 mg daily, an opioid blocker."
    assert f"Taking naltrexone since: {when(first)}" in card.details
    end = first + timedelta(days=111)
    title = get_protocol("ldnrt-standard").title
    assert f"Plan: {title}, {when(first)} to {when(end)}" in card.details


def test_the_cost_page_prices_the_cheapest_capsules_at_most_two_a_dose(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    patient: Patient,
) -> None:
    pharmacy = pharmacist.pharmacies.get()
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, days=85)
    for strength in ("0.5", "1.5", "2", "2.5", "3", "3.5", "4", "4.5"):
        PriceEntry.objects.create(
            pharmacy=pharmacy,
            form="capsule",
            strength_mg=Decimal(strength),
            pack_size=Decimal(30),
            price=Decimal("5.00") if strength == "0.5" else Decimal("30.00"),
            currency="USD",
        )

    page = client_for(clinician).get(f"/patients/{patient.pk}/prescriptions/{rx.pk}/cost/")

    (row,) = page.context["rows"]
    trial = row.cost.trial_12_weeks
    # 14 days at each of 1.5 ... 4 mg. One capsule per dose: six packs of 30 = 180.00. Taking
    # 2, 3 and 4 mg as 1.5, 2.5 and 3.5 mg plus a 0.5 mg capsule: 42 capsules of 0.5 mg (two
    # packs, 10.00) and one pack each of 1.5, 2.5 and 3.5 mg (90.00) = 100.00.
    assert [(line.entry.strength_mg, line.packs) for line in trial.lines] == [
        (Decimal("0.5"), 2),
        (Decimal("1.5"), 1),
        (Decimal("2.5"), 1),
        (Decimal("3.5"), 1),
    ]
    assert trial.total.amount == Decimal("100.00")
    assert all(len(d.capsules_mg) <= 2 for d in trial.doses)
    assert "3 mg: 1 × 2.5 mg capsule + 1 × 0.5 mg capsule" in page.content.decode()
    assert "18 capsules not used" in page.content.decode()
