"""Pharmacists publish prices on their own pharmacies' lists; the core validates each entry."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from apps.accounts.models import Pharmacy, User
from apps.pharmacy.models import PriceEntry

pytestmark = pytest.mark.django_db


def _post(client: Client, pharmacy: Pharmacy, **body: str) -> object:
    return client.post("/pharmacy/prices/", {"pharmacy": str(pharmacy.pk), **body}, follow=True)


def test_publish_and_withdraw(
    client_for: Callable[[User | None], Client], pharmacist: User
) -> None:
    pharmacy = pharmacist.pharmacies.get()
    client = client_for(pharmacist)
    _post(
        client, pharmacy, form="liquid", per_unit="1", pack_size="100", price="25", in_use_days="14"
    )
    entry = PriceEntry.objects.get()
    assert entry.to_core().description == (
        "1 mg/mL liquid, 100 mL (used within 14 days of opening)"
    )
    _post(client, pharmacy, op="withdraw", entry=str(entry.pk))
    assert not PriceEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"form": "liquid", "per_unit": "1", "pack_size": "100", "price": "25"}, b"in_use_days"),
        ({"form": "capsule", "per_unit": "4.5", "pack_size": "30", "price": "-1"}, b"negative"),
        ({"form": "capsule", "per_unit": "x", "pack_size": "30", "price": "1"}, b"must be numbers"),
        (
            {
                "form": "capsule",
                "per_unit": "4.5",
                "pack_size": "30",
                "price": "1",
                "currency": "XYZ",
            },
            b"is not an active ISO 4217 currency code",
        ),
        (
            {
                "form": "capsule",
                "per_unit": "4.5",
                "pack_size": "30",
                "price": "1000.5",
                "currency": "JPY",
            },
            b"a price in JPY has no decimals",
        ),
        (
            {"form": "capsule", "per_unit": "4.5", "pack_size": "30", "price": "30.001"},
            b"a price in USD has at most 2 decimals",
        ),
    ],
)
def test_bad_entries_are_refused_with_the_reason(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    body: dict[str, str],
    reason: bytes,
) -> None:
    response = _post(client_for(pharmacist), pharmacist.pharmacies.get(), **body)
    assert reason in response.content  # type: ignore[attr-defined]
    assert not PriceEntry.objects.exists()


def test_one_currency_per_list(
    client_for: Callable[[User | None], Client], pharmacist: User
) -> None:
    pharmacy = pharmacist.pharmacies.get()
    client = client_for(pharmacist)
    _post(client, pharmacy, form="capsule", per_unit="4.5", pack_size="30", price="35")
    response = _post(
        client, pharmacy, form="capsule", per_unit="1.5", pack_size="30", price="30", currency="GBP"
    )
    assert b"mix currencies" in response.content  # type: ignore[attr-defined]
    assert PriceEntry.objects.count() == 1


def test_prices_show_their_currencys_minor_units(
    client_for: Callable[[User | None], Client], pharmacist: User
) -> None:
    pharmacy = pharmacist.pharmacies.get()
    client = client_for(pharmacist)
    _post(
        client,
        pharmacy,
        form="capsule",
        per_unit="4.5",
        pack_size="30",
        price="7.125",
        currency="bhd",
    )
    entry = PriceEntry.objects.get()
    assert str(entry.to_core().price) == "7.125 BHD"
    page = client.get("/pharmacy/prices/")
    assert b"7.125 BHD" in page.content
    entry.delete()
    _post(
        client,
        pharmacy,
        form="capsule",
        per_unit="4.5",
        pack_size="30",
        price="1200",
        currency="JPY",
    )
    page = client.get("/pharmacy/prices/")
    assert b"1200 JPY" in page.content
    assert b"1200.00" not in page.content


def test_another_pharmacys_list_cannot_be_changed(
    client_for: Callable[[User | None], Client], pharmacist: User
) -> None:
    other = Pharmacy.objects.create(name="Elsewhere")
    response = _post(
        client_for(pharmacist), other, form="capsule", per_unit="4.5", pack_size="30", price="1"
    )
    assert b"Choose one of your pharmacies" in response.content  # type: ignore[attr-defined]
    assert not PriceEntry.objects.exists()
