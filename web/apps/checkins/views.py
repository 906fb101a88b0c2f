"""Check-in pages: the daily form, changing or deleting a check-in, the patient dashboard, CSV,
chart images, the clinician panel."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.access import audit_allowed_access, can, get_patient_for_user
from apps.accounts.locale import day_first
from apps.accounts.models import Patient, User
from apps.accounts.treatment import blinded_kit, safety_hold
from apps.alerts.queries import open_alerts
from apps.audit.actor import Actor
from apps.checkins.access import get_checkin_for_user
from apps.checkins.actions import (
    change_checkin,
    delete_checkin,
    import_checkins,
    read_import,
    record_checkin,
    revised_checkin,
    why_unchangeable,
)
from apps.checkins.chart_images import Format, cached_image, chart_spec, prepare_image
from apps.checkins.exports import checkins_csv_response, wants_bom
from apps.checkins.forms import form_problems, raw_from_post
from apps.checkins.models import Checkin
from apps.checkins.queries import (
    checkins_of,
    diary_entries,
    responses_of,
    summary_of,
)
from config.errors import CheckinConflictError
from lowdose.daily import DAILY_SCALES
from lowdose.diary import (
    CHANGE_WINDOW,
    MIN_BASELINE_DAYS,
    SEVERITIES,
    SIDE_EFFECTS,
    CheckinError,
    PatientSummary,
    day_choices,
)
from lowdose.diary.charts import checkin_chart
from lowdose.diary.checkin import SIDE_EFFECT_LABELS

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


#: What each direction of a change from baseline is called on the dashboard (the colour follows
#: :func:`lowdose.outcomes.change_direction`; only "better" and "worse" are coloured).
DIRECTION_WORDS = {
    "better": "better, beyond day-to-day ups and downs",
    "worse": "worse, beyond day-to-day ups and downs",
    "unclear": "within day-to-day ups and downs",
    # no analysis (too few days, or no ups and downs to judge by): the reason is under
    # "How sure is this?" on the same page
    "unknown": "how sure is not known: see “How sure is this?” below",
}


def _changes(summary: PatientSummary) -> list[dict[str, object]]:
    """One row per scale: the change from baseline (the summary's, the one the clinician's panel
    shows), and the response analysis of the same windows that says how sure it is."""
    responses = {r.outcome: r for r in responses_of(summary)}
    rows: list[dict[str, object]] = []
    for scale in DAILY_SCALES:
        response = responses[scale.name]
        direction = response.result.direction if response.result else "unknown"
        rows.append(
            {
                "scale": scale,
                "baseline": (summary.baseline or {}).get(scale.name),
                "recent": (summary.recent or {}).get(scale.name),
                "change": (summary.change_from_baseline or {}).get(scale.name),
                "response": response,
                "direction": direction,
                "direction_words": DIRECTION_WORDS[direction],
            }
        )
    return rows


@login_required
@require_GET
def dashboard(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "checkins.view")
    user = cast(User, request.user)
    summary = summary_of(patient)
    # No dose yet and not yet a baseline's worth of days: first steps instead of empty charts.
    first_steps = summary.current_dose_mg is None and summary.baseline is None
    first_steps = first_steps and not any(r.kit for r in summary.days)
    # The care team also sees deleted entries, marked; the patient's own list leaves them out.
    recent = diary_entries(patient, now=timezone.now(), with_deleted=not user.is_patient)
    # Stored alerts, for those who may see them (a patient's own view shows none).
    alerts = list(open_alerts(cast(User, request.user), patient_id=patient.pk))
    week_start = summary.today - timedelta(days=6)
    return render(
        request,
        "checkins/dashboard.html",
        {
            "patient": patient,
            "summary": summary,
            "first_steps": first_steps,
            "min_baseline_days": MIN_BASELINE_DAYS,
            "baseline_to_go": max(MIN_BASELINE_DAYS - summary.baseline_days, 0),
            "checked_in_today": bool(summary.days) and summary.days[-1].day == summary.today,
            "week": [
                {"scale": scale, "value": (summary.last7 or {}).get(scale.name)}
                for scale in DAILY_SCALES
            ],
            "week_start": week_start,
            "week_missed": sum(1 for day in summary.missed_days if day >= week_start),
            "baseline_first": summary.days[0].day if summary.baseline else None,
            "baseline_last": (
                summary.days[summary.baseline_days - 1].day if summary.baseline else None
            ),
            "changes": [] if first_steps else _changes(summary),
            "chart_spec": None
            if first_steps
            else checkin_chart(
                summary.days,
                summary.dose_steps,
                baseline=summary.baseline,
                day_first=day_first(),
            ),
            "recent": recent,
            "alerts": alerts,
            "hold": cast(User, request.user).is_patient and safety_hold(patient),
            "can_add": can(user, "checkins.add", patient),
            "can_change": can(user, "checkins.change", patient),
            "can_import": can(user, "checkins.import", patient),
            "change_days": CHANGE_WINDOW.days,
        },
    )


def _local_now(patient: Patient) -> datetime:
    return timezone.now().astimezone(ZoneInfo(patient.time_zone))


@login_required
@require_http_methods(["GET", "POST"])
def checkin_form(request: HttpRequest, patient_id: int) -> HttpResponse:
    # A saved check-in's own audit event (checkins.add) records the access; a form shown (GET,
    # or again with refused input) records it as a read.
    posting = request.method == "POST"
    patient = get_patient_for_user(request, patient_id, "checkins.add", audited_by_write=posting)
    local_now = _local_now(patient)
    error: CheckinError | None = None
    values: dict[str, object] = {}
    if request.method == "POST":
        raw = raw_from_post(request.POST, local_now=local_now)
        try:
            _, created = record_checkin(Actor.from_request(request), patient, raw, explicit=True)
        except CheckinError as exc:
            audit_allowed_access(request, patient, "checkins.add")
            error, values = exc, {**raw, "dose_time_choice": request.POST.get("dose_time_choice")}
        else:
            messages.success(
                request, "Check-in saved." if created else "This check-in was already saved."
            )
            return redirect("checkins:dashboard", patient_id=patient.pk)
    else:
        last = checkins_of(patient).filter(dose_status="taken").order_by("-recorded_at").first()
        # The dose is pre-filled (it rarely changes); the dose answer and the time never are.
        values = {
            "client_id": str(uuid.uuid4()),
            "dose_mg": f"{last.dose_mg.normalize():f}" if last and last.dose_mg else "",
        }
    kit = blinded_kit(patient, local_now.date())
    return _render_form(
        request,
        patient,
        values=values,
        error=error,
        day_options=day_choices(local_now),
        kit=kit,
        extra={},
    )


def _render_form(
    request: HttpRequest,
    patient: Patient,
    *,
    values: dict[str, object],
    error: CheckinError | None,
    day_options: tuple[Any, ...],
    kit: Any,
    extra: dict[str, object],
    status: int | None = None,
) -> HttpResponse:
    """The check-in form, new or changed; a refused entry names every answer to fix (each
    field's message is what its ``aria-describedby`` points to) and focuses the first."""
    effects = values.get("side_effects") or []
    chosen = {e["name"]: e for e in effects} if isinstance(effects, list) else {}
    problems = form_problems(error, kit=bool(kit)) if error else []
    return render(
        request,
        "checkins/form.html",
        {
            "patient": patient,
            "hold": safety_hold(patient),
            "values": values,
            "problems": problems,
            "errors": {p.field: p.message for p in problems},
            "first_error": problems[0].field if problems else None,
            "scales": DAILY_SCALES,
            "points": range(11),
            "day_choices": day_options,
            "side_effects": [
                (name, SIDE_EFFECT_LABELS[name], chosen.get(name, {}).get("severity", "none"))
                for name in SIDE_EFFECTS
            ],
            "other_detail": chosen.get("other", {}).get("detail", ""),
            "severities": SEVERITIES,
            "dose_answers": Checkin.DOSE_STATUSES,
            "kit": kit,
            **extra,
        },
        status=status or (400 if error else 200),
    )


def _form_values(row: Checkin) -> dict[str, object]:
    """A stored check-in as the form's values (strings, as a POST would send them)."""
    answers = row.snapshot()
    values: dict[str, object] = {name: str(answers[name]) for name in DAILY_SCALES.names}
    values.update(
        day=answers["day"],
        dose_status=answers["dose_status"],
        dose_mg="" if row.dose_mg is None else f"{row.dose_mg.normalize():f}",
        dose_time=answers["dose_time"] or "",
        note=answers["note"],
        side_effects=answers["side_effects"],
    )
    return values


def _locked(request: HttpRequest, row: Checkin, reason: str, status: int) -> HttpResponse:
    return render(
        request,
        "checkins/locked.html",
        {"patient": row.patient, "entry": row, "reason": reason},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_checkin_page(request: HttpRequest, patient_id: int, checkin_id: int) -> HttpResponse:
    """The patient's own check-in in the form, to correct it (the earlier version is kept); after
    the change window, a page that says why it can no longer be changed."""
    row = get_checkin_for_user(request, patient_id, checkin_id, "checkins.change")
    patient = row.patient
    now = timezone.now()
    reason = why_unchangeable(row, now)
    if reason:
        return _locked(request, row, reason, 409 if request.method == "POST" else 200)
    error: CheckinError | None = None
    values = _form_values(row)
    if request.method == "POST":
        raw = raw_from_post(request.POST, local_now=_local_now(patient))
        changes = {
            name: value
            for name, value in raw.items()
            if value is not None and name not in ("client_id", "kit")
        }
        try:
            revised = revised_checkin(row, changes, now=now, explicit=True)
            _, changed = change_checkin(Actor.from_request(request), row, revised, now=now)
        except CheckinConflictError as exc:
            return _locked(request, row, str(exc), 409)
        except CheckinError as exc:
            error, values = exc, {**values, **changes}
        else:
            messages.success(
                request,
                "Check-in changed. Your care team can see that it was changed, and when."
                if changed
                else "Nothing was changed: the answers were the same.",
            )
            return redirect("checkins:dashboard", patient_id=patient.pk)
    made = row.recorded_at.astimezone(ZoneInfo(patient.time_zone))
    return _render_form(
        request,
        patient,
        values=values,
        error=error,
        day_options=day_choices(made),
        kit={"kit": row.kit} if row.kit else None,
        extra={"entry": row, "made": made},
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_checkin_page(request: HttpRequest, patient_id: int, checkin_id: int) -> HttpResponse:
    """Asks before deleting the patient's own check-in; the deleted entry counts nowhere and
    stays in the record for the care team."""
    row = get_checkin_for_user(request, patient_id, checkin_id, "checkins.change")
    reason = why_unchangeable(row, timezone.now())
    if reason:
        return _locked(request, row, reason, 409 if request.method == "POST" else 200)
    if request.method == "POST":
        try:
            delete_checkin(Actor.from_request(request), row)
        except CheckinConflictError as exc:
            return _locked(request, row, str(exc), 409)
        messages.success(
            request,
            "Check-in deleted. It no longer counts in your charts and results; your care team "
            "can see that it was deleted.",
        )
        return redirect("checkins:dashboard", patient_id=row.patient_id)
    return render(request, "checkins/delete.html", {"patient": row.patient, "entry": row})


@login_required
@require_GET
def export_csv(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Every check-in as CSV (:mod:`apps.checkins.exports`); ``?bom=1`` for Excel on Windows."""
    patient = get_patient_for_user(request, patient_id, "checkins.export")
    return checkins_csv_response(patient, bom=wants_bom(request.GET.get("bom")))


@login_required
@require_POST
def import_csv(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "checkins.import")
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, "Choose a lowdose CSV export (at most 5 MB) to import.")
        return redirect("checkins:dashboard", patient_id=patient.pk)
    try:
        text = upload.read().decode("utf-8-sig")
        result = import_checkins(Actor.from_request(request), patient, read_import(patient, text))
    except UnicodeDecodeError:
        messages.error(request, "The file is not UTF-8 text; export it again from lowdose.")
    except CheckinError as exc:
        messages.error(request, f"Nothing was imported. {exc}")
    else:
        messages.success(
            request,
            f"Imported {result.created} check-in(s); {result.already_present} were already here.",
        )
    return redirect("checkins:dashboard", patient_id=patient.pk)


#: Seconds a browser waits before asking again for an image being prepared (a PNG renders in
#: about a second once the worker has it; the worker looks at the queue every 2 s).
RETRY_AFTER = 3


@login_required
@require_GET
def chart_image(request: HttpRequest, patient_id: int, fmt: str) -> HttpResponse:
    """The diary chart as a file, rendered by the worker (:mod:`apps.checkins.chart_images`):
    the cached image, or 202 and a page that refreshes until it is ready."""
    patient = get_patient_for_user(request, patient_id, "checkins.view")
    if fmt not in ("svg", "png"):
        return HttpResponseBadRequest("Ask for chart.svg or chart.png.")
    kind: Format = "svg" if fmt == "svg" else "png"
    spec = chart_spec(patient, day_first=day_first())
    image = cached_image(spec, kind)
    if image is None:
        prepare_image(patient, spec, kind, day_first=day_first())
        image = cached_image(spec, kind)  # rendered at once when jobs run synchronously
    if image is None:
        response = render(
            request,
            "checkins/chart_preparing.html",
            {"patient": patient, "fmt": kind.upper(), "seconds": RETRY_AFTER},
            status=202,
        )
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    content_type = "image/svg+xml" if kind == "svg" else "image/png"
    return HttpResponse(image, content_type=content_type)
