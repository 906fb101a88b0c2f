"""Where a request really comes from, behind reverse proxies we trust and no others.

``REMOTE_ADDR`` is the immediate peer. When that peer is one of ``LOWDOSE_TRUSTED_PROXIES``
(``settings.TRUSTED_PROXIES``), the client is read from ``X-Forwarded-For``, walking it from the
right: each proxy appends the address it received from, so the rightmost entry that is *not* a
trusted proxy is the first address no proxy of ours vouches for. Everything to its left was written
by the client and may be forged. A peer that is not trusted is the client, whatever it sends.

The login rate limits and the audit log both call :func:`client_address`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_address", "forwarded_client"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(raw: str) -> Address | None:
    text = raw.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def forwarded_client(peer: str, forwarded_for: str, proxies: Sequence[Network]) -> str | None:
    """The client address from the immediate ``peer`` and its ``X-Forwarded-For`` header.

    Returns ``None`` only when ``peer`` itself is not an IP address.
    """
    peer_address = _parse(peer)
    if peer_address is None:
        return None
    if not _trusted(peer_address, proxies):
        return str(peer_address)
    client = peer_address
    for entry in reversed([e for e in forwarded_for.split(",") if e.strip()]):
        address = _parse(entry)
        if address is None:
            break  # garbage written by someone we do not trust: keep the last good hop
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring)."""
    return forwarded_client(
        str(request.META.get("REMOTE_ADDR") or ""),
        str(request.META.get("HTTP_X_FORWARDED_FOR") or ""),
        getattr(settings, "TRUSTED_PROXIES", ()),
    )
