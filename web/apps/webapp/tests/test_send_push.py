"""send_push against a push service on 127.0.0.1: the message arrives encrypted for the browser
alone, signed with the server's VAPID key; a browser that is gone loses its subscription."""

from __future__ import annotations

import base64
import json
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from apps.accounts.models import Patient, User
from apps.webapp.models import PushSubscription
from apps.webapp.push import TTL_SECONDS, public_key, send_push

from .pushes import FakeBrowser, LocalPushService

pytestmark = pytest.mark.django_db


def _subscribe(user: User, browser: FakeBrowser) -> PushSubscription:
    keys = browser.subscription()["keys"]
    return PushSubscription.objects.create(
        user=user, endpoint=browser.endpoint, p256dh=keys["p256dh"], auth=keys["auth"]
    )


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _user(patient: Patient) -> User:
    assert patient.user is not None
    return patient.user


def test_the_browser_decrypts_the_title_body_and_link(
    patient: Patient, push_service: LocalPushService
) -> None:
    browser = FakeBrowser(f"{push_service.url}/push/abc")
    _subscribe(_user(patient), browser)

    delivered = send_push(
        _user(patient), title="Time to check in", body="How was today?", url="/patients/1/checkin/"
    )

    assert delivered == 1
    [message] = push_service.received
    assert message.path == "/push/abc"
    assert message.headers["content-encoding"] == "aes128gcm"
    assert int(message.headers["ttl"]) == TTL_SECONDS
    assert b"Time to check in" not in message.body  # encrypted on the way
    plain = http_ece.decrypt(
        message.body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
    )
    assert json.loads(plain) == {
        "title": "Time to check in",
        "body": "How was today?",
        "url": "/patients/1/checkin/",
    }


def test_the_message_is_signed_with_the_servers_vapid_key(
    patient: Patient, push_service: LocalPushService, settings: Any
) -> None:
    _subscribe(_user(patient), FakeBrowser(f"{push_service.url}/push/1"))
    send_push(_user(patient), title="t", body="b", url="/")

    scheme, _, params = push_service.received[0].headers["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid"
    assert fields["k"] == public_key()
    point = _unb64(fields["k"])
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    head, claims, signature = (_unb64(part) for part in fields["t"].split("."))
    # ES256 (RFC 7515 A.3): the signature is r and s, 32 bytes each, over "header.claims".
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    signed = fields["t"].rsplit(".", 1)[0].encode("ascii")
    verifier.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))  # or raises
    assert json.loads(head)["alg"] == "ES256"
    assert json.loads(claims)["aud"] == push_service.url
    assert json.loads(claims)["sub"] == settings.VAPID_SUBJECT


def test_every_browser_of_the_person_gets_it_and_no_one_elses(
    patient: Patient, other_patient: Patient, push_service: LocalPushService
) -> None:
    _subscribe(_user(patient), FakeBrowser(f"{push_service.url}/phone"))
    _subscribe(_user(patient), FakeBrowser(f"{push_service.url}/laptop"))
    _subscribe(_user(other_patient), FakeBrowser(f"{push_service.url}/someone-else"))

    assert send_push(_user(patient), title="t", body="b", url="/") == 2
    assert sorted(r.path for r in push_service.received) == ["/laptop", "/phone"]
    rows = PushSubscription.objects.filter(user=_user(patient))
    assert all(row.last_success_at is not None for row in rows)


@pytest.mark.parametrize("status", [404, 410])
def test_a_browser_that_is_gone_loses_its_subscription(
    patient: Patient, push_service: LocalPushService, status: int
) -> None:
    row = _subscribe(_user(patient), FakeBrowser(f"{push_service.url}/gone"))
    push_service.status = status

    assert send_push(_user(patient), title="t", body="b", url="/") == 0
    assert not PushSubscription.objects.filter(pk=row.pk).exists()


def test_other_failures_are_counted_and_a_success_clears_them(
    patient: Patient, push_service: LocalPushService
) -> None:
    row = _subscribe(_user(patient), FakeBrowser(f"{push_service.url}/busy"))
    push_service.status = 503
    send_push(_user(patient), title="t", body="b", url="/")
    send_push(_user(patient), title="t", body="b", url="/")
    row.refresh_from_db()
    assert (row.failures, row.last_success_at) == (2, None)

    push_service.status = 201
    assert send_push(_user(patient), title="t", body="b", url="/") == 1
    row.refresh_from_db()
    assert row.failures == 0
    assert row.last_success_at is not None


def test_a_push_service_that_does_not_answer_is_a_counted_failure(
    patient: Patient, push_service: LocalPushService
) -> None:
    address = push_service.url
    push_service.server.server_close()  # nobody listens on that port any more
    row = _subscribe(_user(patient), FakeBrowser(f"{address}/closed"))
    assert send_push(_user(patient), title="t", body="b", url="/") == 0
    row.refresh_from_db()
    assert row.failures == 1


def test_with_web_push_off_nothing_is_sent(
    patient: Patient, push_service: LocalPushService, settings: Any
) -> None:
    _subscribe(_user(patient), FakeBrowser(f"{push_service.url}/x"))
    settings.VAPID_PRIVATE_KEY_PEM = ""
    assert send_push(_user(patient), title="t", body="b", url="/") == 0
    assert push_service.received == []
    assert public_key() == ""


@pytest.mark.parametrize("url", ["https://elsewhere.example/", "//elsewhere.example/", "checkin"])
def test_the_link_must_be_a_path_on_this_site(patient: Patient, url: str) -> None:
    with pytest.raises(ValueError, match="path on this site"):
        send_push(_user(patient), title="t", body="b", url=url)
