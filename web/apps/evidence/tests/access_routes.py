"""Access matrix rows for the evidence pages and API (no patient data: not audited per patient)."""

from __future__ import annotations

from apps.accounts.tests.matrix import Route, every_role

TRIAL_BODY = {
    "trial_id": "matrix2027",
    "label": "Matrix 2027",
    "year": 2026,
    "kind": "rct_parallel",
    "n": 120,
    "citation": "Matrix A. Test J 2026;1:1-2.",
    "doi": "10.1000/matrix",
    "effects": [
        {
            "outcome": "pain",
            "yi": -0.1,
            "vi": 0.04,
            "reported_what": "pain SMD",
            "reported_value": "-0.1 (SE 0.2)",
        }
    ],
}

FORM_BODY = {
    "trial_id": "form2027",
    "label": "Form 2027",
    "year": "2026",
    "kind": "rct_crossover",
    "n": "30",
    "citation": "Form C. Test J 2026;3:5-6.",
    "url": "https://example.org/form2027",
    "outcome": "pain",
    "estimate": "-0.2",
    "ci_low": "-0.6",
    "ci_high": "0.2",
    "reported_what": "pain SMD",
    "reported_value": "-0.2 (-0.6 to 0.2)",
}

ROUTES: tuple[Route, ...] = (
    # Public: the evidence is published science, not patient data.
    Route("evidence:patient", "GET", "/evidence/", every_role(200)),
    Route(
        "evidence:clinician",
        "GET",
        "/evidence/clinician/",
        every_role(404, anonymous=302, clinician=200, admin=200),
    ),
    Route(
        "evidence:add_trial",
        "GET",
        "/evidence/trials/new/",
        every_role(404, anonymous=302, clinician=200, admin=200),
    ),
    Route(
        "evidence:add_trial",
        "POST",
        "/evidence/trials/new/",
        every_role(404, anonymous=302, clinician=302, admin=302),
        body=FORM_BODY,
    ),
    Route(
        "api:evidence_summary",
        "GET",
        "/api/v1/evidence/summary?outcome=pain",
        every_role(200, anonymous=401),
        api=True,
    ),
    Route(
        "api:create_trial",
        "POST",
        "/api/v1/evidence/trials",
        every_role(404, anonymous=401, clinician=201, admin=201),
        body=TRIAL_BODY,
        api=True,
    ),
)
