"""Crisis resources: what a patient sees at once when an answer signals a risk of self-harm.

Each clinic writes its own text and phone numbers (``Clinic.crisis_message``,
``Clinic.crisis_contacts``, edited in the admin). Until it does, lowdose shows a default that
sends the person to local emergency services (``LOWDOSE_EMERGENCY_NUMBER``, default 112) and tells
them their care team has been alerted. The wording follows the usual safety-planning advice for a
positive PHQ-9 item 9: say plainly where help is now, and that a person will follow up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apps.accounts.models import Clinic

__all__ = ["DEFAULT_MESSAGE", "Contact", "Crisis", "crisis_resources"]

DEFAULT_MESSAGE = (
    "Thank you for answering honestly. If you are thinking about ending your life or hurting "
    "yourself, or you do not feel safe right now, call your local emergency number or go to the "
    "nearest emergency department now. You do not have to wait for us. Your care team has been "
    "told about your answer and will contact you."
)


@dataclass(frozen=True, slots=True)
class Contact:
    label: str
    phone: str


@dataclass(frozen=True, slots=True)
class Crisis:
    """The message and phone numbers to show; ``to_dict`` is the API's ``crisis`` object."""

    message: str
    contacts: tuple[Contact, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "contacts": [{"label": c.label, "phone": c.phone} for c in self.contacts],
        }


def crisis_resources(clinic: Clinic) -> Crisis:
    """The clinic's crisis text and numbers, always ending with local emergency services."""
    contacts = [
        Contact(str(c.get("label", "")).strip(), str(c.get("phone", "")).strip())
        for c in (clinic.crisis_contacts or [])
        if isinstance(c, dict) and str(c.get("phone", "")).strip()
    ]
    emergency = Contact("Emergency services", settings.EMERGENCY_NUMBER)
    if emergency.phone not in {c.phone for c in contacts}:
        contacts.append(emergency)
    return Crisis(
        message=clinic.crisis_message.strip() or DEFAULT_MESSAGE, contacts=tuple(contacts)
    )
