"""Clinical pages: medication list and safety screen, prescriptions (draft, sign, downloads),
the patient's treatment page and wallet card. Rules live in :mod:`apps.accounts.access` and the
core; these views only read, call an action, and render."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.access import can, get_patient_for_user
from apps.accounts.locale import when
from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.clinical import actions
from apps.clinical import screening as safety_net
from apps.clinical.access import get_prescription_for_user, visible_prescriptions
from apps.clinical.calendar import calendar_response
from apps.clinical.fhir_records import medication_request_for
from apps.clinical.models import Medication, Prescription
from apps.clinical.queries import current_dose_for, open_trial_windows, patient_today
from apps.clinical.screening import screen_patient
from config.api_input import row_id
from lowdose.errors import InputError, LowdoseError
from lowdose.regimens import DoseTime, list_protocols
from lowdose.safety import CONDITIONS, ScreenBlockedError, wallet_card

_SEVERITY_ORDER = {"contraindicated": 0, "caution": 1, "info": 2}


#: The screen's status in words for people (messages, headings).
STATUS_WORDS = {
    "contraindicated": "contraindicated, do not prescribe or dispense",
    "review": "needs a person to check an entry",
    "caution": "caution, a reason is needed to sign",
    "ok": "every entry identified, nothing found",
}


def _screen_context(patient: Patient) -> dict[str, object]:
    result = screen_patient(patient)
    return {
        "result": result,
        "can_resolve": True,
        "medications": patient.medications.listed(),
        "conditions": patient.conditions.listed(),
        "removed_conditions": patient.conditions.filter(removed_at__isnull=False)
        .select_related("removed_by")
        .order_by("-removed_at"),
        "surgery": safety_net.next_surgery(patient),
        "surgery_history": patient.surgeries.filter(replaced_at__isnull=False)
        .select_related("replaced_by")
        .order_by("-replaced_at"),
        "condition_choices": [(c, c.replace("-", " ").capitalize()) for c in CONDITIONS],
    }


#: The screening page's forms that are shown again with their error (conditions and surgery);
#: the medication forms answer with a message above the page.
_RERENDERED_OPS = frozenset({"remove_condition", "surgery", "clear_surgery"})


def _medication(patient: Patient, medication_id: str) -> Medication:
    pk = row_id(medication_id)
    med = None if pk is None else patient.medications.listed().filter(pk=pk).first()
    if med is None:
        raise InputError("That medicine is not on this patient's list.", field="medication")
    return med


def _screening_change(actor: Actor, patient: Patient, post: QueryDict) -> None:
    """One change from the screening page's forms (``op`` says which)."""
    op = post.get("op", "")
    if op == "add_medication":
        entry = actions.MedicationEntry.parse(
            patient,
            name=post.get("name", ""),
            status=post.get("status", "current"),
            last_dose=post.get("last_dose", ""),
        )
        actions.add_medication(actor, patient, entry)
    elif op in ("stop_medication", "correct_medication"):
        med = _medication(patient, post.get("medication", ""))
        entry = actions.MedicationEntry.parse(
            patient,
            name=post.get("name", med.name),
            status="stopped" if op == "stop_medication" else post.get("status", med.status),
            last_dose=post.get("last_dose", ""),
        )
        actions.correct_medication(actor, patient, med, entry, reason=post.get("reason", ""))
    elif op == "remove_medication":
        actions.remove_medication(actor, patient, _medication(patient, post.get("medication", "")))
    elif op == "add_condition":
        actions.add_condition(actor, patient, post.get("condition", ""))
    elif op == "remove_condition":
        raw = post.get("condition", "")
        actions.remove_condition(actor, patient, row_id(raw) or 0, reason=post.get("reason", ""))
    elif op in ("surgery", "clear_surgery"):
        on = "" if op == "clear_surgery" else post.get("surgery_on", "").strip()
        if op == "surgery" and not on:
            raise InputError("Date: give the day of the surgery.", field="surgery")
        try:
            day = date.fromisoformat(on) if on else None
        except ValueError:
            raise InputError(
                f"Date: “{on}” is not a date; give the surgery date as YYYY-MM-DD.",
                field="surgery",
            ) from None
        actions.set_surgery(
            actor, patient, day, post.get("description", ""), reason=post.get("reason", "")
        )
    else:
        raise InputError("Unknown change; reload the page and try again.", field="op")


