"""The clinic admin's audit log page: search by patient, person, area and date.

It lives in accounts, not audit, because who may read which events is an access rule
(:func:`apps.accounts.access.visible_audit_events`); the audit app below it owns the log, its
search (:mod:`apps.audit.queries`) and the words for each action (:mod:`apps.audit.words`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.access import denied_page, visible_audit_events
from apps.accounts.models import Role, User
from apps.audit.log import record
from apps.audit.queries import AuditFilters, search
from apps.audit.words import AREAS, describe
from lowdose.errors import InputError

__all__ = ["PAGE_SIZE", "audit_log"]

PAGE_SIZE = 50


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page; the reading itself is recorded with the filters used."""
    user = cast(User, request.user)
    if not user.is_clinic_admin:
        return denied_page(request, "audit.view")
    error: InputError | None = None
    try:
        filters = AuditFilters.parse(request.GET)
    except InputError as exc:
        error, filters = exc, AuditFilters()
    events = search(visible_audit_events(user), filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [
        {
            "event": e,
            "what": describe(e.action),
            "role": Role(e.actor_role).label if e.actor_role in Role.values else e.actor_role,
            "patients": (e.detail or {}).get("patient_ids") if isinstance(e.detail, dict) else None,
            "tried": (e.detail or {}).get("username") if e.action == "auth.login.failed" else "",
            "changes": (e.detail or {}).get("changes") if e.action.startswith("admin.") else None,
        }
        for e in page.object_list
    ]
    record(
        request,
        "audit.view",
        detail={"filters": {k: str(v) for k, v in asdict(filters).items() if v not in (None, "")}},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "events": shown,
            "filters": filters,
            "areas": sorted(AREAS.items(), key=lambda kv: kv[1]),
            "error": error,
            "query": query.urlencode(),
        },
        status=400 if error else 200,
    )
