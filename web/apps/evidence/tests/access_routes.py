"""Access matrix rows for the evidence pages and API (no patient data: not audited per patient).

The review routes act on a draft trial: "own" is a draft added by a third clinician of the
personas' clinic (so the clinician and the admin may review it), "other" one added by a
clinician of another clinic (nobody here may).
"""

from __future__ import annotations

from typing import Any

from apps.accounts.models import Clinic, Role, User
from apps.accounts.tests.matrix import Route, every_role
from apps.evidence.models import StoredTrial


def draft_setup(*, target: Any, whose: str, people: dict[str, User | None]) -> dict[str, str]:
    """A draft trial to review, added by someone who is none of the personas."""
    clinician = people["clinician"]
    assert clinician is not None
    clinic = clinician.clinic if whose == "own" else Clinic.objects.create(name="Elsewhere")
    author = User.objects.create(username=f"author-{whose}", role=Role.CLINICIAN, clinic=clinic)
    trial = StoredTrial.objects.create(
        trial_id=f"draft-{whose}",
        label="Draft 2026",
        year=2026,
        kind="rct_parallel",
        citation="Draft D. Test J 2026;4:1-2.",
        doi="10.1000/draft",
        added_by=author,
    )
    trial.effects.create(
        outcome="pain",
        measure="SMD",
        yi=-0.2,
        vi=0.04,
        reported_what="pain SMD",
        reported_value="-0.2 (SE 0.2)",
        how="yi and vi as published",
    )
    return {"{pk}": str(trial.pk), "{trial}": trial.trial_id}


DRAFT = {"setup": draft_setup}
REVIEW_FORM = {"decision": "approve", "note": "Checked against the paper."}
NOBODY = every_role(404, anonymous=302)

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
    "registry_id": "NCT04270877",
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
        "evidence:review",
        "GET",
        "/evidence/review/",
        every_role(404, anonymous=302, clinician=200, admin=200),
    ),
    Route(
        "evidence:review_trial",
        "POST",
        "/evidence/review/{pk}/",
        every_role(404, anonymous=302, clinician=302, admin=302),
        other=NOBODY,
        body=REVIEW_FORM,
        extra=DRAFT,
    ),
    Route(
        "api:waiting_for_review",
        "GET",
        "/api/v1/evidence/review",
        every_role(404, anonymous=401, clinician=200, admin=200),
        api=True,
    ),
    Route(
        "api:review_draft",
        "POST",
        "/api/v1/evidence/trials/{trial}/review",
        every_role(404, anonymous=401, clinician=200, admin=200),
        other=every_role(404, anonymous=401),
        body=REVIEW_FORM,
        api=True,
        extra=DRAFT,
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
