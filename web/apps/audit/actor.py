"""Who is acting: the typed value every write action takes instead of an ``HttpRequest``.

An :class:`Actor` carries the user (or none, for work the system does by itself: a periodic sweep,
a rule that fires on someone else's change), their clinic and the address the request came from.
Views build one with :meth:`Actor.from_request`; tests, the demo loader and management commands
build one directly. The audit log reads everything it records about the actor from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from apps.audit.addresses import client_address

if TYPE_CHECKING:
    from apps.accounts.models import User

__all__ = ["Actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """A person (or the system, ``user=None``) doing something, and where from.

    ``method`` and ``path`` are kept for the audit row when the action came from a request.
    """

    user: User | None
    clinic_id: int | None = None
    address: str | None = None
    user_agent: str = ""
    method: str = ""
    path: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        """The signed-in user of ``request`` (anonymous → ``user=None``) and its address."""
        found = getattr(request, "user", None)
        # The user model is settings.AUTH_USER_MODEL (accounts.User): accounts builds on audit.
        user = found if isinstance(found, get_user_model()) else None
        address = client_address(request)
        return cls(
            user=user,
            clinic_id=user.clinic_id if user is not None else None,
            address=str(address) if address else None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            method=request.method or "",
            path=request.get_full_path()[:500],
        )

    @classmethod
    def system(cls, clinic_id: int | None = None) -> Actor:
        """lowdose itself (a rule or a scheduled sweep), recorded as ``system`` in the audit log."""
        return cls(user=None, clinic_id=clinic_id)

    @classmethod
    def of(cls, user: User) -> Actor:
        """A user acting outside a request (a management command, the demo loader)."""
        return cls(user=user, clinic_id=user.clinic_id)

    @property
    def label(self) -> str:
        """The name shown in histories: the username, or "lowdose" for the system."""
        return self.user.get_username() if self.user is not None else "lowdose"
