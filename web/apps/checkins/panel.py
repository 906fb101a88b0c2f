"""The clinician's panel: every patient on their care teams, searched, filtered, sorted and paged.

The view stays thin: :class:`PanelQuery` reads the query string (an unknown value falls back to
the default and says so), :func:`build_panel` reads one page of the stored summaries
(:class:`~apps.checkins.models.PatientSummary`), searched, filtered, sorted and paged in SQL, in
the same few queries for ten patients or ten thousand, and the page view records one audit event
naming the patients shown on that page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, F, FloatField, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.access import denied_page, visible_patients
from apps.accounts.models import Patient, User
from apps.alerts.models import Alert, Severity
from apps.alerts.queries import open_alerts, open_alerts_by_patient
from apps.audit.log import record_many
from apps.checkins.models import PatientSummary
from lowdose.daily import DAILY_SCALES

__all__ = [
    "ALERT_FILTERS",
    "CHANGE_SCALE",
    "PAGE_SIZE",
    "SORTS",
    "STATES",
    "PanelQuery",
    "build_panel",
    "panel",
    "panel_patients",
]

PAGE_SIZE = 50

#: Sort orders, each put so that the patients who most need a look come first.
SORTS: dict[str, str] = {
    "name": "Name (A–Z)",
    "last": "Last check-in (longest ago first)",
    "change": "Pain vs baseline (least improved first)",
    "alerts": "Open alerts (most first)",
}
#: Where a patient is in their treatment.
STATES: dict[str, str] = {
    "": "Everyone",
    "invited": "Invited, not joined yet",
    "before": "Before LDN",
    "on_ldn": "On LDN",
    "nof1": "In an N-of-1 trial",
}
ALERT_FILTERS: dict[str, str] = {
    "": "Any",
    "open": "With open alerts",
    "urgent": "With urgent alerts",
    "none": "Without open alerts",
}
_NAMES = {"sort": "Sort by", "state": "Treatment", "alerts": "Alerts"}


@dataclass(frozen=True)
class PanelQuery:
    """What the clinician asked for; ``notes`` say which values were not understood."""

    q: str = ""
    sort: str = "name"
    state: str = ""
    alerts: str = ""
    page: int = 1
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> PanelQuery:
        notes: list[str] = []
        chosen: dict[str, str] = {}
        for name, choices, default in (
            ("sort", SORTS, "name"),
            ("state", STATES, ""),
            ("alerts", ALERT_FILTERS, ""),
        ):
            value = params.get(name, default).strip()
            if value not in choices:
                notes.append(
                    f"{_NAMES[name]}: that choice is not offered, so "
                    f"“{choices[default]}” is shown. Pick one from the list."
                )
                value = default
            chosen[name] = value
        raw_page = params.get("page", "1").strip()
        page = (
            int(raw_page)
            if raw_page.isascii() and raw_page.isdigit() and 0 < len(raw_page) < 7
            else 1
        )
        if raw_page not in ("", "1") and str(page) != raw_page:
            notes.append("Page: not a page number, so the first page is shown.")
        return cls(
            q=" ".join(params.get("q", "").split())[:100],
            sort=chosen["sort"],
            state=chosen["state"],
            alerts=chosen["alerts"],
            page=max(page, 1),
            notes=tuple(notes),
        )

    def link(self, **changes: Any) -> str:
        """The query string of this view with ``changes`` (defaults left out)."""
        values = replace(self, **changes)
        pairs = {
            "q": values.q,
            "sort": "" if values.sort == "name" else values.sort,
            "state": values.state,
            "alerts": values.alerts,
            "page": "" if values.page == 1 else str(values.page),
        }
        return "?" + urlencode({k: v for k, v in pairs.items() if v})


#: The scale whose change from baseline the panel shows and sorts by.
CHANGE_SCALE = "pain"


@dataclass(frozen=True)
class Row:
    """One patient on the panel: their stored summary and their open alerts."""

    patient: Patient
    summary: PatientSummary
    state: str
    alerts: Sequence[Alert]

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def urgent(self) -> bool:
        return any(a.severity == Severity.URGENT for a in self.alerts)

    @property
    def pain_change(self) -> float | None:
        change = self.summary.change_from_baseline
        return None if not change else cast(float | None, change.get(CHANGE_SCALE))


def _treatment_state() -> Case:
    """Where each patient is, in SQL: invited (no account yet), in an N-of-1 trial (still
    blinded, as the safety screen counts it), on LDN (a signed or dispensed prescription, or
    doses in the diary) or before LDN. A patient without a summary yet is before LDN."""
    return Case(
        When(user__isnull=True, then=Value("invited")),
        When(panel_summary__in_trial=True, then=Value("nof1")),
        When(
            Q(panel_summary__prescribed=True) | Q(panel_summary__current_dose_mg__isnull=False),
            then=Value("on_ldn"),
        ),
        default=Value("before"),
        output_field=CharField(),
    )


def _order(sort: str) -> list[Any]:
    name = [Lower("display_name"), "pk"]
    if sort == "last":  # never checked in first, then the longest ago
        return [F("panel_summary__last_checkin_at").asc(nulls_first=True), *name]
    if sort == "change":  # least improved (largest rise) first; no baseline yet at the end
        return [F("pain_change").desc(nulls_last=True), *name]
    if sort == "alerts":  # urgent first, then the most open alerts
        return [F("urgent_first").asc(), F("open_count").desc(), *name]
    return name


def _filtered(patients: QuerySet[Patient], query: PanelQuery) -> QuerySet[Patient]:
    if query.q:
        patients = patients.filter(display_name__icontains=query.q)
    # Q objects: the names are the annotations of panel_patients, not the model's fields.
    if query.state:
        patients = patients.filter(Q(state=query.state))
    if query.alerts == "open":
        patients = patients.filter(Q(open_count__gt=0))
    elif query.alerts == "urgent":
        patients = patients.filter(Q(urgent_count__gt=0))
    elif query.alerts == "none":
        patients = patients.filter(Q(open_count=0))
    return patients


def panel_patients(user: User) -> QuerySet[Patient]:
    """The patients ``user`` may see, each with their summary (a left join: a patient without
    one yet is listed too) and what the panel filters and sorts by, computed in SQL."""
    visible = visible_patients(user, "checkins.view").values("pk")
    urgent = Coalesce(F("panel_summary__urgent_alerts"), 0)
    return (
        Patient.objects.filter(pk__in=visible)
        .select_related("panel_summary")
        .annotate(
            state=_treatment_state(),
            open_count=Coalesce(F("panel_summary__open_alerts"), 0),
            urgent_count=urgent,
            urgent_first=Case(When(Q(urgent_count__gt=0), then=Value(0)), default=Value(1)),
            pain_change=Cast(
                KeyTextTransform(CHANGE_SCALE, "panel_summary__change_from_baseline"),
                FloatField(),
            ),
        )
    )


@dataclass(frozen=True)
class Panel:
    query: PanelQuery
    page: Page[Row]
    total: int  # patients on the clinician's care teams
    matching: int  # of them, those the search and filters keep
    urgent: list[Alert]  # urgent alerts of every patient, whatever the filters and the page


def _summary_of(patient: Patient) -> PatientSummary:
    try:
        return patient.panel_summary
    except PatientSummary.DoesNotExist:  # not summarised yet: empty figures
        return PatientSummary(patient=patient)


def build_panel(user: User, query: PanelQuery) -> Panel:
    """The page of rows ``query`` asks for, among the patients ``user`` may see.

    Six queries whatever the size of the clinic: the count of every patient, the count of those
    the filters keep, the page, its patients' open alerts, and the urgent alerts of everyone."""
    patients = panel_patients(user)
    total = patients.count()
    matching = _filtered(patients, query).order_by(*_order(query.sort))
    found = Paginator(matching, PAGE_SIZE, allow_empty_first_page=True).get_page(query.page)
    shown = list(found.object_list)
    alerts = open_alerts_by_patient(user, [p.pk for p in shown])
    rows = [Row(p, _summary_of(p), p.state, alerts.get(p.pk, [])) for p in shown]
    page = cast("Page[Row]", Page(rows, found.number, found.paginator))
    urgent = sorted(
        open_alerts(user, severity=Severity.URGENT),
        key=lambda a: (a.acknowledged_at is not None, -a.raised_at.timestamp()),
    )
    return Panel(query, page, total, found.paginator.count, urgent)


@login_required
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_clinician:
        return denied_page(request, "panel.view")
    built = build_panel(user, PanelQuery.parse(request.GET))
    shown = list(built.page.object_list)
    # One event naming every patient whose name the page shows (rows and urgent alerts).
    named = [row.patient.pk for row in shown] + [a.patient_id for a in built.urgent]
    record_many(request, "checkins.view.panel", named)
    return render(
        request,
        "checkins/panel.html",
        {
            "panel": built,
            "rows": shown,
            "scales": DAILY_SCALES,
            "urgent": built.urgent,
            "sorts": SORTS,
            "states": STATES,
            "alert_filters": ALERT_FILTERS,
            "prev_link": built.query.link(page=built.page.previous_page_number())
            if built.page.has_previous()
            else "",
            "next_link": built.query.link(page=built.page.next_page_number())
            if built.page.has_next()
            else "",
        },
    )
