"""Access matrix rows for the clinical pages (screening, prescriptions, downloads, wallet card)."""

from __future__ import annotations

from apps.accounts.tests.matrix import CARE, DENIED, Route, every_role
from apps.clinical.tests.factories import assessment_result, assignment, draft_rx, signed_rx

CLINICIAN_ONLY = every_role(404, anonymous=302, clinician=200)
CLINICIAN_WRITE = every_role(404, anonymous=302, clinician=302)
RX_VIEWERS = every_role(404, anonymous=302, patient=200, clinician=200, pharmacist=200)
RX = "/patients/{pid}/prescriptions/{rx}/"
SIGNED = {"setup": signed_rx}

ROUTES: tuple[Route, ...] = (
    Route(
        "clinical:screening",
        "GET",
        "/patients/{pid}/screening/",
        CLINICIAN_ONLY,
        DENIED,
        audited=True,
    ),
    Route(
        "clinical:screening",
        "POST",
        "/patients/{pid}/screening/",
        CLINICIAN_WRITE,
        DENIED,
        body={"op": "add_medication", "name": "pregabalin"},
        audited=True,
    ),
    Route(
        "clinical:new",
        "GET",
        "/patients/{pid}/prescriptions/new/",
        CLINICIAN_ONLY,
        DENIED,
        audited=True,
    ),
    Route(
        "clinical:new",
        "POST",
        "/patients/{pid}/prescriptions/new/",
        CLINICIAN_WRITE,
        DENIED,
        body={
            "protocol": "ldnrt-slow",
            "start": "2099-01-05",
            "dose_time": "bedtime",
            "form": "capsule",
            "supply_days": "56",
        },
        audited=True,
    ),
    Route("clinical:prescription", "GET", RX, RX_VIEWERS, DENIED, audited=True, extra=SIGNED),
    Route(
        "clinical:sign",
        "POST",
        RX + "sign/",
        CLINICIAN_WRITE,
        DENIED,
        body={"consent": "yes", "pharmacy": "{pharmacy}"},
        audited=True,
        extra={"setup": draft_rx},
    ),
    Route(
        "clinical:adjust",
        "POST",
        RX + "adjust/",
        CLINICIAN_WRITE,
        DENIED,
        body={"rule": "morning", "on": "2000-01-01"},  # refused (not in the plan): redirects
        audited=True,
        extra=SIGNED,
    ),
    Route(
        "clinical:calendar", "GET", RX + "plan.ics", RX_VIEWERS, DENIED, audited=True, extra=SIGNED
    ),
    Route(
        "clinical:fhir",
        "GET",
        RX + "medication-request.json",
        RX_VIEWERS,
        DENIED,
        audited=True,
        extra=SIGNED,
    ),
    Route(
        "clinical:treatment",
        "GET",
        "/patients/{pid}/treatment/",
        RX_VIEWERS,
        DENIED,
        audited=True,
        extra=SIGNED,
    ),
    Route("clinical:card", "GET", "/patients/{pid}/wallet-card/", CARE, DENIED, audited=True),
    Route(
        "clinical:assessments", "GET", "/patients/{pid}/assessments/", CARE, DENIED, audited=True
    ),
    Route(
        "clinical:assessments",
        "POST",
        "/patients/{pid}/assessments/",
        CLINICIAN_WRITE,
        DENIED,
        body={"instrument": "phq9", "start": "2099-01-05", "every_weeks": "4"},
        audited=True,
    ),
    Route(
        "clinical:assessment",
        "GET",
        "/patients/{pid}/assessments/{asg}/",
        CARE,
        DENIED,
        audited=True,
        extra={"setup": assignment},
    ),
    Route(
        "clinical:assessment",
        "POST",
        "/patients/{pid}/assessments/{asg}/",
        every_role(404, anonymous=302, patient=302, clinician=302),
        DENIED,
        body={"item1": "1", "item2": "0"},
        audited=True,
        extra={"setup": assignment},
    ),
    Route(
        "clinical:assessment_fhir",
        "GET",
        "/patients/{pid}/assessment-results/{result}/fhir.json",
        CARE,
        DENIED,
        audited=True,
        extra={"setup": assessment_result},
    ),
    Route(
        "api:get_screening",
        "GET",
        "/api/v1/patients/{pid}/screening",
        every_role(404, anonymous=401, clinician=200),
        every_role(404, anonymous=401),
        api=True,
        audited=True,
    ),
    Route(
        "api:list_prescriptions",
        "GET",
        "/api/v1/patients/{pid}/prescriptions",
        every_role(404, anonymous=401, patient=200, clinician=200, pharmacist=200),
        every_role(404, anonymous=401),
        api=True,
        audited=True,
        extra=SIGNED,
    ),
    Route(
        "api:sign",
        "POST",
        "/api/v1/patients/{pid}/prescriptions/{rx}/sign",
        every_role(404, anonymous=401, clinician=200),
        every_role(404, anonymous=401),
        body={"pharmacy_id": "{pharmacy}", "consent": True},
        api=True,
        audited=True,
        extra={"setup": draft_rx},
    ),
)
