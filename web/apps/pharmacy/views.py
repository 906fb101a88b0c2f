"""Pharmacy pages: the queue of prescriptions routed to the pharmacist's pharmacies, the
worksheet with "record dispensing", and the patient's cost comparison."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.access import denied_page
from apps.accounts.models import User
from apps.alerts.access import visible_alerts
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.log import record_many
from apps.clinical.access import get_prescription_for_user, visible_prescriptions
from apps.clinical.models import Prescription
from apps.clinical.screening import screen_patient
from apps.pharmacy.actions import (
    PriceDraft,
    publish_price,
    record_dispensing,
    set_min_weighable,
    withdraw_price,
)
from apps.pharmacy.queries import (
    by_currency,
    costs_for,
    ldn_responder_benefit,
    supply_for,
    worksheets_for,
)
from config.api_input import row_id
from lowdose.errors import InputError, LowdoseError
from lowdose.pharmacy import IngredientSource, Worksheet
from lowdose.pharmacy.supply import TitrationSupply
from lowdose.safety import ScreenBlockedError

_SOURCES = [s.value for s in IngredientSource]


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """``/pharmacy/`` (URL name ``accounts:pharmacy``): what to make, oldest signature first."""
    user = cast(User, request.user)
    if not user.is_pharmacist:
        return denied_page(request, "pharmacy.view")
    rows = list(
        visible_prescriptions(user, "prescriptions.dispense")
        .select_related("patient", "pharmacy", "clinician")
        .order_by("status", "signed_at")
    )
    record_many(request, "prescriptions.queue", sorted({rx.patient_id for rx in rows}))
    blocks: dict[int, list[Alert]] = {}
    for alert in visible_alerts(user).filter(resolved_at__isnull=True):
        blocks.setdefault(alert.patient_id, []).append(alert)
    return render(
        request,
        "pharmacy/queue.html",
        {
            "pharmacies": user.pharmacies.all(),
            "blocks": [a for alerts in blocks.values() for a in alerts],
            "blocked_patients": set(blocks),
            "to_make": [rx for rx in rows if rx.status == Prescription.Status.SIGNED],
            "dispensed": [rx for rx in rows if rx.status == Prescription.Status.DISPENSED],
        },
    )


def _choices(request: HttpRequest, rx: Prescription) -> tuple[str, bool]:
    data = request.POST if request.method == "POST" else request.GET
    default = "api" if rx.form == Prescription.Form.CAPSULE else "tablets"
    source = data.get("source", default)
    return (source if source in _SOURCES else default), data.get("preserved") == "yes"


def _worksheet_page(
    request: HttpRequest,
    rx: Prescription,
    *,
    error: LowdoseError | None = None,
    status: int | None = None,
) -> HttpResponse:
    source, preserved = _choices(request, rx)
    sheets: tuple[Worksheet, ...] = ()
    problem: LowdoseError | None = None
    supply: TitrationSupply | None = None
    try:
        sheets = worksheets_for(rx, source, preserved=preserved, today=timezone.now().date())
        supply = supply_for(rx)
    except LowdoseError as exc:
        problem = exc
    done = {d.batch: d for d in rx.dispensings.all()}
    screen = screen_patient(rx.patient)
    return render(
        request,
        "pharmacy/worksheet.html",
        {
            "rx": rx,
            "patient": rx.patient,
            "steps": rx.plan(),
            "supply": supply,
            "sheets": [(n, s, done.get(n)) for n, s in enumerate(sheets, 1)],
            "problem": problem,
            "error": error,
            "source": source,
            "sources": _SOURCES,
            "preserved": preserved,
            "result": screen if screen.blocking else None,
            "can_resolve": True,
        },
        status=status or (400 if error else 200),
    )


@login_required
@require_GET
def worksheet(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.dispense")
    return _worksheet_page(request, rx)


@login_required
@require_POST
def dispense(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.dispense")
    source, preserved = _choices(request, rx)
    try:
        rows = record_dispensing(
            Actor.from_request(request),
            rx,
            source=source,
            preserved=preserved,
            lot=request.POST.get("lot", ""),
        )
    except ScreenBlockedError as exc:
        return _worksheet_page(request, rx, error=exc, status=409)
    except LowdoseError as exc:
        return _worksheet_page(request, rx, error=exc)
    messages.success(
        request, f"Dispensing recorded: batch {', '.join(str(r.batch) for r in rows)}."
    )
    return redirect("pharmacy:worksheet", patient_id=rx.patient_id, prescription_id=rx.pk)


@login_required
@require_GET
def cost(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    rx = get_prescription_for_user(request, patient_id, prescription_id, "prescriptions.cost")
    benefit = ldn_responder_benefit()
    rows = costs_for(rx, benefit=benefit)
    groups = by_currency(rows)
    return render(
        request,
        "pharmacy/cost.html",
        {
            "rx": rx,
            "patient": rx.patient,
            "rows": rows,
            "groups": groups,
            "problems": [r for r in rows if r.cost is None],
            "evidence": benefit,
            "capsules": rx.form == "capsule",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def prices(request: HttpRequest) -> HttpResponse:
    """The pharmacist publishes and withdraws packs on their own pharmacies' price lists."""
    user = cast(User, request.user)
    if not user.is_pharmacist:
        return denied_page(request, "pharmacy.prices")
    mine = user.pharmacies.order_by("name")
    if request.method == "POST":
        pharmacy = mine.filter(pk=request.POST.get("pharmacy") or 0).first()
        try:
            if pharmacy is None:
                raise InputError("Choose one of your pharmacies.", field="pharmacy")
            if request.POST.get("op") == "withdraw":
                entry = request.POST.get("entry", "").strip()
                withdraw_price(Actor.from_request(request), pharmacy, row_id(entry))
            else:
                draft = PriceDraft.parse(
                    form=request.POST.get("form", ""),
                    per_unit=request.POST.get("per_unit", ""),
                    pack_size=request.POST.get("pack_size", ""),
                    price=request.POST.get("price", ""),
                    currency=request.POST.get("currency", "USD"),
                    in_use_days=request.POST.get("in_use_days", ""),
                )
                publish_price(Actor.from_request(request), pharmacy, draft)
        except InputError as exc:
            messages.error(request, f"Price list not changed. {exc}")
        else:
            messages.success(request, "Price list updated.")
        return redirect("pharmacy:prices")
    return render(request, "pharmacy/prices.html", {"pharmacies": mine.prefetch_related("prices")})


@login_required
@require_http_methods(["GET", "POST"])
def balance(request: HttpRequest) -> HttpResponse:
    """The pharmacist sets the minimum weighable quantity of their pharmacies' balances."""
    user = cast(User, request.user)
    if not user.is_pharmacist:
        return denied_page(request, "pharmacy.settings")
    mine = user.pharmacies.order_by("name")
    error: InputError | None = None
    if request.method == "POST":
        pharmacy = mine.filter(pk=row_id(request.POST.get("pharmacy", "")) or 0).first()
        try:
            if pharmacy is None:
                raise InputError("Choose one of your pharmacies.", field="pharmacy")
            set_min_weighable(
                Actor.from_request(request), pharmacy, request.POST.get("min_weighable_mg", "")
            )
        except InputError as exc:
            error = exc
        else:
            messages.success(request, f"Balance saved for {pharmacy.name}.")
            return redirect("pharmacy:balance")
    return render(
        request,
        "pharmacy/balance.html",
        {"pharmacies": mine, "error": error},
        status=400 if error else 200,
    )
