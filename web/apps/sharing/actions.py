"""Writes of share links: create, revoke, and every attempt to open one — each audited in the
transaction of its change (docs/sharing.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Patient
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.sharing import links, packet
from apps.sharing.models import MAX_PASSCODE_FAILURES, Opening, ShareLink
from lowdose.errors import InputError

__all__ = ["CreatedLink", "OpenResult", "create_share_link", "open_share_link", "revoke_link"]

#: The longest a recipient's name is kept.
RECIPIENT_MAX = 200


@dataclass(frozen=True)
class CreatedLink:
    """A new link and the secrets the patient sees once: the server keeps neither the key nor
    the manifest id nor the passcode."""

    link: ShareLink
    manifest_id: str
    key: str
    passcode: str
    passcode_generated: bool


@dataclass(frozen=True)
class OpenResult:
    """``opened`` (with the JWE), ``wrong_passcode`` (with the attempts left), ``locked``,
    ``expired`` or ``revoked``."""

    outcome: str
    packet: str = ""
    remaining_attempts: int = 0


def _hours(raw: int) -> int:
    if not links.MIN_HOURS <= raw <= links.MAX_HOURS:
        raise InputError(
            f"Choose how long the link works: from {links.MIN_HOURS} hour to "
            f"{links.MAX_HOURS // 24} days ({links.MAX_HOURS} hours).",
            field="expires_in_hours",
        )
    return raw


def _label(raw: str, patient: Patient) -> str:
    label = " ".join(raw.split())[:80]
    return label or f"Visit report of {patient.display_name}"[:80]


def create_share_link(
    actor: Actor,
    patient: Patient,
    *,
    expires_in_hours: int,
    passcode: str = "",
    label: str = "",
    now: datetime | None = None,
) -> CreatedLink:
    """Encrypt the packet under a fresh key and store the link; the key, the manifest id and the
    passcode are returned once and kept nowhere. Raises :class:`InputError` on bad values."""
    hours = _hours(expires_in_hours)
    chosen = passcode.strip()
    secret = links.valid_passcode(chosen) if chosen else links.generated_passcode()
    now = now or timezone.now()
    key = links.new_key()
    manifest_id = links.new_manifest_id()
    sealed = links.encrypt_packet(packet.packet_pdf(patient), key)
    with transaction.atomic():
        link = ShareLink.objects.create(
            patient=patient,
            created_by=actor.user,
            label=_label(label, patient),
            audience=packet.AUDIENCE,
            manifest_digest=links.manifest_digest(manifest_id),
            passcode_hash=make_password(secret),
            packet=sealed,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        record_as(
            actor,
            "sharing.create",
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            obj=link,
            detail={"expires_at": link.expires_at.isoformat(), "audience": link.audience},
        )
    return CreatedLink(link, manifest_id, key, secret, passcode_generated=not chosen)


def revoke_link(actor: Actor, link: ShareLink) -> ShareLink:
    """Withdraw the link at once and drop its encrypted packet. Revoking twice changes nothing
    more (the first time stays recorded)."""
    with transaction.atomic():
        locked = ShareLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.packet = ""
            locked.save(update_fields=["revoked_at", "packet"])
            record_as(
                actor,
                "sharing.revoke",
                patient_id=locked.patient_id,
                clinic_id=locked.patient.clinic_id,
                obj=locked,
            )
    return locked


def _attempt(actor: Actor, link: ShareLink, recipient: str, outcome: str) -> None:
    Opening.objects.create(link=link, recipient=recipient, outcome=outcome)
    record_as(
        actor,
        "sharing.open",
        patient_id=link.patient_id,
        clinic_id=link.patient.clinic_id,
        outcome="ok" if outcome == "opened" else "denied",
        obj=link,
        detail={"recipient": recipient, "result": outcome},
        anonymous=True,
    )


def open_share_link(
    actor: Actor, link: ShareLink, *, passcode: str, recipient: str, now: datetime | None = None
) -> OpenResult:
    """One attempt to open ``link``: refused when revoked, locked or expired (the packet is then
    dropped), counted when the passcode is wrong (the link locks after
    :data:`MAX_PASSCODE_FAILURES`), else the encrypted packet. Every attempt is recorded with the
    recipient's words, in the link's history and in the audit log."""
    now = now or timezone.now()
    who = " ".join(recipient.split())[:RECIPIENT_MAX]
    with transaction.atomic():
        row = ShareLink.objects.select_for_update().select_related("patient").get(pk=link.pk)
        state = row.state(now)
        if state != "active":
            if row.packet:
                row.packet = ""
                row.save(update_fields=["packet"])
            _attempt(actor, row, who, state)
            return OpenResult(state)
        if not check_password(passcode, row.passcode_hash):
            row.failed_attempts += 1
            if row.failed_attempts >= MAX_PASSCODE_FAILURES:
                row.locked_at = now
                row.packet = ""
            row.save(update_fields=["failed_attempts", "locked_at", "packet"])
            _attempt(actor, row, who, "wrong_passcode")
            return OpenResult("wrong_passcode", remaining_attempts=row.remaining_attempts)
        _attempt(actor, row, who, "opened")
        return OpenResult("opened", packet=row.packet)
