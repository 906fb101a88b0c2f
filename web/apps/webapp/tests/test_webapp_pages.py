"""The manifest, the service worker, the pages that load them, and the VAPID key's set-up."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from apps.accounts.models import Patient, User
from apps.checkins.models import Checkin
from apps.webapp.push import public_key
from apps.webapp.views import SHELL_FILES
from config import settings as lowdose_settings

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_its_icons_and_start(client: Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["start_url"], manifest["display"]) == (
        "lowdose",
        "/",
        "standalone",
    )
    css = Path(finders.find("css/lowdose.css")).read_text(encoding="utf-8")  # type: ignore[arg-type]
    assert f"--accent:{manifest['theme_color']}" in css
    assert f"--bg:{manifest['background_color']}" in css
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200
        body = b"".join(png.streaming_content)  # type: ignore[attr-defined]
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_is_served_for_the_whole_site(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = response.content.decode()
    for name in SHELL_FILES:
        assert f'"/static/{name}"' in script
        assert finders.find(name), f"{name} is in the shell but not a static file"
    assert "{{" not in script
    assert "{%" not in script


def test_every_page_links_the_manifest_and_registers_the_worker(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<script src="/static/js/pwa.js"></script>' in page
    assert 'data-signed-in="false"' in page
    assert "offline-checkins.js" not in page  # only a patient's pages hold a queue
    assert "<script>" not in page  # no inline script: the CSP forbids it


def test_the_patients_check_in_page_works_offline(
    client_for: Callable[..., Client], patient: Patient
) -> None:
    page = client_for(patient.user).get(f"/patients/{patient.pk}/checkin/").content.decode()
    assert f'data-checkin-api="/api/v1/patients/{patient.pk}/checkins"' in page
    assert 'id="checkin-form" novalidate data-offline="true"' in page
    assert "Waiting to send (" in page
    assert '<script src="/static/js/offline-checkins.js"></script>' in page


def test_staff_pages_hold_no_check_in_queue(
    client_for: Callable[..., Client], clinician: User, patient: Patient
) -> None:
    page = client_for(clinician).get(f"/patients/{patient.pk}/").content.decode()
    assert "data-checkin-api" not in page
    assert "Waiting to send" not in page


def test_settings_offer_notifications_on_this_device_with_the_servers_key(
    client_for: Callable[..., Client], patient: Patient
) -> None:
    page = client_for(patient.user).get(f"/patients/{patient.pk}/settings/").content.decode()
    assert "Notifications on this device" in page
    key = public_key()
    assert len(key) == 87  # 65 bytes, base64url without padding
    assert f'data-key="{key}"' in page
    assert 'data-api="/api/v1/me/push-subscriptions"' in page


def _session(user: User | None) -> tuple[Client, dict[str, str]]:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get("/accounts/login/", follow=True)
    return client, {"X-CSRFToken": client.cookies["csrftoken"].value}


def _checkin() -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "pain": 3,
        "fatigue": 4,
        "sleep": 6,
        "mood": 7,
        "dose_status": "taken",
        "dose_mg": "4.5",
        "dose_time": "21:30",
    }


def test_the_queue_sends_a_check_in_with_the_session_once(patient: Patient) -> None:
    client, csrf = _session(patient.user)
    url = f"/api/v1/patients/{patient.pk}/checkins"
    body = _checkin()
    first = client.post(url, body, content_type="application/json", headers=csrf)
    again = client.post(url, body, content_type="application/json", headers=csrf)
    assert (first.status_code, again.status_code) == (201, 200)
    assert Checkin.objects.filter(patient=patient, client_id=body["client_id"]).count() == 1


@pytest.mark.parametrize("who", ["other_patient", "clinician", "pharmacist", "anonymous"])
def test_no_one_else_sends_a_check_in_for_the_patient_with_a_session(
    request: pytest.FixtureRequest, patient: Patient, who: str
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    if isinstance(user, Patient):
        user = user.user
    client, csrf = _session(user)
    response = client.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(),
        content_type="application/json",
        headers=csrf,
    )
    assert response.status_code == (401 if who == "anonymous" else 404)
    assert not Checkin.objects.exists()


def test_a_check_in_with_the_session_needs_the_csrf_token(patient: Patient) -> None:
    client, _ = _session(patient.user)
    response = client.post(
        f"/api/v1/patients/{patient.pk}/checkins", _checkin(), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Checkin.objects.exists()


def test_a_vapid_key_is_made_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LOWDOSE_VAPID_PRIVATE_KEY", "LOWDOSE_VAPID_PRIVATE_KEY_FILE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(lowdose_settings, "VAR_DIR", tmp_path)
    first = lowdose_settings.vapid_private_key()
    assert first.startswith("-----BEGIN PRIVATE KEY-----")
    key_file = tmp_path / "vapid_private_key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert lowdose_settings.vapid_private_key() == first  # kept, not made again


def test_a_server_with_a_database_url_takes_the_key_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lowdose_settings, "VAR_DIR", tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgres://db.invalid/lowdose")
    monkeypatch.delenv("LOWDOSE_VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("LOWDOSE_VAPID_PRIVATE_KEY_FILE", raising=False)
    assert lowdose_settings.vapid_private_key() == ""  # Web Push off, no key made
    assert not (tmp_path / "vapid_private_key.pem").exists()

    key_file = tmp_path / "vapid.pem"
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_file.write_bytes(pem)
    monkeypatch.setenv("LOWDOSE_VAPID_PRIVATE_KEY_FILE", str(key_file))
    assert lowdose_settings.vapid_private_key() == pem.decode().strip()


def test_a_key_that_is_not_p256_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWDOSE_VAPID_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nxyz\n")
    with pytest.raises(ImproperlyConfigured, match="not an EC P-256 private key"):
        lowdose_settings.vapid_private_key()
