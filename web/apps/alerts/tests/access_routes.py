"""Access matrix rows for the alert inbox and API: the care team acts, the pharmacy reads only
blocking alerts of its own patients, nobody else sees anything."""

from __future__ import annotations

from typing import Any

from apps.accounts.models import Patient
from apps.accounts.tests.matrix import Route, every_role
from apps.alerts.actions import raise_alert
from apps.audit.actor import Actor


def alert_setup(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """An open urgent alert of the target patient (not blocking: a pharmacist never sees it)."""
    alert, _ = raise_alert(
        Actor.system(),
        target,
        kind="severe_side_effect",
        severity="urgent",
        message="Severe nausea reported: contact the patient today.",
        facts={"side_effect": "nausea", "severity": "severe"},
        key="nausea",
    )
    return {"{alert}": str(alert.pk)}


SETUP = {"setup": alert_setup}
NOTE = {"note": "Phoned the patient; dose held for two nights."}

ROUTES: tuple[Route, ...] = (
    Route(
        "alerts:inbox",
        "GET",
        "/alerts/",
        every_role(404, anonymous=302, clinician=200, pharmacist=200),
    ),
    Route(
        "alerts:acknowledge",
        "POST",
        "/alerts/{alert}/acknowledge",
        every_role(404, anonymous=302, clinician=302),
        every_role(404, anonymous=302),
        body=NOTE,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "alerts:resolve",
        "POST",
        "/alerts/{alert}/resolve",
        every_role(404, anonymous=302, clinician=302),
        every_role(404, anonymous=302),
        body=NOTE,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "api:list_alerts",
        "GET",
        "/api/v1/alerts",
        every_role(200, anonymous=401),
        api=True,
    ),
    Route(
        "api:acknowledge_an_alert",
        "POST",
        "/api/v1/alerts/{alert}/acknowledge",
        every_role(404, anonymous=401, clinician=200),
        every_role(404, anonymous=401),
        body=NOTE,
        api=True,
        audited=True,
        extra=SETUP,
    ),
)
