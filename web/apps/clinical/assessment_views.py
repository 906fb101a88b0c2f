"""Assessment pages: the clinician assigns instruments on a schedule; the patient (or the
clinician, for the physician-completed criteria) fills in a form generated from the instrument's
definition; results are scored by :mod:`lowdose.instruments` and stored with their version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.access import can, get_patient_for_user
from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.clinical import actions
from apps.clinical.fhir_records import fhir_base, identifier_systems
from apps.clinical.models import AssessmentResult, Assignment
from apps.clinical.queries import patient_today
from lowdose import instruments
from lowdose.errors import InputError
from lowdose.instruments import Instrument, Item, Occurrence
from lowdose.interop.fhir import (
    AssessmentRecord,
    PatientIdentity,
    PatientRecord,
    patient_bundle,
)


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    title: str
    next_due: Occurrence | None
    is_due: bool
    by_clinician: bool  # completed by the clinician at a visit, never by the patient


def _rows(patient: Patient) -> list[AssignmentRow]:
    today = patient_today(patient)
    rows = []
    for a in patient.assignments.prefetch_related("results"):
        done = [r.completed_on for r in a.results.all()]
        nxt = a.schedule().next_due(today, completed=done)
        definition = instruments.get(a.instrument)
        rows.append(
            AssignmentRow(
                a,
                definition.title,
                nxt,
                bool(nxt and nxt.due <= today),
                definition.completed_by == "clinician",
            )
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def assessments(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Assigned instruments with their next due date, and every stored result."""
    if request.method == "POST":
        patient = get_patient_for_user(request, patient_id, "assessments.assign")
        try:
            instrument, start, weeks = actions.parse_assignment(
                instrument=request.POST.get("instrument", ""),
                start=request.POST.get("start", ""),
                every_weeks=request.POST.get("every_weeks", ""),
            )
            actions.assign_instrument(
                Actor.from_request(request),
                patient,
                instrument=instrument,
                start=start,
                every_weeks=weeks,
            )
        except InputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Assigned.")
        return redirect("clinical:assessments", patient_id=patient.pk)
    patient = get_patient_for_user(request, patient_id, "assessments.view")
    user = cast(User, request.user)
    return render(
        request,
        "clinical/assessments.html",
        {
            "patient": patient,
            "rows": _rows(patient),
            "results": patient.assessment_results.select_related("completed_by"),
            "can_assign": can(user, "assessments.assign", patient),
            "can_complete": can(user, "assessments.complete", patient),
            "titles": {n: instruments.get(n).title for n in instruments.names()},
            "choices": [
                (
                    n,
                    f"{d.title} · completed by the clinician"
                    if d.completed_by == "clinician"
                    else d.title,
                )
                for n, d in ((n, instruments.get(n)) for n in actions.assignable())
            ],
            "today": patient_today(patient),
        },
    )


@dataclass(frozen=True)
class Problem:
    """One thing to fix on a form: the field (an item's ``link_id``, or ``reason``) and what to
    do, in the words of the form (the question's text, never its code)."""

    field: str
    message: str


def _fix(item: Item) -> str:
    if item.kind in ("choice", "boolean"):
        return "choose one of the answers shown."
    return f"give a whole number from {item.minimum} to {item.maximum}."


def _problems(
    definition: Instrument, values: dict[str, int | bool | str | None], exc: InputError | None
) -> list[Problem]:
    """Every unanswered question at once (by its text), then what the core refused."""
    problems = [
        Problem(i.link_id, f"“{i.text}”: this question is not answered; {_fix(i)}")
        for i in definition.items
        if i.required and values.get(i.link_id) in (None, "")
    ]
    if exc is not None and not any(p.field == exc.field for p in problems):
        item = next((i for i in definition.items if i.link_id == exc.field), None)
        problems.append(
            Problem(exc.field or "form", f"“{item.text}”: {_fix(item)}")
            if item is not None
            else Problem(exc.field or "form", str(exc))
        )
    return problems


def _form_values(definition: Instrument, answers: dict[str, int]) -> dict[str, str | None]:
    """Stored answers as the form posts them (yes/no for a yes-or-no question)."""
    out: dict[str, str | None] = {}
    for item in definition.items:
        raw = answers.get(item.link_id)
        if raw is None:
            continue
        out[item.link_id] = ("yes" if raw else "no") if item.kind == "boolean" else str(raw)
    return out


def answer_words(definition: Instrument, answers: dict[str, int]) -> list[tuple[str, str]]:
    """Each question's text with the answer in words ("Several days", "yes", "7")."""
    rows = []
    for item in definition.items:
        raw = answers.get(item.link_id)
        if raw is None:
            word = "no" if item.kind == "boolean" and not item.required else "not answered"
        elif item.kind == "boolean":
            word = "yes" if raw else "no"
        elif item.kind == "choice":
            word = next((o.label for o in item.options if o.value == raw), str(raw))
        else:
            word = str(raw)
        rows.append((item.text, word))
    return rows


