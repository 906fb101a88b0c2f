"""Home routing, invitations, the pharmacist's start page, and the health check (the admin's
start page, the audit log, is :mod:`apps.accounts.audit_views`)."""

from __future__ import annotations

from typing import cast
from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.access import denied_page, get_patient_for_user
from apps.accounts.actions import (
    accept_invitation,
    find_invitation,
    invite_patient,
    update_patient_settings,
)
from apps.accounts.locale import locale_examples
from apps.accounts.models import CareTeam, Patient, Role, User
from apps.audit.actor import Actor
from lowdose.errors import InputError


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if user.is_patient:
        patient = Patient.objects.filter(user=user).first()
        if patient is not None:
            return redirect("checkins:dashboard", patient_id=patient.pk)
    if user.is_clinician:
        return redirect("checkins:panel")
    if user.is_pharmacist:
        return redirect("accounts:pharmacy")
    if user.is_clinic_admin:
        return redirect("accounts:audit")
    return render(request, "accounts/no_role.html", status=403)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_clinician:
        return denied_page(request, "patient.invite")
    teams = CareTeam.objects.filter(clinicians=user).order_by("name")
    error: InputError | None = None
    if request.method == "POST":
        team = teams.filter(pk=request.POST.get("care_team") or 0).first()
        try:
            if team is None:
                raise InputError("Choose one of your own care teams.", field="care_team")
            issued = invite_patient(
                Actor.from_request(request),
                team,
                display_name=request.POST.get("display_name", ""),
            )
        except InputError as exc:
            error = exc
        else:
            link = request.build_absolute_uri(f"/invite/{issued.token}/")
            return render(
                request,
                "accounts/invite_created.html",
                {
                    "patient": issued.patient,
                    "link": link,
                    "expires_at": issued.invitation.expires_at,
                },
            )
    return render(
        request,
        "accounts/invite.html",
        {"teams": teams, "error": error, "values": request.POST},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = find_invitation(token)
    if invitation is None:
        return render(request, "accounts/invite_invalid.html", status=404)
    error: InputError | None = None
    if request.method == "POST":
        try:
            user = accept_invitation(
                Actor.from_request(request),
                token=token,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
                email=request.POST.get("email", ""),
            )
        except InputError as exc:
            error = exc
        else:
            login(request, user, backend="apps.accounts.throttle.RateLimitedModelBackend")
            messages.success(request, "Welcome to lowdose. Your first check-in takes 30 seconds.")
            return redirect("home")
    return render(
        request,
        "accounts/invite_accept.html",
        {"invitation": invitation, "error": error, "values": request.POST},
        status=400 if error else 200,
    )


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _is_clinician(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and request.user.role == Role.CLINICIAN


@login_required
@require_http_methods(["GET", "POST"])
def patient_settings(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "patient.settings")
    error: InputError | None = None
    if request.method == "POST":
        try:
            changes = update_patient_settings(
                Actor.from_request(request),
                patient,
                time_zone=request.POST.get("time_zone", ""),
                locale=request.POST.get("locale", patient.locale),
                # the record number is the clinic's: only a clinician's form changes it
                mrn=request.POST.get("mrn") if _is_clinician(request) else None,
            )
        except InputError as exc:
            error = exc
        else:
            messages.success(request, "Settings saved." if changes else "Nothing to change.")
            return redirect("checkins:dashboard", patient_id=patient.pk)
    return render(
        request,
        "accounts/patient_settings.html",
        {
            "patient": patient,
            "zones": sorted(available_timezones()),
            "locales": locale_examples(),
            "error": error,
            "edits_mrn": _is_clinician(request),
        },
        status=400 if error else 200,
    )
