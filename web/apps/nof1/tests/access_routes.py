"""Access matrix rows for N-of-1 pages and API (the allocation: that pharmacy's pharmacist)."""

from __future__ import annotations

from apps.accounts.tests.matrix import CARE, DENIED, Route, every_role
from apps.nof1.tests.factories import design_setup, trial_setup

SETUP = {"setup": trial_setup}
CLINICIAN_ACTS = every_role(404, anonymous=302, clinician=302)
PHARMACIST_READS = every_role(404, anonymous=302, pharmacist=200)
API_DENIED = every_role(404, anonymous=401)

ROUTES: tuple[Route, ...] = (
    Route("nof1:list", "GET", "/patients/{pid}/nof1/", CARE, DENIED, audited=True),
    Route(
        "nof1:new",
        "GET",
        "/patients/{pid}/nof1/new/",
        every_role(404, anonymous=302, clinician=200),
        DENIED,
        audited=True,
    ),
    Route(
        "nof1:new",
        "POST",
        "/patients/{pid}/nof1/new/",
        CLINICIAN_ACTS,
        DENIED,
        body={
            "arms": "4.5",
            "cycles": "2",
            "period_days": "10",
            "onset_days": "0",
            "start": "{start}",
            "pharmacy": "{pharmacy}",
            "outcome": "pain",
            "mcid": "1",
        },
        audited=True,
        extra={"setup": design_setup},
    ),
    Route("nof1:detail", "GET", "/nof1/{trial}/", CARE, DENIED, audited=True, extra=SETUP),
    Route(
        "nof1:lock",
        "POST",
        "/nof1/{trial}/lock/",
        CLINICIAN_ACTS,
        DENIED,
        body={"outcome": "pain", "mcid": "1"},
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:assistant",
        "GET",
        "/nof1/{trial}/assistant/",
        every_role(404, anonymous=302, clinician=200),
        DENIED,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:assistant",
        "POST",
        "/nof1/{trial}/assistant/",
        CLINICIAN_ACTS,
        DENIED,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:stop",
        "POST",
        "/nof1/{trial}/stop/",
        CLINICIAN_ACTS,
        DENIED,
        body={"reason": "patient withdrew from the trial"},
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:unblind",
        "POST",
        "/nof1/{trial}/unblind/",
        CLINICIAN_ACTS,
        DENIED,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:emergency",
        "POST",
        "/nof1/{trial}/emergency/",
        CLINICIAN_ACTS,
        DENIED,
        body={"kit": "", "reason": ""},
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:kits",
        "GET",
        "/nof1/{trial}/kits/",
        PHARMACIST_READS,
        DENIED,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:kits_prepared",
        "POST",
        "/nof1/{trial}/kits/prepared/",
        every_role(404, anonymous=302, pharmacist=302),
        DENIED,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "nof1:pharmacy", "GET", "/pharmacy/nof1/", every_role(404, anonymous=302, pharmacist=200)
    ),
    Route("nof1:research", "GET", "/research/nof1/", every_role(404, anonymous=302, admin=200)),
    Route(
        "api:list_trials",
        "GET",
        "/api/v1/patients/{pid}/nof1",
        every_role(404, anonymous=401, patient=200, clinician=200),
        API_DENIED,
        api=True,
        audited=True,
        extra=SETUP,
    ),
    Route(
        "api:trial_kits",
        "GET",
        "/api/v1/nof1/{trial}/kits",
        every_role(404, anonymous=401, pharmacist=200),
        API_DENIED,
        api=True,
        audited=True,
        extra=SETUP,
    ),
)
