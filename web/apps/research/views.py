"""Pages: the clinic admin's research export, and each patient's answer to research use."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.access import denied_page, get_patient_for_user, visible_patients
from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.research.actions import set_research_use
from apps.research.export import research_export
from apps.research.models import ResearchConsent
from config.downloads import ZIP, attachment
from lowdose.interop.research import MAX_SHIFT_WEEKS, TABLES

__all__ = ["consent", "export"]

#: What the patient answers: the two choices of the form.
_ANSWERS = {"yes": True, "no": False}


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """GET: what the export holds and how many patients agreed; POST: the archive (audited)."""
    user = cast(User, request.user)
    if not user.is_clinic_admin:
        return denied_page(request, "research.export")
    if request.method == "POST":
        made = research_export(Actor.from_request(request), user)
        return attachment(made.data, ZIP, made.filename)
    patients = visible_patients(user, "research.export")
    agreed = patients.filter(research_consent__agreed=True).count()
    return render(
        request,
        "research/export.html",
        {
            "agreed": agreed,
            "others": patients.count() - agreed,
            "tables": TABLES,
            "weeks": MAX_SHIFT_WEEKS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's own page: yes or no to research use of their de-identified data."""
    patient = get_patient_for_user(request, patient_id, "research.consent")
    current = ResearchConsent.objects.filter(patient=patient).first()
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer not in _ANSWERS:
            error = "Choose yes or no, then press Save. Nothing was changed."
        else:
            set_research_use(Actor.from_request(request), patient, agreed=_ANSWERS[answer])
            messages.success(
                request,
                "Saved: your de-identified data may be used for research."
                if _ANSWERS[answer]
                else "Saved: your data will not be in any research export from now on.",
            )
            return redirect("research:consent", patient_id=patient.pk)
    return render(
        request,
        "research/consent.html",
        {
            "patient": patient,
            "agreed": bool(current and current.agreed),
            "answered": current is not None,
            "changed_at": current.changed_at if current else None,
            "error": error,
            "weeks": MAX_SHIFT_WEEKS,
        },
        status=400 if error else 200,
    )
