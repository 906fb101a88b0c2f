"""Access matrix rows for the check-in pages and API."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from apps.accounts.models import Patient
from apps.accounts.tests.matrix import CARE, DENIED, PATIENT_ONLY, Route, every_role
from apps.audit.actor import Actor
from lowdose.diary import Checkin as CoreCheckin


def checkin_setup(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """Access-matrix setup: a check-in of the target patient, made now (changeable)."""
    from apps.checkins.actions import store_checkin

    entry = CoreCheckin(
        client_id=uuid.uuid4(),
        day=timezone.localdate(),
        recorded_at=timezone.now(),
        pain=5,
        fatigue=5,
        sleep=5,
        mood=5,
        dose_status="missed",
    )
    row, _ = store_checkin(Actor.of(target.user), target, entry, followup=False)  # type: ignore[arg-type]
    return {"{checkin}": str(row.pk), "{client_id}": str(row.client_id)}


CHECKIN = {"setup": checkin_setup}
PATIENT_CHANGES = every_role(404, anonymous=302, patient=302)

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
    Route(
        "checkins:change",
        "GET",
        "/patients/{pid}/checkins/{checkin}/change/",
        PATIENT_ONLY,
        DENIED,
        audited=True,
        extra=CHECKIN,
    ),
    Route(
        "checkins:change",
        "POST",
        "/patients/{pid}/checkins/{checkin}/change/",
        PATIENT_CHANGES,
        DENIED,
        body={"pain": "2", "fatigue": "4", "sleep": "6", "mood": "6", "dose_status": "none"},
        audited=True,
        extra=CHECKIN,
    ),
    Route(
        "checkins:delete",
        "GET",
        "/patients/{pid}/checkins/{checkin}/delete/",
        PATIENT_ONLY,
        DENIED,
        audited=True,
        extra=CHECKIN,
    ),
    Route(
        "checkins:delete",
        "POST",
        "/patients/{pid}/checkins/{checkin}/delete/",
        PATIENT_CHANGES,
        DENIED,
        audited=True,
        extra=CHECKIN,
    ),
    Route("checkins:export", "GET", "/patients/{pid}/checkins.csv", CARE, DENIED, audited=True),
    Route(
        "api:export_checkins_csv",
        "GET",
        "/api/v1/patients/{pid}/checkins.csv",
        every_role(404, anonymous=401, patient=200, clinician=200),
        every_role(404, anonymous=401),
        api=True,
        audited=True,
    ),
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
    Route(
        "api:correct_checkin",
        "PATCH",
        "/api/v1/patients/{pid}/checkins/{client_id}",
        every_role(404, anonymous=401, patient=200),
        every_role(404, anonymous=401),
        body={"mood": 3},
        api=True,
        audited=True,
        extra=CHECKIN,
    ),
    Route(
        "api:remove_checkin",
        "DELETE",
        "/api/v1/patients/{pid}/checkins/{checkin}",
        every_role(404, anonymous=401, patient=204),
        every_role(404, anonymous=401),
        api=True,
        audited=True,
        extra=CHECKIN,
    ),
)