@login_required
@require_POST
def resolve(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A clinician or pharmacist settles an entry the screen could not identify."""
    patient = get_patient_for_user(request, patient_id, "screening.resolve")
    post = request.POST
    nxt = post.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = ""
    try:
        resolution = actions.resolution_from(
            post.get("kind", ""), post.get("ingredients", ""), post.get("reason", "")
        )
        result = actions.resolve_entry(
            Actor.from_request(request), patient, text=post.get("text", ""), resolution=resolution
        )
    except InputError as exc:
        messages.error(request, f"Not saved. {exc}")
    else:
        messages.success(request, f"Saved. The screen now reads: {STATUS_WORDS[result.status]}.")
    return redirect(nxt or reverse("clinical:screening", args=[patient.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The clinician's page: medication list, conditions, surgery, and the live safety screen."""
    form_error: dict[str, str] | None = None
    if request.method == "POST":
        patient = get_patient_for_user(request, patient_id, "clinical.edit")
        try:
            _screening_change(Actor.from_request(request), patient, request.POST)
        except InputError as exc:
            op = request.POST.get("op", "")
            if op not in _RERENDERED_OPS:
                messages.error(request, str(exc))
                return redirect("clinical:screening", patient_id=patient.pk)
            # The correction forms are shown again with the error next to the field, and what
            # was typed kept.
            target = request.POST.get("condition", "")
            found = row_id(target)
            if found is None or not patient.conditions.listed().filter(pk=found).exists():
                target = ""  # e.g. removed already (a second click): shown above the list
            form_error = {"op": op, "field": exc.field or "", "message": str(exc), "target": target}
        else:
            messages.success(request, "Saved; the screen below is up to date.")
            return redirect("clinical:screening", patient_id=patient.pk)
    else:
        patient = get_patient_for_user(request, patient_id, "clinical.view")
    user = cast(User, request.user)
    context = _screen_context(patient)
    context.update(
        patient=patient,
        today=patient_today(patient),
        prescriptions=visible_prescriptions(user, "clinical.view", patient),
        form_error=form_error,
        values=request.POST if form_error else {},
    )
    return render(request, "clinical/screening.html", context, status=400 if form_error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def prescription_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "prescriptions.sign")
    error: LowdoseError | None = None
    current = current_dose_for(patient)
    values: dict[str, str] = {
        "start_from": "beginning" if current is None else "current",
        "protocol": "ldnrt-standard",
        "start": patient_today(patient).isoformat(),
        "dose_time": DoseTime.BEDTIME.value,
        "form": "capsule",
        "concentration": "1",
        "supply_days": "",
        "custom_steps": "",
    }
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        values.update({k: request.POST.get(k, "") for k in values})
        problems = _prescription_form_problems(values)
    if request.method == "POST" and not problems:
        try:
            draft = actions.PrescriptionDraft.parse(
                protocol=values["protocol"],
                start=values["start"],
                dose_time=values["dose_time"],
                form=values["form"],
                concentration_mg_per_ml=values["concentration"],
                supply_days=values["supply_days"],
                custom_steps=values["custom_steps"],
                start_from=values["start_from"] or "beginning",
                end_before_trial=request.POST.get("end_before_trial") == "yes",
            )
            rx = actions.create_prescription(Actor.from_request(request), patient, draft)
        except LowdoseError as exc:
            error = exc
            field = getattr(exc, "field", None)
            problems = [(field if field in _PRESCRIPTION_FIELDS else "plan", str(exc))]
        else:
            messages.success(request, "Draft saved. Check the plan, then sign it.")
            return redirect("clinical:prescription", patient_id=patient.pk, prescription_id=rx.pk)
    return render(
        request,
        "clinical/prescription_new.html",
        {
            "patient": patient,
            "values": values,
            "error": error,
            "problems": problems,
            "invalid": {field for field, _ in problems},
            "current": current,
            "trials": open_trial_windows(patient),
            "end_before_trial": request.POST.get("end_before_trial") == "yes",
            "protocols": list_protocols(),
            "dose_times": [t.value for t in DoseTime],
        },
        status=400 if problems else 200,
    )


#: The new-prescription form's answers (an error about anything else points at the whole plan).
_PRESCRIPTION_FIELDS = frozenset(
    [
        "start_from",
        "protocol",
        "custom_steps",
        "start",
        "dose_time",
        "supply_days",
        "form",
        "concentration",
    ]
)


def _prescription_form_problems(values: dict[str, str]) -> list[tuple[str, str]]:
    """Every missing or unreadable answer of the new-prescription form at once, each named as the
    form labels it (``[(field, message)]``); the plan itself is checked after these are given."""
    problems: list[tuple[str, str]] = []
    if not values["protocol"].strip():
        problems.append(("protocol", "Titration protocol: choose one, or Custom with your steps."))
    elif values["protocol"] == "custom" and not values["custom_steps"].strip():
        problems.append(
            ("custom_steps", "Custom steps: write them as MG:DAYS, e.g. 1.5:14, 3:14, 4.5:open.")
        )
    start = values["start"].strip()
    if not start:
        problems.append(("start", "First dose: enter the day of the first dose."))
    else:
        try:
            date.fromisoformat(start)
        except ValueError:
            problems.append(
                ("start", f"First dose: “{start}” is not a date; choose the day in the calendar.")
            )
    supply = values["supply_days"].strip()
    if supply and not supply.isdecimal():
        problems.append(
            (
                "supply_days",
                "Supply (days): a whole number of days, or blank for the titration plus four "
                "weeks at the target dose.",
            )
        )
    if values["form"] == Prescription.Form.LIQUID and not values["concentration"].strip():
        problems.append(
            ("concentration", "Liquid concentration (mg/mL): enter it for an oral liquid, e.g. 1.")
        )
    return problems


def _detail_context(request: HttpRequest, rx: Prescription) -> dict[str, object]:
    user = cast(User, request.user)
    can_sign = rx.status == Prescription.Status.DRAFT and can(
        user, "prescriptions.sign", rx.patient
    )
    context: dict[str, object] = {
        "patient": rx.patient,
        "rx": rx,
        "steps": rx.plan(),
        "can_sign": can_sign,
        "can_cost": can(user, "prescriptions.cost", rx.patient),
        "can_dispense": user.is_pharmacist,
        "can_adjust": can(user, "prescriptions.sign", rx.patient),
        "today": patient_today(rx.patient),
        "off_label_statement": rx.off_label_statement or actions.OFF_LABEL_STATEMENT,
    }
    if can_sign:
        context.update(
            screen=screen_patient(rx.patient),
            pharmacies=Pharmacy.objects.order_by("name"),
        )
    return context


@login_required
@require_GET
def prescription(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.view")
    return render(request, "clinical/prescription.html", _detail_context(request, rx))


@login_required
@require_POST
def sign(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.sign")
    try:
        actions.sign_prescription(
            Actor.from_request(request),
            rx,
            pharmacy_id=actions.parse_pharmacy_id(request.POST.get("pharmacy")),
            consent=request.POST.get("consent") == "yes",
            caution_reason=request.POST.get("caution_reason", ""),
        )
    except ScreenBlockedError as exc:
        # The hard stop: nothing typed is worth keeping, so redirect (the page shows the screen).
        messages.error(request, f"Not signed. {exc}")
        return redirect("clinical:prescription", patient_id=rx.patient_id, prescription_id=rx.pk)
    except LowdoseError as exc:
        context = _detail_context(request, rx)
        context.update(sign_error=exc, values=request.POST)
        return render(request, "clinical/prescription.html", context, status=400)
    messages.success(request, f"Signed and sent to {rx.pharmacy}.")
    return redirect("clinical:prescription", patient_id=rx.patient_id, prescription_id=rx.pk)


@login_required
@require_POST
def adjust(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    """Apply a tolerability rule: a new draft (the original is kept as it was signed)."""
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.sign")
    try:
        on, days = actions.parse_adjustment(
            on=request.POST.get("on", ""), days=request.POST.get("days", "")
        )
        new = actions.adjust_prescription(
            Actor.from_request(request), rx, rule=request.POST.get("rule", ""), on=on, days=days
        )
    except LowdoseError as exc:
        messages.error(request, f"Plan not changed. {exc}")
        return redirect("clinical:prescription", patient_id=rx.patient_id, prescription_id=rx.pk)
    messages.success(request, "Adjusted plan saved as a new draft; check it, then sign it.")
    return redirect("clinical:prescription", patient_id=rx.patient_id, prescription_id=new.pk)


@login_required
@require_GET
def calendar(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    """The plan as an ``.ics`` file (:mod:`apps.clinical.calendar`); a draft only for clinicians."""
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.view")
    return calendar_response(rx)


@login_required
@require_GET
def fhir(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    """The prescription as one FHIR MedicationRequest, as the patient's export carries it (a
    draft is the clinician's alone: the getter gives a patient "not found")."""
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.view")
    resource = medication_request_for(rx)
    response = HttpResponse(
        json.dumps(json.loads(resource.model_dump_json(exclude_none=True)), indent=2),
        content_type="application/fhir+json",
    )
    response["Content-Disposition"] = f'attachment; filename="ldn-medication-request-{rx.pk}.json"'
    return response


@login_required
@require_GET
def treatment(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's treatment: prescriptions, plans, downloads, cost and wallet card links."""
    patient = get_patient_for_user(request, patient_id, "prescriptions.view")
    user = cast(User, request.user)
    rows = (
        visible_prescriptions(user, "prescriptions.view", patient).exclude(
            status=Prescription.Status.DRAFT
        )
        if user.is_patient
        else visible_prescriptions(user, "prescriptions.view", patient)
    )
    return render(
        request,
        "clinical/treatment.html",
        {
            "patient": patient,
            "prescriptions": [(rx, rx.plan()) for rx in rows],
            "can_card": can(user, "clinical.card", patient),
            "can_cost": can(user, "prescriptions.cost", patient),
            "hold": safety_net.safety_hold(patient),
        },
    )


def _card_plan(patient: Patient, day: date) -> tuple[Prescription | None, Decimal | None]:
    """The signed or dispensed plan for ``day`` and the dose it prescribes that day: the latest
    plan whose schedule contains the day; else the latest plan that has ended, at its ongoing
    (maintenance) dose; a plan that has not started yet prescribes nothing today."""
    given = list(
        patient.prescriptions.exclude(status=Prescription.Status.DRAFT)
        .select_related("clinician")
        .order_by("-start_date", "-created_at")
    )
    for rx in given:
        step = next((s for s in rx.plan() if s.contains(day)), None)
        if step is not None:
            return rx, step.dose_mg
    for rx in given:
        if rx.start_date <= day:
            ongoing = [s for s in rx.ongoing_plan() if s.start <= day]
            return rx, ongoing[-1].dose_mg
    return (given[0] if given else None), None


@login_required
@require_GET
def card(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "clinical.card")
    today = patient_today(patient)
    rx, dose = _card_plan(patient, today)
    first = (
        patient.prescriptions.exclude(status=Prescription.Status.DRAFT)
        .filter(start_date__lte=today)
        .order_by("start_date")
        .first()
    )
    # The card is the patient's: its dates read as the patient reads dates, whoever prints it.
    with translation.override(patient.locale):
        plan = None
        if rx is not None:
            end = rx.end_date
            until = "ongoing" if end is None else when(end)
            plan = f"{rx.plan_title}, {when(rx.start_date)} to {until}"
        wallet = wallet_card(
            patient_name=patient.display_name,
            dose_mg=dose,
            prescriber=None
            if rx is None
            else (rx.clinician.get_full_name() or rx.clinician.username),
            started=None if first is None else first.start_date,
            plan=plan,
            date_text=when,
        )
    return render(
        request,
        "clinical/card.html",
        {"patient": patient, "card": wallet, "hold": safety_net.safety_hold(patient)},
    )
