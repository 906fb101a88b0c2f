"""Access matrix rows for the visit report page, its PDF and the API."""

from __future__ import annotations

from apps.accounts.tests.matrix import CARE, DENIED, Route, every_role

#: The clinician's version: the care team only.
CARE_ONLY_API = every_role(404, anonymous=401, clinician=200)
CARE_API = every_role(404, anonymous=401, patient=200, clinician=200)
API_DENIED = every_role(404, anonymous=401)

ROUTES: tuple[Route, ...] = (
    Route("reports:page", "GET", "/patients/{pid}/visit-report/", CARE, DENIED, audited=True),
    Route(
        "reports:pdf",
        "GET",
        "/patients/{pid}/visit-report.pdf?audience=patient",
        CARE,
        DENIED,
        audited=True,
    ),
    Route(
        "reports:pdf",
        "GET",
        "/patients/{pid}/visit-report.pdf?audience=clinician",
        every_role(404, anonymous=302, clinician=200),
        DENIED,
        audited=True,
    ),
    Route(
        "api:visit_report",
        "GET",
        "/api/v1/patients/{pid}/visit-report.pdf?audience=patient",
        CARE_API,
        API_DENIED,
        api=True,
        audited=True,
    ),
    Route(
        "api:visit_report",
        "GET",
        "/api/v1/patients/{pid}/visit-report.pdf?audience=clinician",
        CARE_ONLY_API,
        API_DENIED,
        api=True,
        audited=True,
    ),
)
