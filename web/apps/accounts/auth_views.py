"""Logging in: the password page (rate-limited), two-factor set-up and codes, password reset."""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.actions import (
    confirm_totp_enrolment,
    new_recovery_codes,
    start_totp_enrolment,
    turn_off_two_factor,
)
from apps.accounts.models import User
from apps.accounts.throttle import retry_after
from apps.accounts.two_factor import (
    SESSION_OPTIONAL,
    is_verified,
    qr_svg,
    two_factor_required,
    verify_code,
)
from apps.audit.actor import Actor
from apps.audit.log import record_as
from lowdose.errors import InputError

__all__ = [
    "LoginView",
    "PasswordResetView",
    "two_factor_manage",
    "two_factor_setup",
    "two_factor_verify",
]


def too_many_attempts(request: HttpRequest, wait: float) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "seconds": math.ceil(wait)},
        status=429,
    )
    response["Retry-After"] = str(math.ceil(wait))
    return response


class LoginView(auth_views.LoginView):
    """Django's login page; a rate-limited attempt answers 429 without checking the password."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        wait = retry_after(self.request)
        if wait is not None:
            return too_many_attempts(self.request, wait)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_accounts_skip_two_factor"] = User.objects.filter(mfa_exempt=True).exists()
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: the same "check your e-mail" page whether the address is known or not.

    Requests count against the address's login limit, so one machine cannot flood inboxes.
    """

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        from apps.accounts.throttle import record_failure, refusal

        key = "password-reset"  # one shared counter name: limits the address, not a username
        wait = refusal(self.request, key)
        if wait is not None:
            return too_many_attempts(self.request, wait)
        record_failure(self.request, key)
        return super().form_valid(form)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _secret_text(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # Adding a device must never be a way around the one already there.
        verified = is_verified(request)
        return redirect("accounts:two_factor" if verified else "accounts:two_factor_verify")
    device = start_totp_enrolment(user)
    error: InputError | None = None
    if request.method == "POST":
        try:
            codes = confirm_totp_enrolment(
                Actor.from_request(request), device, request.POST.get("code", "")
            )
        except InputError as exc:
            error = exc
        else:
            otp_login(request, device)
            request.session.pop(SESSION_OPTIONAL, None)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "qr": qr_svg(device.config_url),
            "secret": _secret_text(device),
            "error": error,
            "required": two_factor_required(user),
            "next": _next_url(request),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if is_verified(request) or not user_has_device(user):
        return redirect(_next_url(request))
    error = ""
    if request.method == "POST":
        device = verify_code(user, request.POST.get("code", ""))
        actor = Actor.from_request(request)
        if device is None:
            record_as(actor, "login.two_factor", outcome="denied")
            error = "That code did not work. Enter the 6-digit code your app shows now, or one of "
            error += "your recovery codes. After several wrong codes you must wait a little."
        else:
            otp_login(request, device)
            record_as(actor, "login.two_factor", obj=device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Make new ones on the "
                    "two-factor page if you are running low.",
                )
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """Status, new recovery codes and (patients) turning two-factor off."""
    user = cast(User, request.user)
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if request.method == "POST":
        actor = Actor.from_request(request)
        try:
            if request.POST.get("action") == "recovery-codes":
                codes = new_recovery_codes(actor)
                return render(
                    request, "accounts/recovery_codes.html", {"codes": codes, "next": "/"}
                )
            if request.POST.get("action") == "turn-off":
                turn_off_two_factor(actor)
                messages.success(request, "Two-factor authentication is off.")
                return redirect("accounts:two_factor")
            raise InputError("Choose what to do.", field="action")
        except InputError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:two_factor")
    left = StaticToken.objects.filter(device__user=user).count() if enrolled else 0
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": enrolled,
            "codes_left": left,
            "exempt": user.mfa_exempt,
            "required": two_factor_required(user) or not user.is_patient,
        },
    )
