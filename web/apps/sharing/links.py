"""The SMART Health Links pieces of a share link: random ids and keys, the ``shlink:/`` payload,
the packet's encryption and the passcode's rules.

A link is ``shlink:/`` + base64url(JSON ``{url, key, exp, flag, label, v}``): ``url`` is the
manifest URL (a 256-bit random id), ``key`` 32 random bytes (base64url, 43 characters) that
decrypt the packet, ``flag`` ``P`` (a passcode is needed). The packet is a compact JWE
(``alg: dir``, ``enc: A256GCM``) made by joserfc; nothing here is hand-written cryptography.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime

from joserfc import jwe
from joserfc.jwk import OctKey

from lowdose.errors import InputError

__all__ = [
    "MAX_HOURS",
    "MIN_HOURS",
    "PASSCODE_MIN_LENGTH",
    "PDF",
    "decrypt_packet",
    "encrypt_packet",
    "generated_passcode",
    "manifest_digest",
    "new_key",
    "new_manifest_id",
    "shlink",
    "valid_passcode",
]

#: The shortest and longest a link may live: an hour (shared in the consulting room) to 30 days
#: (a referral that waits for an appointment).
MIN_HOURS = 1
MAX_HOURS = 30 * 24
#: A chosen passcode's shortest length; a generated one is longer.
PASSCODE_MIN_LENGTH = 6
#: Letters and digits that cannot be mistaken for one another when read aloud or copied.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
#: 8 characters of 31: about 40 bits, against 5 tries before the link locks.
_GENERATED_LENGTH = 8
PDF = "application/pdf"
#: The largest packet decrypted: joserfc's default (64 KB) is smaller than a report with a chart.
MAX_PACKET_BYTES = 16 * 1024 * 1024


class _PacketRegistry(jwe.JWERegistry):
    max_ciphertext_length = MAX_PACKET_BYTES


#: Only the algorithms of SMART Health Links: direct key, AES-256-GCM.
_REGISTRY = _PacketRegistry(algorithms=["dir", "A256GCM"])


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_manifest_id() -> str:
    """The random part of the manifest URL: 32 bytes (the spec asks for at least 256 bits)."""
    return _b64url(secrets.token_bytes(32))


def manifest_digest(manifest_id: str) -> str:
    """What the database keeps of a manifest id: its SHA-256, so a copy of the database does
    not give the links' URLs."""
    return hashlib.sha256(manifest_id.encode("utf-8")).hexdigest()


def new_key() -> str:
    """The packet's key: 32 random bytes, base64url (43 characters)."""
    return _b64url(secrets.token_bytes(32))


def _oct_key(key: str) -> OctKey:
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    return OctKey.import_key(raw)


def encrypt_packet(pdf: bytes, key: str) -> str:
    """The PDF as a compact JWE (``dir``, ``A256GCM``, ``cty: application/pdf``)."""
    header = {"alg": "dir", "enc": "A256GCM", "cty": PDF}
    return jwe.encrypt_compact(header, pdf, _oct_key(key), registry=_REGISTRY)


def decrypt_packet(token: str, key: str) -> bytes:
    """The PDF back from :func:`encrypt_packet`'s JWE (a receiving program, the tests)."""
    found = jwe.decrypt_compact(token, _oct_key(key), registry=_REGISTRY)
    return bytes(found.plaintext or b"")


def shlink(manifest_url: str, key: str, expires_at: datetime, label: str) -> str:
    """The ``shlink:/…`` text of a link (SMART Health Links payload, version 1)."""
    payload = {
        "url": manifest_url,
        "key": key,
        "exp": int(expires_at.timestamp()),
        "flag": "P",
        "label": label[:80],
        "v": 1,
    }
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return "shlink:/" + _b64url(body)


def generated_passcode() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_GENERATED_LENGTH))


def valid_passcode(raw: str) -> str:
    """A chosen passcode, stripped; refused when too short, saying what to do."""
    passcode = raw.strip()
    if len(passcode) < PASSCODE_MIN_LENGTH:
        raise InputError(
            f"Choose a passcode of at least {PASSCODE_MIN_LENGTH} characters, or leave it empty "
            "and one will be made for you.",
            field="passcode",
        )
    if len(passcode) > 100:
        raise InputError("Choose a passcode of at most 100 characters.", field="passcode")
    return passcode
