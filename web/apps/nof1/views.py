"""N-of-1 pages: set up a trial, follow it blinded, lock the plan, unblind, read the result; the
pharmacist's kit lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.access import can, denied_page, get_patient_for_user
from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.audit.log import record_many
from apps.checkins.queries import patient_today
from apps.clinical.screening import screen_patient
from apps.nof1.access import get_trial_for_user, visible_trials
from apps.nof1.actions import (
    DesignRequest,
    blinded_diary,
    design_trial,
    emergency_unblind,
    lock_plan,
    mark_kits_prepared,
    stop_trial,
    unblind,
)
from apps.nof1.assistant import assistant_state, retry_figures
from apps.nof1.models import Nof1Trial
from apps.nof1.pooling import MIN_TRIALS, completed_pain_trials, pool_clinic
from apps.nof1.queries import current_kit, kit_rows, trial_under_way
from apps.nof1.states import allowed, facts_of, situation, state_of, today_of
from lowdose.daily import DAILY_SCALES
from lowdose.errors import InputError, LowdoseError
from lowdose.outcomes import AnalysisPlan
from lowdose.outcomes.charts import nof1_chart_spec
from lowdose.outcomes.nof1 import Nof1Result
from lowdose.outcomes.trial_states import Step, TrialState, long_date
from lowdose.safety import ScreenBlockedError

#: Doses offered as arms (mg): the LDN range of the trials (Younger 2009/2013: 4.5 mg; FINAL
#: 2024: up to 6 mg) and the lower titration steps.
ARM_CHOICES = ("1.5", "3", "4.5", "6")


def _under_way_notice(patient: Patient) -> str:
    current = trial_under_way(patient)
    if current is None:
        return ""
    return (
        f"Trial {current.pk} is under way ({state_of(current).label.lower()}): stop it, or wait "
        "until it finishes, before designing another."
    )


@login_required
@require_GET
def trial_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "nof1.view")
    user = cast(User, request.user)
    can_manage = can(user, "nof1.manage", patient)
    trials = list(Nof1Trial.objects.filter(patient=patient).select_related("patient"))
    return render(
        request,
        "nof1/list.html",
        {
            "patient": patient,
            "rows": [(t, situation(t, user)) for t in trials],
            "can_manage": can_manage,
            "under_way": _under_way_notice(patient) if can_manage else "",
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
                Actor.from_request(request),
                patient,
                _design_from_post(request),
                caution_reason=request.POST.get("caution_reason", ""),
            )
        except LowdoseError as exc:
            error = exc
        else:
            # The design assistant's simulation runs on the worker (design_trial sent it): the
            # trial page shows "Calculating…" until its figures are stored.
            for note in notes:
                messages.warning(request, note)
            messages.success(
                request,
                "Trial designed and sent to the pharmacy. Next: the pharmacy prepares the kits; "
                "then you lock the analysis plan here.",
            )
            return redirect("nof1:detail", trial_id=trial.pk)
    return render(
        request,
        "nof1/new.html",
        {
            "patient": patient,
            "error": error,
            "under_way": _under_way_notice(patient),
            "values": request.POST,
            "arm_choices": ARM_CHOICES,
            "pharmacies": Pharmacy.objects.order_by("name"),
            "outcomes": list(DAILY_SCALES.names),
            "default_start": (patient_today(patient) + timedelta(days=7)).isoformat(),
            "screening": screen_patient(patient),
        },
        status=400 if error else 200,
    )


#: The N-of-1 chart of an unblinded trial is cached this long (it depends only on the stored
#: result and the diary's blinded days, fixed at unblinding).
CHART_SECONDS = 7 * 24 * 3600


def _chart(trial: Nof1Trial, result: Nof1Result) -> dict[str, Any]:
    unblinded = trial.unblinded_at.isoformat() if trial.unblinded_at else ""
    key = f"nof1:chart:1:{trial.pk}:{unblinded}"
    spec = cache.get(key)
    if spec is None:
        spec = nof1_chart_spec(result, blinded_diary(trial, facts_of(trial)), width="container")
        cache.set(key, spec, CHART_SECONDS)
    return cast(dict[str, Any], spec)


@login_required
@require_GET
def trial_detail(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.view")
    user = cast(User, request.user)
    today = today_of(trial)
    can_manage = can(user, "nof1.manage", trial.patient)
    steps = allowed(trial, user, today) if can_manage else frozenset()
    context: dict[str, Any] = {
        "trial": trial,
        "patient": trial.patient,
        "can_manage": can_manage,
        "situation": situation(trial, user, today),
        "steps": {step.value: True for step in steps},
        "today_kit": current_kit(trial, today),
        "outcomes": list(DAILY_SCALES.names),
        "emergencies": trial.emergencies.select_related("by"),
        # Kits hold naltrexone: while the screen does not pass, say so to everyone on the page.
        "hold": not trial.is_unblinded and screen_patient(trial.patient).blocking,
    }
    if can_manage and not trial.is_unblinded:
        context["assistant"] = assistant_state(trial)
    if trial.is_unblinded and trial.result:
        stored = trial.result
        context["caveats"] = stored.get("caveats", [])
        context["no_result"] = stored.get("error", "")
        if "effects" in stored:
            result = Nof1Result.from_dict(stored)
            context["result"] = result
            context["chart_spec"] = _chart(trial, result)
        context["periods"] = trial.allocation.plan["periods"]
    return render(request, "nof1/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def trial_assistant(request: HttpRequest, trial_id: int) -> HttpResponse:
    """The design assistant's figures, computed by the worker: the stored figures, or
    "Calculating…" (the trial page's card asks for this fragment every few seconds; without
    JavaScript this page refreshes itself), or what to do after a failure. POST: try again."""
    trial = get_trial_for_user(request, trial_id, "nof1.manage")
    if request.method == "POST":
        try:
            retry_figures(Actor.from_request(request), trial)
        except LowdoseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The design assistant is calculating again.")
        return redirect("nof1:assistant", trial_id=trial.pk)
    context = {"trial": trial, "assistant": assistant_state(trial), "patient": trial.patient}
    if request.htmx:  # type: ignore[attr-defined]  # django_htmx.middleware.HtmxMiddleware
        return render(request, "nof1/_assistant.html", context)
    return render(request, "nof1/assistant.html", context)


def _step(
    request: HttpRequest, trial: Nof1Trial, action: Any, done: Callable[[], str]
) -> HttpResponse:
    try:
        action()
    except LowdoseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done())
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
        plan = AnalysisPlan(
            outcome=request.POST.get("outcome", trial.outcome),
            mcid=mcid,
            trend=request.POST.get("trend") == "on",
        )
        lock_plan(Actor.from_request(request), trial, plan)

    def done() -> str:
        then = situation(trial, cast(User, request.user)).next_step
        return f"Analysis plan locked; it cannot change now. {then}"

    return _step(request, trial, lock, done)


@login_required
@require_POST
def trial_stop(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.manage")

    def done() -> str:
        then = (
            " You can unblind and analyse the days recorded before the stop."
            if Step.UNBLIND in allowed(trial, cast(User, request.user))
            else ""
        )
        return f"Trial stopped; the patient's page tells them to stop the trial capsules.{then}"

    return _step(
        request,
        trial,
        lambda: stop_trial(
            Actor.from_request(request), trial, reason=request.POST.get("reason", "")
        ),
        done,
    )


@login_required
@require_POST
def trial_unblind(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.manage")
    return _step(
        request,
        trial,
        lambda: unblind(Actor.from_request(request), trial),
        lambda: (
            "Trial unblinded: the result and the allocation are below, and on the patient's "
            "page. Go through them with the patient."
        ),
    )


@login_required
@require_POST
def trial_emergency(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.manage")
    kit = request.POST.get("kit", "")
    try:
        arm = emergency_unblind(
            Actor.from_request(request), trial, kit=kit, reason=request.POST.get("reason", "")
        )
    except LowdoseError as exc:
        messages.error(request, str(exc))
    else:
        content = "placebo" if arm == "placebo" else f"naltrexone {arm}"
        messages.warning(
            request,
            f"Emergency unblinding recorded: kit {kit.strip().upper()} is {content}. The trial "
            "has ended; the patient's page tells them to stop the trial capsules.",
        )
    return redirect("nof1:detail", trial_id=trial.pk)


@login_required
@require_GET
def pharmacy_trials(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_pharmacist:
        return denied_page(request, "nof1.kits")
    trials = list(visible_trials(user, "nof1.kits"))
    return render(
        request, "nof1/pharmacy.html", {"rows": [(t, situation(t, user)) for t in trials]}
    )


@login_required
@require_GET
def kit_list(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.kits")
    return render(request, "nof1/kits.html", _kits_context(trial, cast(User, request.user)))


def _kits_context(trial: Nof1Trial, user: User) -> dict[str, object]:
    result = screen_patient(trial.patient)
    return {
        "trial": trial,
        "kits": kit_rows(trial),
        "situation": situation(trial, user),
        "can_prepare": Step.PREPARE_KITS in allowed(trial, user) and not result.blocking,
        "result": result if result.blocking else None,
        "legacy_codes": not trial.allocation.codes_protect_the_blind,
    }


@login_required
@require_POST
def kits_prepared(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = get_trial_for_user(request, trial_id, "nof1.kits")
    user = cast(User, request.user)
    try:
        mark_kits_prepared(Actor.from_request(request), trial)
    except ScreenBlockedError as exc:
        context = _kits_context(trial, user)
        context["blocked"] = str(exc)
        return render(request, "nof1/kits.html", context, status=409)
    except LowdoseError as exc:
        messages.error(request, str(exc))
    else:
        then = (
            "Next: the clinician locks the analysis plan."
            if state_of(trial) is TrialState.KITS_PREPARED
            else "The analysis plan was already locked: the trial runs from "
            f"{long_date(trial.start)} to {long_date(trial.end)}."
        )
        messages.success(request, f"Kits recorded as prepared and dispensed. {then}")
    return redirect("nof1:kits", trial_id=trial.pk)


@login_required
@require_GET
def research(request: HttpRequest) -> HttpResponse:
    """The clinic's completed N-of-1 trials pooled, de-identified (clinic admins)."""
    user = cast(User, request.user)
    if not user.is_clinic_admin or user.clinic is None:
        return denied_page(request, "nof1.pool")
    trials = completed_pain_trials(user.clinic)
    record_many(request, "nof1.pool", [t.patient_id for t in trials])
    return render(
        request,
        "nof1/research.html",
        {"pooled": pool_clinic(trials), "count": len(trials), "minimum": MIN_TRIALS},
    )
