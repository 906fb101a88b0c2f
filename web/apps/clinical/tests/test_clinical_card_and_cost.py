"""The wallet card shows the dose prescribed for today and the plan; the cost page prices the
capsule strengths the worksheet compounds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

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


@pytest.fixture
def cost_page(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    patient: Patient,
) -> Callable[..., tuple[Any, str]]:
    """The cost page of an 85-day prescription at a pharmacy listing capsule packs of the given
    strengths at the given prices: ``(the pharmacy's row, the page's text)``."""

    def priced(prices: dict[str, str], pack: int = 30) -> tuple[Any, str]:
        pharmacy = pharmacist.pharmacies.get()
        rx = make_prescription(patient, clinician, pharmacy=pharmacy, days=85)
        for strength, price in prices.items():
            PriceEntry.objects.create(
                pharmacy=pharmacy,
                form="capsule",
                strength_mg=Decimal(strength),
                pack_size=Decimal(pack),
                price=Decimal(price),
                currency="USD",
            )
        page = client_for(clinician).get(f"/patients/{patient.pk}/prescriptions/{rx.pk}/cost/")
        (row,) = page.context["rows"]
        return row, " ".join(page.content.decode().split())

    return priced


def test_the_cost_page_prices_the_prescription_as_written_when_the_cheapest_differs(
    cost_page: Callable[..., tuple[Any, str]],
) -> None:
    """The worksheet makes one capsule of each dose's strength: when the cheapest purchase
    combines capsules instead, the page gives the price of what is prescribed too, and says
    what to ask the pharmacy."""
    strengths = ("0.5", "1.5", "2", "2.5", "3", "3.5", "4", "4.5")

    row, text = cost_page({s: "5.00" if s == "0.5" else "30.00" for s in strengths})

    assert row.prescription_differs
    written = row.as_prescribed.trial_12_weeks
    # one capsule a dose for 14 days at each of 1.5 ... 4 mg: six packs of 30 at 30.00
    assert written.total.amount == Decimal("180.00")
    assert all(len(d.capsules_mg) == 1 for d in written.doses)
    assert "As prescribed, one capsule of each dose's strength" in text
    assert "180.00 USD for the trial" in text
    assert "ask it before you order" in text


def test_the_cost_page_says_when_the_prescription_as_written_cannot_be_priced(
    cost_page: Callable[..., tuple[Any, str]],
) -> None:
    # no 3 mg capsules: the 3 mg dose is only 2.5 + 0.5
    row, text = cost_page(dict.fromkeys(("0.5", "1.5", "2", "2.5", "3.5", "4", "4.5"), "30.00"))

    assert row.cost is not None
    assert row.as_prescribed is None
    assert "this pharmacy cannot be priced" in text
    assert "makes the 3 mg dose in one capsule; ask the pharmacy to publish 3 mg capsules" in text


def test_no_second_price_when_the_cheapest_is_the_prescription_as_written(
    cost_page: Callable[..., tuple[Any, str]],
) -> None:
    # packs of 14, one step of the plan each: nothing is left over to combine, so one capsule
    # of the dose's strength is the cheapest way to take every dose
    strengths = ("1.5", "2", "2.5", "3", "3.5", "4", "4.5")

    row, text = cost_page(dict.fromkeys(strengths, "14.00"), pack=14)

    assert not row.prescription_differs
    assert "As prescribed" not in text
