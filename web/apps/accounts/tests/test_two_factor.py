"""Two-factor authentication: required of staff, optional for patients, skipped only by demo
accounts the demo loader created."""

from __future__ import annotations

import re

import pytest
from conftest import PASSWORD
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.demo.clinic import DEMO_PASSWORD, load_demo


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, drift=device.drift + steps_ahead)
    return f"{code:06d}"


def _log_in(client: Client, username: str, password: str = PASSWORD) -> str:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return str(response["Location"])


def _enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code is drawn on the server
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert secret is not None
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/accounts/two-factor/setup/", {"code": _code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    return device, codes


def test_a_clinician_without_a_device_cannot_reach_the_panel_until_set_up(
    clinician: User, patient: Patient
) -> None:
    client = Client()
    _log_in(client, "clinician")
    blocked = client.get("/panel/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get(f"/patients/{patient.pk}/").status_code == 302
    assert client.get("/alerts/").status_code == 302

    device, _ = _enrol(client)

    assert device.confirmed
    assert client.get("/panel/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.enrol", actor_id=clinician.pk).exists()


def test_login_asks_staff_with_a_device_for_the_code(clinician: User) -> None:
    device = TOTPDevice.objects.create(user=clinician, name="phone", confirmed=True)
    client = Client()
    _log_in(client, "clinician")
    assert client.get("/panel/")["Location"].startswith("/accounts/two-factor/verify/")
    # A device cannot be added to get around the one already there.
    assert client.get("/accounts/two-factor/setup/")["Location"] == "/accounts/two-factor/verify/"
    wrong = client.post("/accounts/two-factor/verify/", {"code": "000000"})
    assert wrong.status_code == 400
    assert client.get("/panel/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait a second after a failure
    ok = client.post("/accounts/two-factor/verify/", {"code": _code(device), "next": "/panel/"})
    assert ok["Location"] == "/panel/"
    assert client.get("/panel/").status_code == 200


def test_a_recovery_code_works_once(clinician: User) -> None:
    client = Client()
    _log_in(client, "clinician")
    _, codes = _enrol(client)
    client.post("/accounts/logout/")

    second = Client()
    _log_in(second, "clinician")
    assert second.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 302
    assert second.get("/panel/").status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0

    third = Client()
    _log_in(third, "clinician")
    assert third.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 400
    assert third.get("/panel/").status_code == 302


def test_two_factor_is_optional_for_a_patient_until_they_turn_it_on(patient: Patient) -> None:
    client = Client()
    _log_in(client, "patient")
    assert client.get(f"/patients/{patient.pk}/").status_code == 200
    _enrol(client)  # turned on from the Security page
    client.post("/accounts/logout/")

    again = Client()
    _log_in(again, "patient")
    assert again.get(f"/patients/{patient.pk}/")["Location"].startswith(
        "/accounts/two-factor/verify/"
    )


def test_a_patient_may_turn_it_off_but_staff_may_not(
    client_for: object, patient: Patient, clinician: User
) -> None:
    client = Client()
    _log_in(client, "patient")
    _enrol(client)
    client.post("/accounts/two-factor/", {"action": "turn-off"})
    assert not TOTPDevice.objects.filter(user=patient.user).exists()

    staff = Client()
    staff.force_login(clinician)  # passes two-factor (conftest)
    staff.post("/accounts/two-factor/", {"action": "turn-off"})
    assert TOTPDevice.objects.filter(user=clinician, confirmed=True).exists()


@pytest.mark.django_db
def test_demo_accounts_skip_two_factor_and_the_login_page_says_so() -> None:
    assert "Demo accounts skip" not in Client().get("/accounts/login/").content.decode()
    load_demo()
    assert set(User.objects.filter(mfa_exempt=True).values_list("username", flat=True)) == {
        "patient",
        "patient2",
        "clinician",
        "pharmacist",
        "admin",
    }
    client = Client()
    _log_in(client, "clinician", DEMO_PASSWORD)
    assert client.get("/panel/").status_code == 200
    assert "Demo accounts skip two-factor authentication" in (
        Client().get("/accounts/login/").content.decode()
    )


@pytest.mark.django_db
def test_the_demo_loader_never_exempts_an_account_it_did_not_create(clinician: User) -> None:
    load_demo()  # a real "clinician" already exists
    clinician.refresh_from_db()
    assert clinician.mfa_exempt is False
    assert clinician.check_password(PASSWORD)  # left exactly as it was
    client = Client()
    _log_in(client, "clinician")
    assert client.get("/panel/").status_code == 302


@pytest.mark.django_db
def test_a_demo_account_given_a_new_password_loses_the_exemption() -> None:
    load_demo()
    admin = User.objects.get(username="admin")
    admin.set_password("a-real-clinic-password")
    admin.save(update_fields=["password"])
    admin.refresh_from_db()
    assert admin.mfa_exempt is False


def test_the_exemption_cannot_be_set_in_the_admin(admin_user: User, clinician: User) -> None:
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/accounts/user/{clinician.pk}/change/").content.decode()
    assert 'name="mfa_exempt"' not in page


@pytest.mark.django_db
def test_demo_logins_name_the_exempt_accounts(capsys: pytest.CaptureFixture[str]) -> None:
    load_demo()
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert "Demo accounts skip two-factor authentication: admin, clinician, patient" in out


def test_the_api_asks_staff_for_the_code(clinician: User) -> None:
    def token(**extra: str) -> int:
        return (
            Client()
            .post(
                "/api/v1/auth/token",
                {"username": "clinician", "password": PASSWORD, **extra},
                content_type="application/json",
            )
            .status_code
        )

    assert token() == 403  # no device yet: set it up on the website
    device = TOTPDevice.objects.create(user=clinician, name="phone", confirmed=True)
    assert token() == 401
    device.refresh_from_db()
    device.throttle_reset()
    assert token(code=_code(device)) == 200
