"""The client address: X-Forwarded-For is believed from trusted proxies only, rightmost first."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from apps.audit.actor import Actor
from apps.audit.addresses import client_address, forwarded_client
from apps.audit.log import client_ip
from config.settings import env_networks

PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1/128"))


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert forwarded_client("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"
    assert forwarded_client("203.0.113.9", "", ()) == "203.0.113.9"


def test_a_trusted_peer_gives_the_rightmost_untrusted_address() -> None:
    # The client forged "1.2.3.4"; our proxies 10.0.0.7 and 10.0.0.5 appended what they saw.
    header = "1.2.3.4, 198.51.100.23, 10.0.0.7"
    assert forwarded_client("10.0.0.5", header, PROXIES) == "198.51.100.23"


def test_a_trusted_peer_without_a_header_is_the_client() -> None:
    assert forwarded_client("10.0.0.5", "", PROXIES) == "10.0.0.5"


def test_all_hops_trusted_gives_the_leftmost() -> None:
    assert forwarded_client("10.0.0.5", "10.0.0.8, 10.0.0.7", PROXIES) == "10.0.0.8"


def test_garbage_in_the_header_stops_the_walk_at_the_last_good_hop() -> None:
    assert forwarded_client("10.0.0.5", "198.51.100.1, not-an-ip, 10.0.0.7", PROXIES) == "10.0.0.7"


def test_ports_and_ipv6_forms_are_understood() -> None:
    assert forwarded_client("::1", "[2001:db8::5]:443", PROXIES) == "2001:db8::5"
    assert forwarded_client("10.0.0.5", "198.51.100.2:5123", PROXIES) == "198.51.100.2"
    assert forwarded_client("::ffff:10.0.0.5", "198.51.100.3", PROXIES) == "198.51.100.3"


def test_the_audit_log_and_the_actor_use_the_same_address(settings: Any) -> None:
    settings.TRUSTED_PROXIES = PROXIES
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23"
    )
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert client_address(request) == "198.51.100.23"
    assert client_ip(request) == "198.51.100.23"
    assert Actor.from_request(request).address == "198.51.100.23"


def test_trusted_proxies_setting_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWDOSE_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    assert len(env_networks("LOWDOSE_TRUSTED_PROXIES")) == 2
    monkeypatch.setenv("LOWDOSE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local")
    with pytest.raises(ImproperlyConfigured, match=r"'proxy\.local' is not an IP address"):
        env_networks("LOWDOSE_TRUSTED_PROXIES")
