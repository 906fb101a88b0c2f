"""Sign-in, sign-out and failed sign-in, recorded from Django's authentication signals.

A failed sign-in records the username that was tried (in ``detail``) and the address, never the
password. It belongs to the clinic of the account of that name, if there is one, so the clinic
admin sees attempts on their people's accounts; an unknown username is nobody's clinic.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from apps.audit.actor import Actor
from apps.audit.log import record_as

__all__ = ["on_login", "on_login_failed", "on_logout"]


def _actor(request: HttpRequest | None, user: Any | None) -> Actor:
    seen = Actor.from_request(request) if request is not None else Actor(user=None)
    return Actor(
        user=user,
        clinic_id=getattr(user, "clinic_id", None),
        address=seen.address,
        user_agent=seen.user_agent,
        method=seen.method,
        path=seen.path,
    )


@receiver(user_logged_in, dispatch_uid="audit.login")
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record_as(_actor(request, user), "auth.login")


@receiver(user_logged_out, dispatch_uid="audit.logout")
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:  # signing out while not signed in: nothing happened
        return
    record_as(_actor(request, user), "auth.logout")


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    tried = str(credentials.get("username") or "")[:150]
    users = get_user_model()._default_manager  # accounts.User: accounts builds on audit
    clinic_id = (
        users.filter(username__iexact=tried).values_list("clinic_id", flat=True).first()
        if tried
        else None
    )
    actor = _actor(request, None)
    record_as(
        Actor(
            user=None,
            clinic_id=clinic_id,
            address=actor.address,
            user_agent=actor.user_agent,
            method=actor.method,
            path=actor.path,
        ),
        "auth.login.failed",
        outcome="denied",
        detail={"username": tried},
        clinic_id=clinic_id,
        anonymous=True,
    )
