"""The clinician's panel: every patient on their care teams, searched, filtered, sorted and paged.

The view stays thin: :class:`PanelQuery` reads the query string (an unknown value falls back to
the default and says so), :func:`build_panel` turns the visible patients into the rows of one
page, and the page view records one audit event naming the patients shown on that page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.access import denied_page, visible_patients
from apps.accounts.models import Patient, User
from apps.accounts.treatment import naltrexone_holders
from apps.alerts.models import Alert, Severity
from apps.alerts.queries import open_alerts_by_patient
from apps.audit.log import record_many
from apps.checkins.queries import PanelRow, panel_rows
from lowdose.daily import DAILY_SCALES

__all__ = ["ALERT_FILTERS", "PAGE_SIZE", "SORTS", "STATES", "PanelQuery", "build_panel", "panel"]

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
        page = int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 7 else 1
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


@dataclass(frozen=True)
class Row:
    """One patient on the panel."""

    patient: Patient
    summary: Any
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
        return None if not change else cast(float | None, change.get("pain"))


def treatment_states(rows: Sequence[PanelRow]) -> dict[int, str]:
    """Where each patient is: invited, in an N-of-1 trial (still blinded, as the safety screen
    counts it: :func:`apps.accounts.treatment.naltrexone_holders`), on LDN (a signed
    or dispensed prescription, or doses in the diary) or before LDN. Two queries."""
    prescribed, in_trial = naltrexone_holders(row.patient.pk for row in rows)
    states = {}
    for row in rows:
        pid = row.patient.pk
        if row.patient.user_id is None:
            states[pid] = "invited"
        elif pid in in_trial:
            states[pid] = "nof1"
        elif pid in prescribed or row.summary.current_dose_mg is not None:
            states[pid] = "on_ldn"
        else:
            states[pid] = "before"
    return states


def _sort_key(sort: str) -> Any:
    def name(row: Row) -> tuple[str, int]:
        return (row.patient.display_name.casefold(), row.patient.pk)

    if sort == "last":
        # Never checked in first, then the longest ago.
        return lambda r: (
            r.summary.last_checkin_at is not None,
            r.summary.last_checkin_at or datetime.min,
            name(r),
        )
    if sort == "change":
        # Least improved (largest rise in pain) first; no baseline yet at the end.
        return lambda r: (r.pain_change is None, -(r.pain_change or 0.0), name(r))
    if sort == "alerts":
        return lambda r: (not r.urgent, -len(r.alerts), name(r))
    return name


@dataclass(frozen=True)
class Panel:
    query: PanelQuery
    page: Page[Row]
    total: int  # patients on the clinician's care teams
    matching: int  # of them, those the search and filters keep
    urgent: list[Alert]  # urgent alerts of every patient, whatever the filters and the page


def build_panel(user: User, query: PanelQuery) -> Panel:
    """The page of rows ``query`` asks for, among the patients ``user`` may see."""
    patients = visible_patients(user, "checkins.view").select_related("user", "care_team")
    base = panel_rows(patients)
    states = treatment_states(base)
    alerts = open_alerts_by_patient(user, [row.patient.pk for row in base])
    rows = [
        Row(r.patient, r.summary, states[r.patient.pk], alerts.get(r.patient.pk, [])) for r in base
    ]
    total = len(rows)
    urgent = sorted(
        (a for row in rows for a in row.alerts if a.severity == Severity.URGENT),
        key=lambda a: (a.acknowledged_at is not None, -a.raised_at.timestamp()),
    )
    if query.q:
        needle = query.q.casefold()
        rows = [r for r in rows if needle in r.patient.display_name.casefold()]
    if query.state:
        rows = [r for r in rows if r.state == query.state]
    if query.alerts == "open":
        rows = [r for r in rows if r.alerts]
    elif query.alerts == "urgent":
        rows = [r for r in rows if r.urgent]
    elif query.alerts == "none":
        rows = [r for r in rows if not r.alerts]
    rows.sort(key=_sort_key(query.sort))
    paginator = Paginator(rows, PAGE_SIZE, allow_empty_first_page=True)
    return Panel(query, paginator.get_page(query.page), total, len(rows), urgent)


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
