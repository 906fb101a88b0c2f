"""The evidence pages: plain language for patients and visitors, every number for clinicians.

Numbers, plots and verdicts come from :mod:`lowdose.evidence` (from the shipped data plus the
clinician-added trials, memoised per version of those: :mod:`apps.evidence.queries`); the templates
write no sentence about a result.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.models import Role, User
from apps.audit.actor import Actor
from apps.evidence import display
from apps.evidence.access import get_draft_for_reviewer, reviewable_drafts
from apps.evidence.actions import NOTE_LIMIT, add_trial, no_primary_source, review_trial
from apps.evidence.forms import FORM_LABELS, in_form_words, missing_answers, raw_from_post
from apps.evidence.models import KINDS, Review, StoredTrial
from apps.evidence.queries import (
    cumulative_spec_for,
    forest_spec_for,
    stored_trials,
    summary_for,
    trial_change,
)
from apps.evidence.records import validate_trial
from lowdose.evidence import (
    EvidenceInputError,
    awaiting,
    comparison_table,
    condition_summary,
    outcomes,
    reviews,
    sources,
)
from lowdose.evidence.watchlist import conditions

#: Conditions beyond fibromyalgia, each summarised on its own (issue 16).
OTHER_CONDITIONS = ("long_covid", "me_cfs", "crps")


def _other_conditions() -> list[Any]:
    return [condition_summary(key) for key in OTHER_CONDITIONS if key in conditions()]


#: Outcomes with a cumulative chart on the clinician page (the ones with several trials).
CUMULATIVE_OUTCOMES = ("pain", "pain_nrs")


def _comparators() -> list[dict[str, object]]:
    keys = display.citation_keys()
    return [{"row": row, "source": keys.get(row.source, "")} for row in comparison_table()]


@require_GET
def patient_page(request: HttpRequest) -> HttpResponse:
    """``/evidence/``: public (the evidence is published science, not patient data)."""
    pain = summary_for(request, "pain")
    harms = summary_for(request, "adverse_events")
    side_effects = [
        {
            "review": rv,
            "result": x,
            "name": x.outcome.replace("_", " "),
            "estimate": display.fmt(x.estimate),
            "ci": display.interval(x.ci_low, x.ci_high),
        }
        for rv in reviews()
        for x in rv.results
        if x.outcome in display.ADVERSE_EFFECTS and x.estimate is not None and not x.note
    ]
    user = request.user
    patient = getattr(user, "patient", None) if isinstance(user, User) else None
    return render(
        request,
        "evidence/patient.html",
        {
            "summary": pain,
            "pooled": display.pooled(pain.randomised),
            "forest_spec": display.fit_width(forest_spec_for(request, "pain")),
            "harms": harms,
            "side_effects": side_effects,
            "placebo": pain.placebo,
            "comparators": _comparators(),
            "own_patient": patient,
            "awaiting": awaiting("fibromyalgia"),
            "other_conditions": _other_conditions(),
            "checks": display.check_rows(pain),
            "changes": stored_trials(),
        },
    )


def _require_curator(request: HttpRequest) -> None:
    """Clinicians and clinic admins read the detailed page and add trials; others get 404."""
    user = request.user
    if not isinstance(user, User) or user.role not in (Role.CLINICIAN, Role.ADMIN):
        raise Http404("No such page.")


@login_required
@require_http_methods(["GET", "POST"])
def trial_form(request: HttpRequest) -> HttpResponse:
    """``/evidence/trials/new/``: add a trial and one outcome number (the API takes several)."""
    _require_curator(request)
    problems: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    if request.method == "POST":
        data, effects, values = raw_from_post(request.POST)
        problems = missing_answers(values)
        if not problems:
            try:
                trial = add_trial(Actor.from_request(request), validate_trial(data, effects))
            except EvidenceInputError as exc:
                field = getattr(exc, "field", None)
                problems = [(field if field in FORM_LABELS else "trial", in_form_words(str(exc)))]
            else:
                messages.success(
                    request,
                    f"{trial.label} saved as a draft. The summaries include it once another "
                    "clinician or the clinic admin approves it.",
                )
                return redirect("evidence:review")
    return render(
        request,
        "evidence/trial_form.html",
        {
            "values": values,
            "problems": problems,
            "invalid": {field for field, _ in problems},
            "kinds": KINDS,
            "outcomes": outcomes().values(),
        },
        status=400 if problems else 200,
    )


@login_required
@require_GET
def clinician_page(request: HttpRequest) -> HttpResponse:
    """``/evidence/clinician/``: clinicians and clinic admins (others get 404)."""
    _require_curator(request)
    sections: list[dict[str, Any]] = []
    for key in outcomes():
        s = summary_for(request, key)
        sections.append(
            {
                "s": s,
                "pooled": display.pooled(s.randomised),
                "all_controlled": display.pooled(s.all_controlled),
                "records": display.record_rows(s),
                "reviews": display.review_rows(s),
                "cumulative": [
                    {
                        "c": c,
                        "pooled": display.pooled(c),
                    }
                    for c in s.cumulative
                ],
                "sensitivity": [(r, display.pooled(m)) for r, m in s.r_sensitivity],
                "cumulative_spec": (
                    display.fit_width(cumulative_spec_for(request, key))
                    if key in CUMULATIVE_OUTCOMES
                    else None
                ),
                "forest_spec": (
                    display.fit_width(forest_spec_for(request, key))
                    if key in CUMULATIVE_OUTCOMES
                    else None
                ),
                "forest_spec_id": f"forest-spec-{key}",
                "cumulative_spec_id": f"cumulative-spec-{key}",
            }
        )
    stored = stored_trials()
    placebo = summary_for(request, "pain").placebo
    keys = display.citation_keys()
    return render(
        request,
        "evidence/clinician.html",
        {
            "sections": sections,
            "placebo": placebo,
            "placebo_sources": [
                (cit, keys.get(cit, "")) for cit in (placebo.sources if placebo else ())
            ],
            "comparators": _comparators(),
            "sources": display.source_rows(stored),
            "awaiting": awaiting("fibromyalgia"),
            "other_conditions": _other_conditions(),
            "stored": stored,
            "source_index": sources(),
            "waiting": reviewable_drafts(request.user).count(),  # type: ignore[arg-type]
        },
    )


def _review_page(
    request: HttpRequest, problem: tuple[int, str] | None = None, note: str = ""
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # _require_curator let only them through
    drafts = [
        {
            "trial": t,
            "change": trial_change(t),
            "provenance": t.provenance(),
            "blocked": no_primary_source(t),
        }
        for t in reviewable_drafts(user)
    ]
    mine = StoredTrial.objects.filter(added_by=user).exclude(review=Review.APPROVED)
    return render(
        request,
        "evidence/review.html",
        {
            "drafts": drafts,
            "mine": mine.select_related("reviewed_by").order_by("-added_at"),
            "problem": problem,
            "note": note,
            "note_limit": NOTE_LIMIT,
        },
        status=400 if problem else 200,
    )


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """``/evidence/review/``: the trials waiting for this clinician's or admin's review, each
    with what approving it would change; and their own trials waiting for someone else."""
    _require_curator(request)
    return _review_page(request)


@login_required
@require_http_methods(["POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """``/evidence/review/<pk>/``: approve or reject one draft, with a note (required)."""
    _require_curator(request)
    trial = get_draft_for_reviewer(request.user, pk)  # type: ignore[arg-type]
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "")
    try:
        done = review_trial(Actor.from_request(request), trial, decision, note)  # type: ignore[arg-type]
    except EvidenceInputError as exc:
        return _review_page(request, problem=(trial.pk, str(exc)), note=note)
    if done.approved:
        messages.success(request, f"{done.label} approved; every summary now includes it.")
    else:
        messages.success(request, f"{done.label} rejected; it stays out of every summary.")
    return redirect("evidence:review")
