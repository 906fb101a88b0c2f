"""Login rate limits are checked before any password is hashed."""

from __future__ import annotations

import ipaddress
import time
from typing import Any
from unittest import mock

import pytest
from conftest import PASSWORD
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from apps.accounts.models import Patient


def _login(username: str, password: str, address: str = "198.51.100.1") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def _token(username: str, password: str, address: str = "198.51.100.1") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


@pytest.fixture
def hasher_calls() -> Any:
    """Spy on the (test) password hasher: every hash or check of a password passes here."""
    with (
        mock.patch.object(
            MD5PasswordHasher, "verify", autospec=True, side_effect=MD5PasswordHasher.verify
        ) as v,
        mock.patch.object(
            MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
        ) as e,
    ):
        yield lambda: v.call_count + e.call_count


def test_a_refused_login_never_reaches_the_hasher(
    patient: Patient, settings: Any, hasher_calls: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS):
        assert _login("patient", "wrong").status_code == 200
    before = hasher_calls()
    assert before >= settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS

    page = _login("patient", PASSWORD)
    api = _token("patient", PASSWORD)

    assert page.status_code == 429
    assert "Too many failed logins" in page.content.decode()
    assert int(page["Retry-After"]) > 0
    assert api.status_code == 429
    assert hasher_calls() == before  # no Argon2 (here MD5) work for a refused attempt


def test_the_pair_limit_does_not_lock_the_person_out_from_elsewhere(
    patient: Patient, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS):
        _login("patient", "wrong", address="203.0.113.66")
    assert _login("patient", PASSWORD, address="203.0.113.66").status_code == 429
    assert _login("patient", PASSWORD, address="198.51.100.7").status_code == 302


def test_one_address_guessing_many_usernames_is_refused(
    patient: Patient, settings: Any, hasher_calls: Any
) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    for n in range(6):
        _login(f"nobody{n}", "wrong", address="203.0.113.5")
    before = hasher_calls()
    assert _login("patient", PASSWORD, address="203.0.113.5").status_code == 429
    assert hasher_calls() == before
    assert _login("patient", PASSWORD, address="198.51.100.8").status_code == 302


def test_guessing_one_username_from_many_addresses_is_slowed_not_locked(
    patient: Patient, settings: Any
) -> None:
    settings.LOGIN_FAILURES_PER_USERNAME = 4
    for n in range(4):
        _login("patient", "wrong", address=f"203.0.113.{n + 10}")
    # Right after a failure, the next try on this username waits a few seconds, from anywhere…
    slowed = _login("patient", PASSWORD, address="198.51.100.9")
    assert slowed.status_code == 429
    assert int(slowed["Retry-After"]) <= settings.LOGIN_USERNAME_SPACING.total_seconds()
    # …and once the spacing has passed, the real person gets in.
    with mock.patch(
        "apps.accounts.throttle.time.time",
        return_value=time.time() + settings.LOGIN_USERNAME_SPACING.total_seconds(),
    ):
        assert _login("patient", PASSWORD, address="198.51.100.9").status_code == 302


def test_a_correct_login_forgives_earlier_typos_from_that_address(
    patient: Patient, settings: Any
) -> None:
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS - 1):
        _login("patient", "wrong")
    assert _login("patient", PASSWORD).status_code == 302
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS - 1):
        _login("patient", "wrong")
    assert _login("patient", PASSWORD).status_code == 302


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(
    patient: Patient, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.1/32"),)

    def via_proxy(forwarded: str, password: str) -> int:
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        data = {"username": "patient", "password": password}
        return int(client.post("/accounts/login/", data).status_code)

    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1").post(
            "/accounts/login/", {"username": "patient", "password": "wrong"}
        )
    # Refused for the guesser behind the proxy, not for another client behind the same proxy.
    assert via_proxy("203.0.113.1", PASSWORD) == 429
    assert via_proxy("198.51.100.44", PASSWORD) == 302
