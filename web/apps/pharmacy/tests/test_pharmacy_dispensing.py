"""Pharmacy: the queue shows only prescriptions routed to the pharmacist's pharmacies, the
worksheet carries the core's quantities, dispensing is recorded once, and the cost page pins
hand-computed pack arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from apps.accounts.models import Clinic, Patient, Pharmacy, Role, User
from apps.audit.models import AuditEvent
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from apps.pharmacy.models import Dispensing, PriceEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


@pytest.fixture
def rival(clinic: Clinic) -> User:
    """A pharmacist of another pharmacy."""
    user = User.objects.create_user("rival", password="x", role=Role.PHARMACIST, clinic=clinic)
    Pharmacy.objects.create(name="Rival pharmacy").pharmacists.add(user)
    return user


def _url(rx: object, page: str) -> str:
    return f"/patients/{rx.patient_id}/prescriptions/{rx.pk}/{page}/"  # type: ignore[attr-defined]


def test_the_queue_lists_only_signed_prescriptions_routed_here(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    rival: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    mine = make_prescription(patient, clinician, pharmacy=pharmacy)
    theirs = make_prescription(patient, clinician, pharmacy=rival.pharmacies.get())
    draft = make_prescription(patient, clinician, status="draft")
    page = client_for(pharmacist).get("/pharmacy/")
    rows = page.context["to_make"]
    assert rows == [mine]
    assert theirs not in rows
    assert draft not in rows
    [queue] = AuditEvent.objects.filter(action="prescriptions.queue")  # one event for the list
    assert queue.detail == {"patient_ids": [patient.pk]}


def test_a_pharmacist_of_another_pharmacy_gets_404_everywhere(
    client_for: Callable[[User | None], Client],
    rival: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    client = client_for(rival)
    assert client.get(_url(rx, "worksheet")).status_code == 404
    assert client.post(_url(rx, "dispense"), {"lot": "X"}).status_code == 404
    assert client.get(f"/patients/{patient.pk}/prescriptions/{rx.pk}/").status_code == 404
    assert client.get(f"/patients/{patient.pk}/checkins.csv").status_code == 404  # never check-ins
    assert not Dispensing.objects.exists()
    assert AuditEvent.objects.filter(actor_username="rival", outcome="denied").count() == 4


def test_a_pharmacist_never_sees_a_draft(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, status="draft")
    rx.pharmacy = pharmacy  # even if a pharmacy were set on a draft
    rx.save()
    assert client_for(pharmacist).get(_url(rx, "worksheet")).status_code == 404


def test_capsule_worksheet_and_dispensing(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    client = client_for(pharmacist)
    page = client.get(_url(rx, "worksheet"))
    # ldnrt-standard, 84 days: six 14-day steps 1.5 … 4 mg → one worksheet per strength.
    sheets = page.context["sheets"]
    assert [s.dispensed.value for _, s, _ in sheets] == [14] * 6
    assert b"Microcrystalline cellulose" in page.content or b"microcrystalline" in page.content
    assert b"180 days" in page.content

    response = client.post(_url(rx, "dispense"), {"lot": "LOT-7", "source": "api"})
    assert response.status_code == 302
    rows = list(Dispensing.objects.filter(prescription=rx))
    assert [r.batch for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {r.lot for r in rows} == {"LOT-7"}
    assert all(r.beyond_use_date == r.compounded_on + timedelta(days=180) for r in rows)
    rx.refresh_from_db()
    assert rx.status == "dispensed"
    event = AuditEvent.objects.filter(action="prescriptions.dispense", detail__isnull=False).get()
    assert (event.detail or {})["batches"] == [1, 2, 3, 4, 5, 6]

    again = client.post(_url(rx, "dispense"), {"lot": "LOT-8"})
    assert again.status_code == 400
    assert b"already dispensed" in again.content
    assert Dispensing.objects.count() == 6


def test_a_liquid_batch_is_not_dispensed_before_its_compounding_day(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    start = patient_today(patient) + timedelta(days=3)
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, form="liquid", start=start)
    response = client_for(pharmacist).post(_url(rx, "dispense"), {"lot": "L1"})
    assert response.status_code == 400
    assert b"before it was compounded" in response.content
    assert not Dispensing.objects.exists()


def test_the_liquid_worksheet_has_exact_volumes_per_bud_window(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, form="liquid")
    page = client_for(pharmacist).get(_url(rx, "worksheet"))
    sheets = [s for _, s, _ in page.context["sheets"]]
    # 12 weeks of ldnrt-standard at 1 mg/mL, unpreserved (14-day BUD): six windows
    # 21, 28, 35, 42, 49, 56 mL = 231 mL (docs/compounding.md).
    assert [s.dispensed.value for s in sheets] == [21, 28, 35, 42, 49, 56]
    assert sum(s.dispensed.value for s in sheets) == 231


def test_the_cost_page_pins_hand_computed_pack_arithmetic(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    PriceEntry.objects.create(
        pharmacy=pharmacy,
        form="liquid",
        concentration_mg_per_ml=Decimal(1),
        pack_size=Decimal(100),
        price=Decimal("30.00"),
        currency="USD",
        in_use_days=35,
    )
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, form="liquid")
    assert patient.user is not None
    page = client_for(patient.user).get(_url(rx, "cost"))
    (row,) = page.context["rows"]
    # Trial (84 days, 231 mL): bottle 1 days 0–34 (66.5 mL, then 35 days old), bottle 2 days
    # 35–66 (98 mL; day 67's 3.5 mL does not fit), bottle 3 days 67–83 → 3 × 30 = 90.00.
    assert row.cost.trial_12_weeks.total.amount == Decimal("90.00")
    # Maintenance 4.5 mg: a 100 mL bottle holds 22 doses (inside its 35 days), 30.00 / 22 a day
    # x 30.4375 days in an average month = 41.5057 -> 41.51.
    assert row.cost.monthly.amount == Decimal("41.51")
    assert b"41.51 USD" in page.content


def test_cost_per_extra_responder_is_the_gain_over_placebo(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    PriceEntry.objects.create(
        pharmacy=pharmacy,
        form="liquid",
        concentration_mg_per_ml=Decimal(1),
        pack_size=Decimal(100),
        price=Decimal("30.00"),
        in_use_days=35,
    )
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, form="liquid")
    page = client_for(clinician).get(_url(rx, "cost"))
    evidence = page.context["evidence"]
    # FINAL 2024: 22/49 on LDN against 14/50 on placebo with >=30% pain relief.
    assert (evidence.drug_responders, evidence.drug_total) == (22, 49)
    assert (evidence.placebo_responders, evidence.placebo_total) == (14, 50)
    (row,) = page.context["rows"]
    extra = row.cost.per_extra_responder
    # 90.00 x NNT 1225/207 = 532.61 (the old 90.00 / 0.45 = 200.00 counted placebo responders).
    assert extra.estimate.amount == Decimal("532.61")
    assert extra.upper is None
    text = page.content.decode()
    assert "Cost per extra responder compared with placebo" in text
    assert "532.61 USD, at least 262.82 USD; no upper limit" in text
    assert "through infinity" in text
    assert "200.00" not in text


def test_prices_in_different_currencies_are_listed_apart_and_not_ranked(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    abroad = Pharmacy.objects.create(name="Apotheke")
    for where, price, currency in ((pharmacy, "10.00", "USD"), (abroad, "100.00", "EUR")):
        PriceEntry.objects.create(
            pharmacy=where,
            form="liquid",
            concentration_mg_per_ml=Decimal(1),
            pack_size=Decimal(100),
            price=Decimal(price),
            currency=currency,
            in_use_days=35,
        )
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, form="liquid")
    page = client_for(patient.user).get(_url(rx, "cost"))
    groups = page.context["groups"]
    assert [(g.currency, [r.pharmacy for r in g.rows]) for g in groups] == [
        ("EUR", ["Apotheke"]),
        ("USD", [pharmacy.name]),
    ]
    text = page.content.decode()
    assert "Each currency is listed separately and never compared" in text
    assert "Prices in EUR" in text
    assert "Prices in USD" in text


def test_the_visit_report_quotes_the_cheapest_only_within_one_currency(
    clinician: User, patient: Patient, pharmacy: Pharmacy
) -> None:
    from apps.reports.contents import _cost

    abroad = Pharmacy.objects.create(name="Apotheke")
    for where, price, currency in ((pharmacy, "30.00", "USD"), (abroad, "1.00", "EUR")):
        PriceEntry.objects.create(
            pharmacy=where,
            form="liquid",
            concentration_mg_per_ml=Decimal(1),
            pack_size=Decimal(100),
            price=Decimal(price),
            currency=currency,
            in_use_days=35,
        )
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, form="liquid")
    # 1.00 EUR is not "cheaper" than 30.00 USD: the report keeps to the prescription's pharmacy's
    # currency.
    quoted = _cost(rx)
    assert quoted is not None
    assert quoted["pharmacy"] == pharmacy.name
    assert quoted["monthly"] == "41.51 USD"
    elsewhere = make_prescription(
        patient, clinician, pharmacy=Pharmacy.objects.create(name="None"), form="liquid"
    )
    assert _cost(elsewhere) is None
