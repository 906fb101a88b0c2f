"""Access matrix rows for the check-in pages and API."""

from __future__ import annotations

from apps.accounts.tests.matrix import CARE, DENIED, PATIENT_ONLY, Route, every_role

ROUTES: tuple[Route, ...] = (
    Route("checkins:panel", "GET", "/panel/", every_role(404, anonymous=302, clinician=200)),
    Route("checkins:dashboard", "GET", "/patients/{pid}/", CARE, DENIED, audited=True),
    Route("checkins:new", "GET", "/patients/{pid}/checkin/", PATIENT_ONLY, DENIED, audited=True),
    Route(
        "checkins:new",
        "POST",
        "/patients/{pid}/checkin/",
        every_role(404, anonymous=302, patient=302),
        DENIED,
        body={"pain": "4", "fatigue": "4", "sleep": "6", "mood": "6", "dose_status": "missed"},
        audited=True,
    ),
    Route("checkins:export", "GET", "/patients/{pid}/checkins.csv", CARE, DENIED, audited=True),
    Route(
        "checkins:import",
        "POST",
        "/patients/{pid}/checkins/import/",
        every_role(404, anonymous=302, patient=302),
        DENIED,
        audited=True,
    ),
    Route("checkins:chart", "GET", "/patients/{pid}/chart.svg", CARE, DENIED, audited=True),
    Route(
        "api:list_checkins",
        "GET",
        "/api/v1/patients/{pid}/checkins",
        every_role(404, anonymous=401, patient=200, clinician=200),
        every_role(404, anonymous=401),
        api=True,
        audited=True,
    ),
    Route(
        "api:create_checkin",
        "POST",
        "/api/v1/patients/{pid}/checkins",
        every_role(404, anonymous=401, patient=201),
        every_role(404, anonymous=401),
        body={"pain": 3, "fatigue": 4, "sleep": 6, "mood": 7, "dose_mg": "4.5"},
        api=True,
        audited=True,
    ),
)
