"""The pharmacy's balance: its minimum weighable quantity is set by its pharmacists (audited),
and worksheets triturate what is smaller; absurd orders are refused at dispensing, unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from apps.accounts.models import Clinic, Patient, Pharmacy, User
from apps.audit.models import AuditEvent
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from apps.pharmacy.models import Dispensing
from lowdose.regimens import TitrationStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


def _set(client: Client, pharmacy: Pharmacy, value: str) -> object:
    return client.post(
        "/pharmacy/balance/", {"pharmacy": str(pharmacy.pk), "min_weighable_mg": value}
    )


def test_a_new_pharmacy_starts_at_the_class_iii_balance_figure(pharmacy: Pharmacy) -> None:
    assert pharmacy.min_weighable_mg == Decimal(120)
    assert pharmacy.min_weighable_text == "120"


def test_the_pharmacist_sets_the_balance_and_it_is_audited(
    client_for: Callable[[User | None], Client], pharmacist: User, pharmacy: Pharmacy
) -> None:
    client = client_for(pharmacist)
    page = client.get("/pharmacy/balance/")
    assert page.status_code == 200
    assert b"Now: <strong>120 mg</strong>" in page.content
    response = _set(client, pharmacy, "8.2")
    assert response.status_code == 302  # type: ignore[attr-defined]
    pharmacy.refresh_from_db()
    assert pharmacy.min_weighable_mg == Decimal("8.2")
    event = AuditEvent.objects.get(action="pharmacy.settings.balance")
    assert event.detail == {"min_weighable_mg": {"from": "120.000", "to": "8.2"}}
    assert b"Now: <strong>8.2 mg</strong>" in client.get("/pharmacy/balance/").content


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("heavy", b"in milligrams, from 1 to 1000"),
        ("0", b"in milligrams, from 1 to 1000"),
        ("-5", b"in milligrams, from 1 to 1000"),
        ("5000", b"in milligrams, from 1 to 1000"),
        ("NaN", b"in milligrams, from 1 to 1000"),
        ("Infinity", b"in milligrams, from 1 to 1000"),
        ("12.34567", b"at most three decimals"),
        ("", b"in milligrams, from 1 to 1000"),
    ],
)
def test_bad_values_are_refused_with_the_reason_and_change_nothing(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    pharmacy: Pharmacy,
    value: str,
    reason: bytes,
) -> None:
    response = _set(client_for(pharmacist), pharmacy, value)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert reason in response.content  # type: ignore[attr-defined]
    pharmacy.refresh_from_db()
    assert pharmacy.min_weighable_mg == Decimal(120)
    assert not AuditEvent.objects.filter(action="pharmacy.settings.balance").exists()


def test_another_pharmacys_balance_cannot_be_changed(
    client_for: Callable[[User | None], Client], pharmacist: User, clinic: Clinic
) -> None:
    other = Pharmacy.objects.create(name="Elsewhere")
    response = _set(client_for(pharmacist), other, "10")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert b"Choose one of your pharmacies" in response.content  # type: ignore[attr-defined]
    other.refresh_from_db()
    assert other.min_weighable_mg == Decimal(120)


@pytest.mark.parametrize("role", ["patient", "clinician", "admin_user"])
def test_other_roles_do_not_see_the_page(
    client_for: Callable[[User | None], Client],
    pharmacy: Pharmacy,
    role: str,
    request: pytest.FixtureRequest,
) -> None:
    person = request.getfixturevalue(role)
    client = client_for(person.user if isinstance(person, Patient) else person)
    assert client.get("/pharmacy/balance/").status_code == 404
    assert _set(client, pharmacy, "10").status_code == 404  # type: ignore[attr-defined]
    pharmacy.refresh_from_db()
    assert pharmacy.min_weighable_mg == Decimal(120)


def test_anonymous_is_sent_to_sign_in(client: Client, pharmacy: Pharmacy) -> None:
    assert client.get("/pharmacy/balance/").status_code == 302
    assert _set(client, pharmacy, "10").status_code == 302  # type: ignore[attr-defined]


def _url(rx: object, page: str) -> str:
    return f"/patients/{rx.patient_id}/prescriptions/{rx.pk}/{page}/"  # type: ignore[attr-defined]


def test_the_worksheet_triturates_what_the_pharmacy_balance_cannot_weigh(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    client = client_for(pharmacist)
    # ldnrt-standard: 14 capsules of 1.5 mg = 21 mg of powder, under 120 mg: a 1 in 10
    # trituration (120 mg + 1080 mg filler; weigh 210 mg of it)
    page = client.get(_url(rx, "worksheet") + "?source=api")
    _, first, _ = page.context["sheets"][0]
    (trituration,) = first.dilutions
    assert (trituration.factor, str(trituration.aliquot)) == (10, "210 mg")
    assert b"Trituration, 1 in 10: 21 mg naltrexone HCl is too little to weigh" in page.content
    assert b"It holds 210 mg \xc3\x97 120 mg \xc3\xb7 1200 mg = 21 mg naltrexone HCl" in (
        page.content
    )
    # a balance accurate to 10 mg weighs the 21 mg directly
    _set(client, pharmacy, "10")
    page = client.get(_url(rx, "worksheet") + "?source=api")
    _, first, _ = page.context["sheets"][0]
    assert first.dilutions == ()
    assert first.weighings[0] == ("naltrexone HCl", first.naltrexone_made)
    assert b"Nothing under 10 mg" in page.content


def test_capsules_from_tablets_use_the_fewest_tablets(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    page = client_for(pharmacist).get(_url(rx, "worksheet") + "?source=tablets")
    # 14 x 1.5 mg = 21 mg: one 50 mg tablet (blend 50 x 225 / 1.5 = 7500 mg)
    _, first, _ = page.context["sheets"][0]
    assert str(first.ingredients[0].quantity) == "1 tablet"
    assert first.weighings == (("blend made up to", first.weighings[0][1]),)
    assert str(first.weighings[0][1]) == "7500 mg"


def test_an_absurd_dose_is_refused_at_dispensing_and_nothing_is_stored(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, days=14)
    first = patient_today(patient)
    rx.steps = [
        TitrationStep(
            start=first, end=first + timedelta(days=13), dose_mg=Decimal("0.05")
        ).to_dict()
    ]
    rx.save(update_fields=["steps"])
    client = client_for(pharmacist)
    page = client.get(_url(rx, "worksheet"))
    assert b"below the lowest LDN capsule of 0.1 mg" in page.content
    response = client.post(_url(rx, "dispense"), {"lot": "LOT-1", "source": "api"})
    assert response.status_code == 400
    assert b"below the lowest LDN capsule of 0.1 mg" in response.content
    assert not Dispensing.objects.exists()
    rx.refresh_from_db()
    assert rx.status == "signed"
