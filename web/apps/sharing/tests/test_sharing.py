"""Share links (SMART Health Links): create → open with the passcode → decrypt with the key;
refusals (wrong passcode, lock, expiry, withdrawal), the rate limit, ownership, and what the
server keeps."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import bearer
from django.core.cache import cache, caches
from django.test import Client, override_settings
from django.utils import timezone
from joserfc.errors import JoseError

from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.reports.tests.helpers import ALERT_MESSAGE, full_record, pdf_text
from apps.sharing import links, packet
from apps.sharing.actions import create_share_link
from apps.sharing.housekeeping import drop_expired_packets
from apps.sharing.models import MAX_PASSCODE_FAILURES, Opening, ShareLink

API = "/api/v1/patients/{pid}/share-links"
DOCTOR = "Dr Ada Example, Riverside Pain Clinic"


@pytest.fixture(autouse=True)
def _clean_caches(db: None) -> None:
    cache.clear()
    caches["charts"].clear()


@pytest.fixture
def fake_packet(monkeypatch: pytest.MonkeyPatch) -> Callable[[Patient], bytes]:
    """A stand-in for the rendered report (WeasyPrint takes seconds): the patient's name."""

    def pdf(patient: Patient) -> bytes:
        return b"%PDF-1.7 report of " + patient.display_name.encode()

    monkeypatch.setattr(packet, "packet_pdf", pdf)
    return pdf


def _user(patient: Patient) -> User:
    assert patient.user is not None
    return patient.user


def _create(patient: Patient, **body: Any) -> dict[str, Any]:
    response = Client().post(
        API.format(pid=patient.pk),
        body,
        content_type="application/json",
        headers=bearer(_user(patient)),
    )
    assert response.status_code == 201, response.content[:300]
    return dict(response.json())


def _payload(shlink: str) -> dict[str, Any]:
    assert shlink.startswith("shlink:/")
    encoded = shlink.removeprefix("shlink:/")
    return dict(json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))))


def _open(payload: dict[str, Any], passcode: str, recipient: str = DOCTOR) -> Any:
    path = payload["url"].removeprefix("http://testserver")
    return Client().post(
        path, {"recipient": recipient, "passcode": passcode}, content_type="application/json"
    )


@pytest.mark.slow
def test_doctor_opens_the_care_team_report_with_the_passcode_and_the_key(
    patient: Patient, clinician: User, make_checkin: Callable[..., Any]
) -> None:
    full_record(patient, clinician, make_checkin)
    created = _create(patient, passcode="river-stone-42", expires_in_hours=48, label="Referral")
    payload = _payload(created["shlink"])

    response = _open(payload, "river-stone-42")

    assert response.status_code == 200, response.content[:300]
    files = response.json()["files"]
    assert [f["contentType"] for f in files] == ["application/pdf"]
    pdf = links.decrypt_packet(files[0]["embedded"], payload["key"])
    text = " ".join(pdf_text(pdf).split())
    assert patient.display_name in text
    assert ALERT_MESSAGE in text  # the care team's version: open alerts are on it
    assert payload["flag"] == "P"
    assert payload["label"] == "Referral"
    assert len(payload["key"]) == 43
    link = ShareLink.objects.get(pk=created["id"])
    assert abs(payload["exp"] - int(link.expires_at.timestamp())) == 0
    assert link.expires_at - link.created_at == timedelta(hours=48)
    assert created["viewer_url"] == "http://testserver/shared#" + created["shlink"]
    opening = Opening.objects.get(link=link)
    assert (opening.recipient, opening.outcome) == (DOCTOR, "opened")


