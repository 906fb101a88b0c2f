"""The alert inbox: open alerts the user may see, acknowledged and resolved with a note.

Clinicians act on their care teams' alerts; pharmacists read the alerts that block their queue;
everyone else gets a 404, as the access rules say.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import acts_on_any, denied_page, visible_patients
from apps.accounts.models import User
from apps.alerts.access import get_alert_for_user
from apps.alerts.actions import acknowledge_alert, resolve_alert
from apps.alerts.models import Alert, Severity
from apps.alerts.presentation import kind_title, plain_facts
from apps.alerts.queries import open_alerts
from apps.audit.actor import Actor
from apps.audit.log import record
from config.errors import AlertClosedError
from lowdose.errors import InputError

__all__ = ["acknowledge", "inbox", "resolve"]


def _filters(request: HttpRequest) -> tuple[Severity | None, int | None, str]:
    """The severity and patient filters of the query string, and what was wrong with them."""
    raw_severity = request.GET.get("severity", "").strip()
    raw_patient = request.GET.get("patient", "").strip()
    severity: Severity | None = None
    patient_id: int | None = None
    problem = ""
    if raw_severity:
        try:
            severity = Severity(raw_severity)
        except ValueError:
            problem = "Choose urgent, warning or information as the severity; showing all."
    if raw_patient:
        try:
            patient_id = int(raw_patient)
        except ValueError:
            problem = "Choose a patient from the list; showing all patients."
    return severity, patient_id, problem


def _render_inbox(
    request: HttpRequest,
    *,
    error: InputError | None = None,
    error_alert: int | None = None,
    note: str = "",
    status: int = 200,
) -> HttpResponse:
    user = cast(User, request.user)
    severity, patient_id, problem = _filters(request)
    alerts = list(open_alerts(user, severity=severity, patient_id=patient_id))
    record(
        request,
        "alerts.view",
        detail={"patient_ids": sorted({a.patient_id for a in alerts})},
    )
    patients = visible_patients(user, "alerts.view").order_by("display_name", "pk")
    items = [
        {
            "alert": a,
            "title": kind_title(a.kind),
            "facts": plain_facts(a.facts),
            "error": error if error_alert == a.pk else None,
            "note": note if error_alert == a.pk else "",
        }
        for a in alerts
    ]
    return render(
        request,
        "alerts/inbox.html",
        {
            "items": items,
            "read_only": user.is_pharmacist,
            "severities": Severity.choices,
            "patients": patients,
            "severity": severity.value if severity else "",
            "patient_id": patient_id,
            "problem": problem,
            "back": _safe_next(request) or reverse("alerts:inbox")
            if request.method == "POST"
            else request.get_full_path(),
        },
        status=status,
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    if not acts_on_any(cast(User, request.user), "alerts.view"):
        return denied_page(request, "alerts.view")
    return _render_inbox(request)


def _safe_next(request: HttpRequest) -> str:
    """The page a form came from (``next``), if it is on this site; else ""."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target.split("#")[0]
    return ""


def _back(request: HttpRequest, alert: Alert) -> str:
    return f"{_safe_next(request) or reverse('alerts:inbox')}#alert-{alert.pk}"


def _act(request: HttpRequest, alert_id: int, *, resolving: bool) -> HttpResponse:
    actor = Actor.from_request(request)
    alert = get_alert_for_user(actor, alert_id, "alerts.acknowledge")
    note = request.POST.get("note", "")
    try:
        if resolving:
            resolve_alert(actor, alert, note)
        else:
            acknowledge_alert(actor, alert, note)
    except AlertClosedError as exc:
        messages.error(request, str(exc))
        return redirect(_back(request, alert))
    except InputError as exc:
        return _render_inbox(request, error=exc, error_alert=alert.pk, note=note, status=400)
    who = alert.patient.display_name
    messages.success(
        request,
        f"Resolved: {kind_title(alert.kind).lower()} for {who}."
        if resolving
        else f"Acknowledged: {kind_title(alert.kind).lower()} for {who}.",
    )
    return redirect(_back(request, alert))


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Record "I have seen this and I am acting" with a note; the alert stays open."""
    return _act(request, alert_id, resolving=False)


@login_required
@require_POST
def resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Close the alert with a note: the situation is dealt with."""
    return _act(request, alert_id, resolving=True)
