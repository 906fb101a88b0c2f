"""Access matrix rows for share links: the patient's pages and API (the patient alone), the
public viewer page and the public manifest endpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.accounts.models import Patient
from apps.accounts.tests.matrix import DENIED, PATIENT_ONLY, Route, every_role
from apps.sharing.links import manifest_digest, new_manifest_id
from apps.sharing.models import ShareLink

API_DENIED = every_role(404, anonymous=401)


def link_setup(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Access-matrix setup: an active share link of the target patient (no real packet)."""
    link = ShareLink.objects.create(
        patient=target,
        label="Referral",
        manifest_digest=manifest_digest(new_manifest_id()),
        passcode_hash="!",
        packet="sealed",
        expires_at=timezone.now() + timedelta(days=1),
    )
    return {"{link}": str(link.pk)}


LINK = {"setup": link_setup}

ROUTES: tuple[Route, ...] = (
    Route(
        "sharing:links", "GET", "/patients/{pid}/share-links/", PATIENT_ONLY, DENIED, audited=True
    ),
    Route(
        "sharing:links",
        "POST",
        "/patients/{pid}/share-links/",
        PATIENT_ONLY,
        DENIED,
        body={"expires": "24", "passcode": "", "label": "Referral"},
        audited=True,
    ),
    Route(
        "sharing:preview",
        "GET",
        "/patients/{pid}/share-links/preview.pdf",
        PATIENT_ONLY,
        DENIED,
        audited=True,
    ),
    Route(
        "sharing:revoke",
        "POST",
        "/patients/{pid}/share-links/{link}/revoke/",
        every_role(404, anonymous=302, patient=302),
        DENIED,
        audited=True,
        extra=LINK,
    ),
    Route("sharing:viewer", "GET", "/shared", every_role(200)),
    Route(
        "sharing:manifest",
        "POST",
        "/shl/no-such-link",
        every_role(404),
        body={"recipient": "Dr Example, Pain Clinic", "passcode": "guess-1234"},
        api=True,
    ),
    Route(
        "api:create_link",
        "POST",
        "/api/v1/patients/{pid}/share-links",
        every_role(404, anonymous=401, patient=201),
        API_DENIED,
        body={"expires_in_hours": 24},
        api=True,
        audited=True,
    ),
    Route(
        "api:list_links",
        "GET",
        "/api/v1/patients/{pid}/share-links",
        every_role(404, anonymous=401, patient=200),
        API_DENIED,
        api=True,
        audited=True,
    ),
    Route(
        "api:delete_link",
        "DELETE",
        "/api/v1/patients/{pid}/share-links/{link}",
        every_role(404, anonymous=401, patient=204),
        API_DENIED,
        api=True,
        audited=True,
        extra=LINK,
    ),
)
