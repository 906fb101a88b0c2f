"""Two-factor authentication (django-otp): who needs it, and the gate in front of every page.

Clinicians, pharmacists and clinic admins — every role but patient, so that an account without a
role fails closed — must pass a second factor (a TOTP app, or a single-use recovery code) before
any page but the two-factor pages themselves, log out, password reset and static files. Staff
without a device are sent to set one up first. A patient may turn it on; then it is required of
them too. Accounts the demo loader created (``User.mfa_exempt``) skip it.

The REST API authenticates with bearer tokens: ``POST /api/v1/auth/token`` asks for the code itself
(:func:`verify_code`). The few operations the pages' scripts call with the session
(:class:`apps.accounts.auth.SignedInSession`) accept it only once two-factor is passed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Role, User

__all__ = [
    "RequireTwoFactorMiddleware",
    "is_verified",
    "qr_svg",
    "two_factor_required",
    "verify_code",
]

SESSION_OPTIONAL = "lowdose_two_factor_optional"


def two_factor_required(user: User) -> bool:
    """Must ``user`` pass a second factor? Staff always (demo accounts excepted); a patient once
    they have turned it on."""
    if user.mfa_exempt:
        return False
    if user.role != Role.PATIENT:
        return True
    return bool(user_has_device(user))


def is_verified(request: HttpRequest) -> bool:
    """Did this session pass a second factor (django-otp's ``user.is_verified()``)?"""
    check = getattr(request.user, "is_verified", None)
    return bool(check()) if callable(check) else False


def verify_code(user: User, code: str) -> Device | None:
    """The device of ``user`` that accepts ``code`` — a TOTP code or an unused recovery code (then
    used up) — or ``None``. django-otp throttles each device after failures (1, 2, 4… s)."""
    cleaned = "".join(code.split()).lower()
    if not cleaned:
        return None
    kinds: tuple[type[Device], ...] = (
        (TOTPDevice,) if cleaned.isascii() and cleaned.isdigit() else (StaticDevice,)
    )
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, kinds):
            # verify_token saves the device (drift, replay guard, throttling, used codes).
            with transaction.atomic():
                locked = type(device).objects.select_for_update().get(pk=device.pk)
                if locked.verify_token(cleaned):
                    return locked
    return None


def qr_svg(data: str) -> str:
    """An inline SVG QR code of ``data``, drawn on the server (no network, no script)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="QR code"
    )
    return out.getvalue().decode("utf-8")


class RequireTwoFactorMiddleware:
    """Send a signed-in person who must pass two-factor, and has not, to set it up or enter a
    code. Must follow django-otp's ``OTPMiddleware``."""

    OPEN_PREFIXES = ("/static/", "/api/", "/health")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _open(self, path: str) -> bool:
        if path.startswith(self.OPEN_PREFIXES):
            return True
        return path == reverse("logout") or path.startswith(
            (
                reverse("accounts:two_factor_setup"),
                reverse("accounts:two_factor_verify"),
                reverse("password_reset"),
            )
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if (
            isinstance(user, User)
            and user.is_authenticated
            and not is_verified(request)
            and not self._open(request.path)
        ):
            response = self._gate(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _gate(self, request: HttpRequest, user: User) -> HttpResponse | None:
        # A patient who has not turned two-factor on is remembered for the session, so their
        # pages cost no device query each.
        if user.is_patient and request.session.get(SESSION_OPTIONAL) == user.pk:
            return None
        if not two_factor_required(user):
            if user.is_patient:
                request.session[SESSION_OPTIONAL] = user.pk
            return None
        target = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(f"accounts:{target}") + (f"?{query}" if query else ""))