def _answers(instrument: Instrument, post: QueryDict) -> dict[str, int | bool | str | None]:
    """Form fields → raw answers for the core (which validates them); unticked boxes are absent."""
    return {
        i.link_id: str(post.get(i.link_id))
        for i in instrument.items
        if post.get(i.link_id, "") != ""
    }


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, patient_id: int, assignment_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, patient_id, "assessments.complete")
    assignment = patient.assignments.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such assessment.")
    definition = instruments.get(assignment.instrument)
    if definition.completed_by == "clinician" and cast(User, request.user).is_patient:
        raise Http404("Completed by the clinician.")  # never offered to the patient
    problems: list[Problem] = []
    values: dict[str, int | bool | str | None] = {}
    if request.method == "POST":
        values = _answers(definition, request.POST)
        problems = _problems(definition, values, None)  # every unanswered question at once
        if not problems:
            try:
                row, crisis = actions.complete_assessment(
                    Actor.from_request(request),
                    patient,
                    assignment.instrument,
                    values,
                    assignment=assignment,
                )
            except InputError as exc:
                problems = _problems(definition, values, exc)
            else:
                if crisis is not None:
                    # Shown on this very response: a redirect could be lost, a banner overlooked.
                    return render(
                        request,
                        "clinical/crisis.html",
                        {"patient": patient, "crisis": crisis, "row": row},
                    )
                messages.success(request, f"Saved. {row.interpretation}")
                return redirect("clinical:assessments", patient_id=patient.pk)
    return render(
        request,
        "clinical/assessment_form.html",
        {
            "patient": patient,
            "assignment": assignment,
            "instrument": definition,
            "items": [(item, values.get(item.link_id)) for item in definition.items],
            "problems": problems,
            "errors": {p.field: p.message for p in problems},
            "first_error": problems[0].field if problems else None,
        },
        status=400 if problems else 200,
    )


def _result_row(patient: Patient, result_id: int) -> AssessmentResult:
    row = patient.assessment_results.select_related("completed_by", "patient").filter(pk=result_id)
    found = row.first()
    if found is None:
        raise Http404("No such result.")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def result(request: HttpRequest, patient_id: int, result_id: int) -> HttpResponse:
    """One result: the answers in words, the score, its history of corrections; for a clinician
    of the care team, a form to correct answers a clinician entered (with a reason)."""
    patient = get_patient_for_user(
        request,
        patient_id,
        "assessments.correct" if request.method == "POST" else "assessments.view",
    )
    row = _result_row(patient, result_id)
    definition = instruments.get(row.instrument)
    user = cast(User, request.user)
    by_patient = actions.entered_by_patient(row)
    problems: list[Problem] = []
    values: dict[str, int | bool | str | None] = dict(
        _form_values(definition, row.result.get("answers", {}))
    )
    reason = ""
    if request.method == "POST":
        values = _answers(definition, request.POST)
        reason = request.POST.get("reason", "")
        if not by_patient:  # the patient's own answers: the action says why it refuses
            problems = _problems(definition, values, None)
            if not " ".join(reason.split()):
                problems.append(
                    Problem(
                        "reason", "Why is this being corrected? Say why, e.g. 'answer mistyped'."
                    )
                )
        if not problems:
            try:
                row, crisis = actions.correct_assessment(
                    Actor.from_request(request), patient, row, values, reason=reason
                )
            except InputError as exc:
                problems = (
                    [Problem("result", str(exc))]
                    if exc.field in ("result", "answers", "actor")
                    else _problems(definition, values, exc)
                )
            else:
                if crisis is not None:
                    return render(
                        request,
                        "clinical/crisis.html",
                        {"patient": patient, "crisis": crisis, "row": row},
                    )
                messages.success(request, f"Correction saved. {row.interpretation}")
                return redirect(
                    "clinical:assessment_result", patient_id=patient.pk, result_id=row.pk
                )
    history = [
        {
            "entry": h,
            "answers": answer_words(definition, h.get("answers", {})),
            "replaced_at": datetime.fromisoformat(h["replaced_at"]),
        }
        for h in reversed(row.history)
    ]
    return render(
        request,
        "clinical/assessment_result.html",
        {
            "patient": patient,
            "row": row,
            "instrument": definition,
            "answers": answer_words(definition, row.result.get("answers", {})),
            "history": history,
            "by_patient": by_patient,
            "can_correct": not by_patient and can(user, "assessments.correct", patient),
            "items": [(item, values.get(item.link_id)) for item in definition.items],
            "reason": reason,
            "problems": problems,
            "errors": {p.field: p.message for p in problems},
            "first_error": problems[0].field if problems else None,
        },
        status=400 if problems else 200,
    )


@login_required
@require_GET
def result_fhir(request: HttpRequest, patient_id: int, result_id: int) -> HttpResponse:
    """A FHIR R4B collection Bundle: the Patient, the QuestionnaireResponse and the score
    Observation, each with its ``fullUrl`` (as in the patient's whole export)."""
    patient = get_patient_for_user(request, patient_id, "assessments.view")
    row = patient.assessment_results.filter(pk=result_id).first()
    if row is None:
        raise Http404("No such result.")
    answers = row.result["answers"]
    rescored = instruments.score(row.instrument, answers)
    if rescored.version != row.version:
        return HttpResponse(
            f"This result was scored with {row.version}; the installed definition is "
            f"{rescored.version}. Export it from a lowdose version with that definition.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    record = PatientRecord(
        patient=PatientIdentity(lowdose_id=patient.pk, name=patient.display_name, mrn=patient.mrn),
        assessments=(
            AssessmentRecord(
                lowdose_id=row.pk,
                instrument=row.instrument,
                answers=answers,
                completed_at=row.completed_at,
                version=row.version,
            ),
        ),
    )
    bundle = patient_bundle(
        record, identifier_systems(), generated_at=timezone.now(), canonical_base=fhir_base(request)
    )
    out = HttpResponse(
        json.dumps(json.loads(bundle.model_dump_json(exclude_none=True)), indent=2),
        content_type="application/fhir+json",
    )
    out["Content-Disposition"] = f'attachment; filename="{row.instrument}-{row.pk}.fhir.json"'
    return out
