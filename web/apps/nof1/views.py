"""N-of-1 pages: set up a trial, follow it blinded, lock the plan, unblind, read the result; the
pharmacist's kit lists."""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.access import can, get_patient_for_user, get_trial_for_user, visible_trials
from apps.accounts.models import Pharmacy, User
from apps.audit.actor import Actor
from apps.audit.log import record, record_many
from apps.checkins.queries import patient_today
from apps.clinical.screening import screen_patient
from apps.nof1.actions import (
    DesignRequest,
    analyse,
    design_trial,
    emergency_unblind,
    lock_plan,
    mark_kits_prepared,
    unblind,
)
from apps.nof1.models import Nof1Trial
from apps.nof1.pooling import MIN_TRIALS, completed_pain_trials, pool_clinic
from apps.nof1.queries import current_kit, kit_rows
from lowdose.errors import InputError, LowdoseError
from lowdose.outcomes import OUTCOMES, OutcomesWarning
from lowdose.outcomes.charts import nof1_chart_spec
from lowdose.safety import ScreenBlockedError

#: Doses offered as arms (mg): the LDN range of the trials (Younger 2009/2013: 4.5 mg; FINAL
#: 2024: up to 6 mg) and the lower titration steps.
ARM_CHOICES = ("1.5", "3", "4.5", "6")


@login_required
@require_GET
def trial_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "nof1.view")
    user = cast(User, request.user)
    return render(
        request,
        "nof1/list.html",
        {
            "patient": patient,
            "trials": Nof1Trial.objects.filter(patient=patient),
            "can_manage": can(user, "nof1.manage", patient),
        },
    )


def _design_from_post(request: HttpRequest) -> DesignRequest:
    post = request.POST
    doses = [d for d in post.getlist("arms") if d in ARM_CHOICES]
    if not doses:
        raise InputError("arms: tick at least one LDN dose to compare with placebo.", field="arms")
    pharmacy = Pharmacy.objects.filter(pk=post.get("pharmacy") or 0).first()
    if pharmacy is None:
        raise InputError("pharmacy: choose the pharmacy that prepares the kits.", field="pharmacy")
    try:
        return DesignRequest(
            arms=("placebo", *doses),
            cycles=int(post.get("cycles", "3")),
            period_days=int(post.get("period_days", "28")),
            start=date.fromisoformat(post.get("start", "")),
            onset_days=float(post.get("onset_days", "7")),
            pharmacy=pharmacy,
            outcome=post.get("outcome", "pain"),
            mcid=float(post.get("mcid", "1")),
        )
    except ValueError:
        raise InputError(
            "Enter whole numbers for cycles and period length, a number of days for the onset "
            "allowance and the MCID, and a start date (YYYY-MM-DD).",
            field="start",
        ) from None


@login_required
@require_http_methods(["GET", "POST"])
def trial_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "nof1.manage")
    error: LowdoseError | None = None
    if request.method == "POST":
        try:
            trial, notes = design_trial(
                request,
                patient,
                _design_from_post(request),
                caution_reason=request.POST.get("caution_reason", ""),
            )
        except LowdoseError as exc:
            error = exc
        else:
            for note in notes:
                messages.warning(request, note)
            messages.success(request, "Trial designed. The pharmacy now has the kit list.")
            return redirect("nof1:detail", trial_id=trial.pk)
    return render(
        request,
        "nof1/new.html",
        {
            "patient": patient,
            "error": error,
            "values": request.POST,
            "arm_choices": ARM_CHOICES,
            "pharmacies": Pharmacy.objects.order_by("name"),
            "outcomes": list(OUTCOMES),
            "default_start": (patient_today(patient) + timedelta(days=7)).isoformat(),
            "screening": screen_patient(patient),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def trial_detail(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.view")
    user = cast(User, request.user)
    context: dict[str, Any] = {
        "trial": trial,
        "patient": trial.patient,
        "can_manage": can(user, "nof1.manage", trial.patient),
        "today_kit": current_kit(trial, patient_today(trial.patient)),
        "outcomes": list(OUTCOMES),
        "emergencies": trial.emergencies.all(),
        # Kits hold naltrexone: while the screen does not pass, say so to everyone on the page.
        "hold": not trial.is_unblinded and screen_patient(trial.patient).blocking,
    }
    if trial.is_unblinded:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always", OutcomesWarning)
            result, diary = analyse(trial)
        context["result"] = result
        context["chart_spec"] = nof1_chart_spec(result, diary)
        context["periods"] = trial.allocation.plan["periods"]
    return render(request, "nof1/detail.html", context)


def _step(request: HttpRequest, trial: Nof1Trial, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except LowdoseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("nof1:detail", trial_id=trial.pk)


@login_required
@require_POST
def trial_lock(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.manage")

    def lock() -> None:
        try:
            mcid = float(request.POST.get("mcid", trial.mcid))
        except ValueError:
            raise InputError("mcid: enter a number of points, e.g. 1.", field="mcid") from None
        lock_plan(
            request,
            trial,
            outcome=request.POST.get("outcome", trial.outcome),
            mcid=mcid,
            trend=request.POST.get("trend") == "on",
        )

    return _step(request, trial, lock, "Analysis plan locked. It cannot change now.")


@login_required
@require_POST
def trial_unblind(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.manage")
    return _step(request, trial, lambda: unblind(request, trial), "Trial unblinded.")


@login_required
@require_POST
def trial_emergency(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.manage")
    try:
        arm = emergency_unblind(
            request, trial, kit=request.POST.get("kit", ""), reason=request.POST.get("reason", "")
        )
    except LowdoseError as exc:
        messages.error(request, str(exc))
    else:
        content = "placebo" if arm == "placebo" else f"naltrexone {arm}"
        messages.warning(
            request,
            f"Emergency unblinding recorded: kit {request.POST['kit'].upper()} is {content}.",
        )
    return redirect("nof1:detail", trial_id=trial.pk)


@login_required
@require_GET
def pharmacy_trials(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_pharmacist:
        record(request, "nof1.kits", outcome="denied")
        return render(request, "404.html", status=404)
    return render(request, "nof1/pharmacy.html", {"trials": visible_trials(user, "nof1.kits")})


@login_required
@require_GET
def kit_list(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.kits")
    return render(request, "nof1/kits.html", _kits_context(trial))


def _kits_context(trial: Nof1Trial) -> dict[str, object]:
    result = screen_patient(trial.patient)
    return {
        "trial": trial,
        "kits": kit_rows(trial),
        "result": result if result.blocking else None,
        "legacy_codes": not trial.allocation.codes_protect_the_blind,
    }


@login_required
@require_POST
def kits_prepared(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.kits")
    try:
        mark_kits_prepared(Actor.from_request(request), trial)
    except ScreenBlockedError as exc:
        context = _kits_context(trial)
        context["blocked"] = str(exc)
        return render(request, "nof1/kits.html", context, status=409)
    except LowdoseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Kits recorded as prepared and dispensed.")
    return redirect("nof1:kits", trial_id=trial.pk)


@login_required
@require_GET
def research(request: HttpRequest) -> HttpResponse:
    """The clinic's completed N-of-1 trials pooled, de-identified (clinic admins)."""
    user = cast(User, request.user)
    if not user.is_clinic_admin or user.clinic is None:
        record(request, "nof1.pool", outcome="denied")
        return render(request, "404.html", status=404)
    trials = completed_pain_trials(user.clinic)
    record_many(request, "nof1.pool", [t.patient_id for t in trials])
    return render(
        request,
        "nof1/research.html",
        {"pooled": pool_clinic(trials), "count": len(trials), "minimum": MIN_TRIALS},
    )