def test_the_server_keeps_neither_key_nor_link_nor_passcode(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    created = _create(patient, passcode="river-stone-42")
    payload = _payload(created["shlink"])
    manifest_id = payload["url"].rsplit("/", 1)[1]
    link = ShareLink.objects.get(pk=created["id"])
    stored = json.dumps(
        {f.name: str(getattr(link, f.attname)) for f in ShareLink._meta.concrete_fields}
    )

    for secret in (payload["key"], manifest_id, "river-stone-42", created["shlink"]):
        assert secret not in stored
    assert link.packet.count(".") == 4  # a compact JWE
    assert b"report of" not in link.packet.encode()
    with pytest.raises(JoseError):
        links.decrypt_packet(link.packet, links.new_key())  # another key opens nothing
    assert links.decrypt_packet(link.packet, payload["key"]) == fake_packet(patient)
    events = AuditEvent.objects.filter(action="sharing.create", patient_id=patient.pk)
    assert events.count() == 1
    assert payload["key"] not in json.dumps(events.get().detail)


def test_wrong_passcode_is_refused_and_counted(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    payload = _payload(_create(patient, passcode="river-stone-42")["shlink"])

    response = _open(payload, "river-stone-41")

    assert response.status_code == 401
    body = response.json()
    assert body["remainingAttempts"] == MAX_PASSCODE_FAILURES - 1
    assert "files" not in body
    assert "embedded" not in response.content.decode()
    link = ShareLink.objects.get()
    assert link.failed_attempts == 1
    assert link.locked_at is None
    assert Opening.objects.get().outcome == "wrong_passcode"
    event = AuditEvent.objects.filter(action="sharing.open").get()
    assert event.outcome == "denied"
    assert event.detail == {"recipient": DOCTOR, "result": "wrong_passcode"}
    assert event.patient_id == patient.pk


def test_link_locks_after_too_many_wrong_passcodes(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    payload = _payload(_create(patient, passcode="river-stone-42")["shlink"])
    left = [_open(payload, f"guess-{n:04d}").json()["remainingAttempts"] for n in range(5)]

    late = _open(payload, "river-stone-42")

    assert left == [4, 3, 2, 1, 0]
    assert late.status_code == 404
    assert "locked" in late.json()["detail"]
    link = ShareLink.objects.get()
    assert link.state() == "locked"
    assert link.packet == ""
    assert list(Opening.objects.values_list("outcome", flat=True))[:1] == ["locked"]


def test_expired_link_is_refused_and_its_copy_dropped(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    payload = _payload(_create(patient, passcode="river-stone-42", expires_in_hours=1)["shlink"])
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _open(payload, "river-stone-42")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "This link has expired. Ask the patient to share a new one."
    }
    assert ShareLink.objects.get().packet == ""
    assert Opening.objects.get().outcome == "expired"


def test_revoked_link_is_refused_at_once(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    created = _create(patient, passcode="river-stone-42")
    payload = _payload(created["shlink"])
    assert _open(payload, "river-stone-42").status_code == 200

    gone = Client().delete(
        f"{API.format(pid=patient.pk)}/{created['id']}", headers=bearer(_user(patient))
    )
    response = _open(payload, "river-stone-42")

    assert gone.status_code == 204
    assert response.status_code == 404
    assert "withdrawn" in response.json()["detail"]
    assert "embedded" not in response.content.decode()
    assert ShareLink.objects.get().packet == ""
    listed = Client().get(API.format(pid=patient.pk), headers=bearer(_user(patient))).json()
    assert listed[0]["status"] == "revoked"
    assert [o["outcome"] for o in listed[0]["openings"]] == ["revoked", "opened"]
    assert AuditEvent.objects.filter(action="sharing.revoke", patient_id=patient.pk).count() == 1


def test_another_patients_link_is_a_404_and_is_not_listed(
    patient: Patient, other_patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    theirs = _create(other_patient, passcode="their-secret-9")
    mine = _create(patient, passcode="river-stone-42")

    deleted = Client().delete(
        f"{API.format(pid=patient.pk)}/{theirs['id']}", headers=bearer(_user(patient))
    )
    listed = Client().get(API.format(pid=patient.pk), headers=bearer(_user(patient))).json()

    assert deleted.status_code == 404
    assert ShareLink.objects.get(pk=theirs["id"]).revoked_at is None
    assert [row["id"] for row in listed] == [mine["id"]]
    # A link opens its own patient's packet only, whatever passcode or key is tried.
    other_payload = _payload(theirs["shlink"])
    assert _open(_payload(mine["shlink"]), "their-secret-9").status_code == 401
    opened = _open(other_payload, "their-secret-9").json()["files"][0]["embedded"]
    assert links.decrypt_packet(opened, other_payload["key"]) == fake_packet(other_patient)
    with pytest.raises(JoseError):
        links.decrypt_packet(opened, _payload(mine["shlink"])["key"])


def test_generated_passcode_is_returned_once_and_works(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    created = _create(patient)

    assert created["passcode_generated"] is True
    assert len(created["passcode"]) == 8
    assert created["status"] == "active"
    assert _open(_payload(created["shlink"]), created["passcode"]).status_code == 200
    listed = Client().get(API.format(pid=patient.pk), headers=bearer(_user(patient))).json()
    assert "passcode" not in listed[0]
    assert "shlink" not in listed[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"passcode": "abc"}, "passcode"),
        ({"expires_in_hours": 0}, "expires_in_hours"),
        ({"expires_in_hours": 721}, "expires_in_hours"),
    ],
)
def test_bad_values_are_refused_and_make_no_link(
    patient: Patient, fake_packet: Callable[[Patient], bytes], body: dict[str, Any], field: str
) -> None:
    response = Client().post(
        API.format(pid=patient.pk),
        body,
        content_type="application/json",
        headers=bearer(_user(patient)),
    )

    assert response.status_code in (400, 422)
    assert field in response.content.decode()
    assert not ShareLink.objects.exists()


def test_manifest_refuses_an_unreadable_request_saying_what_to_send(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    payload = _payload(_create(patient, passcode="river-stone-42")["shlink"])
    path = payload["url"].removeprefix("http://testserver")

    no_name = Client().post(path, {"passcode": "river-stone-42"}, content_type="application/json")
    not_json = Client().post(path, "passcode", content_type="text/plain")

    assert no_name.status_code == 400
    assert no_name.json()["field"] == "recipient"
    assert not_json.status_code == 400
    assert ShareLink.objects.get().failed_attempts == 0


@override_settings(LOGIN_FAILURES_PER_ADDRESS=3)
def test_an_address_that_fails_too_often_is_refused_before_any_passcode_is_checked(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    payload = _payload(_create(patient, passcode="river-stone-42")["shlink"])
    for n in range(3):
        Client().post(
            f"/shl/unknown-{n}",
            {"recipient": DOCTOR, "passcode": "x"},
            content_type="application/json",
        )

    response = _open(payload, "river-stone-42")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not Opening.objects.exists()


def test_patient_creates_a_link_on_the_page_and_sees_who_opened_it(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    client = Client()
    client.force_login(_user(patient))

    made = client.post(
        f"/patients/{patient.pk}/share-links/",
        {"expires": "720", "passcode": "", "label": "Rheumatology"},
    )

    assert made.status_code == 200
    page = made.content.decode()
    assert "<svg" in page
    assert "http://testserver/shared#shlink:/" in page
    link = ShareLink.objects.get()
    assert link.expires_at - link.created_at == timedelta(days=30)
    start = page.index("#shlink:/") + 1
    shlink = page[start : page.index("<", start)].strip()
    passcode = page.split('id="share-passcode-shown">')[1].split("<")[0]
    assert _open(_payload(shlink), passcode).status_code == 200
    listing = client.get(f"/patients/{patient.pk}/share-links/").content.decode()
    assert "Rheumatology" in listing
    assert DOCTOR in listing
    assert "Withdraw this link" in listing
    assert "river" not in listing
    assert passcode not in listing


def test_page_refuses_a_short_passcode_saying_what_to_do(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    client = Client()
    client.force_login(_user(patient))

    response = client.post(
        f"/patients/{patient.pk}/share-links/", {"expires": "24", "passcode": "abc"}
    )

    assert response.status_code == 400
    assert "at least 6 characters" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_revoke_on_the_page_stops_the_link(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    created = create_share_link(
        Actor.of(_user(patient)), patient, expires_in_hours=24, passcode="river-stone-42"
    )
    client = Client()
    client.force_login(_user(patient))

    response = client.post(f"/patients/{patient.pk}/share-links/{created.link.pk}/revoke/")

    assert response.status_code == 302
    assert ShareLink.objects.get().state() == "revoked"


def test_viewer_page_is_public_and_sends_no_referrer() -> None:
    response = Client().get("/shared")

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "js/share-viewer" in response.content.decode()


def test_the_hourly_sweep_drops_expired_copies_only(
    patient: Patient, fake_packet: Callable[[Patient], bytes]
) -> None:
    actor = Actor.of(_user(patient))
    old = create_share_link(actor, patient, expires_in_hours=1, passcode="river-stone-42")
    fresh = create_share_link(actor, patient, expires_in_hours=24, passcode="river-stone-42")
    later = timezone.now() + timedelta(hours=2)

    assert drop_expired_packets(now=later) == 1
    assert drop_expired_packets(now=later) == 0

    assert ShareLink.objects.get(pk=old.link.pk).packet == ""
    assert ShareLink.objects.get(pk=fresh.link.pk).packet.count(".") == 4
