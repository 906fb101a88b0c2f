"""``GET /api/v1/audit``: the clinic admin's audit log, searched and paginated like the page
(:mod:`apps.accounts.audit_views`). Its own router, tagged ``audit``; the operation id is the one it
had when it lived in the audit app, so the API contract is unchanged."""

# No ``from __future__ import annotations`` here: ninja's @paginate wrapper resolves the handler's
# annotations in its own module, so they must be real objects, not strings.
from dataclasses import asdict
from typing import cast

from django.http import Http404, HttpRequest
from ninja import Query, Router

from apps.accounts.access import visible_audit_events
from apps.accounts.auth import BearerToken
from apps.accounts.models import User
from apps.audit.log import record
from apps.audit.queries import AuditFilters, search
from apps.audit.schemas import AuditEventOut, AuditFiltersIn
from config.api_input import ErrorOut
from config.keyset import PAGED, PageIn, keyset_page, page_schema

__all__ = ["router"]

router = Router(tags=["audit"], auth=BearerToken())


@router.get(
    "/audit",
    response={200: page_schema(AuditEventOut), 400: ErrorOut, 404: ErrorOut},
    summary="Your clinic's audit log, newest first",
    description="Clinic admins only (404 for every other role). Filters: `patient_id` (also "
    "finds list views that showed the patient), `person` (username), `action` (a name such as "
    "`prescriptions.sign` or an area such as `prescriptions`), `outcome` (ok or denied), "
    "`since` and `until` (dates, both included). " + PAGED,
    operation_id="apps_audit_api_list_audit_events",
)
def list_audit_events(
    request: HttpRequest, filters: Query[AuditFiltersIn], page: Query[PageIn]
) -> dict[str, object]:
    user = cast(User, request.user)
    if not user.is_clinic_admin:
        record(request, "audit.view", outcome="denied")
        raise Http404("No such page.")
    parsed = AuditFilters.parse(
        {name: None if value is None else str(value) for name, value in filters.dict().items()}
    )
    record(
        request,
        "audit.view",
        detail={"filters": {k: str(v) for k, v in asdict(parsed).items() if v not in (None, "")}},
    )
    found, link = keyset_page(request, search(visible_audit_events(user), parsed), page)
    return {"items": found, "next": link}
