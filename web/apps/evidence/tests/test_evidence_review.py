"""A clinician-added trial is a draft until a second person reviews it (issue 16, item 2).

Only an approved trial changes the public summaries; the author never reviews their own trial;
a review needs a note (400, nothing changed, otherwise); every step is audited; the evidence
pages show what each approval changed and why.

Pinned values: the shipped pain SMD is -0.16 (95% CI -0.58 to 0.27, k = 4, REML + Knapp–Hartung).
Adding "Pin 2027" (pain SMD -0.9, variance 0.02) makes it -0.32 (-0.83 to 0.20), k = 5, still "no
clear difference"; its fatigue SMD -0.4 (variance 0.02) is the first fatigue trial: one study,
-0.4 ± 1.96·√0.02 = -0.68 to -0.12, verdict "only one trial" (was "no trial reported this").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import ApiToken, Clinic, Patient, Role, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.evidence.actions import review_trial
from apps.evidence.models import Review, StoredTrial
from apps.evidence.queries import stored_records
from apps.evidence.tests.reviewing import stored_trial
from lowdose.evidence import EvidenceInputError, outcomes, summarize

pytestmark = pytest.mark.django_db

PIN = {
    "trial_id": "pin2027",
    "label": "Pin 2027",
    "year": 2026,
    "kind": "rct_parallel",
    "n": 120,
    "citation": "Pin P. Test J 2026;5:1-9.",
    "doi": "10.1000/pin",
    "effects": [
        {
            "outcome": "pain",
            "yi": -0.9,
            "vi": 0.02,
            "reported_what": "pain SMD",
            "reported_value": "-0.9",
        },
        {
            "outcome": "fatigue",
            "yi": -0.4,
            "vi": 0.02,
            "reported_what": "fatigue SMD",
            "reported_value": "-0.4",
        },
    ],
}

PINNED_CHANGE = [  # in the order of the outcomes' keys
    {
        "outcome": "fatigue",
        "label": outcomes()["fatigue"].label,
        "before": "no trial reported this",
        "after": "only one trial",
        "estimate_before": "—",
        "estimate_after": "-0.40 (-0.68 to -0.12)",
    },
    {
        "outcome": "pain",
        "label": outcomes()["pain"].label,
        "before": "no clear difference",
        "after": "no clear difference",
        "estimate_before": "-0.16 (-0.58 to 0.27)",
        "estimate_after": "-0.32 (-0.83 to 0.20)",
    },
]

NOTE = "Checked both SMDs against table 2 of the paper."


def _token(user: User) -> dict[str, str]:
    raw, digest = ApiToken.new_token()
    ApiToken.objects.create(
        user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
    )
    return {"Authorization": f"Bearer {raw}"}


def _add(user: User) -> StoredTrial:
    response = Client().post(
        "/api/v1/evidence/trials", PIN, content_type="application/json", headers=_token(user)
    )
    assert response.status_code == 201, response.content
    assert response.json()["review"] == "draft"
    return StoredTrial.objects.get(trial_id="pin2027")


def _api_review(user: User, decision: str, note: str) -> Any:
    return Client().post(
        "/api/v1/evidence/trials/pin2027/review",
        {"decision": decision, "note": note},
        content_type="application/json",
        headers=_token(user),
    )


def _pain_k() -> int:
    pain = summarize("pain", extra=stored_records()).randomised
    assert pain is not None
    return pain.k


def test_a_draft_is_in_no_summary_and_an_approval_pins_what_it_changed(
    clinician: User,
    other_clinician: User,
    patient: Patient,
    client_for: Callable[..., Client],
) -> None:
    visitor = client_for(None)
    before = visitor.get("/evidence/").content.decode()
    trial = _add(clinician)
    assert visitor.get("/evidence/").content.decode() == before  # the draft changes nothing
    assert 'id="pain-smd">-0.16</strong>' in before
    assert _pain_k() == 4

    reviewer = client_for(other_clinician)
    waiting = reviewer.get("/evidence/review/").content.decode()
    assert f'id="draft-{trial.pk}"' in waiting
    assert "the verdict changes from “no trial reported this” to “only one trial”" in waiting
    assert "pooled -0.16 (-0.58 to 0.27) → -0.32 (-0.83 to 0.20)" in waiting

    response = reviewer.post(
        f"/evidence/review/{trial.pk}/", {"decision": "approve", "note": f"  {NOTE} "}
    )
    assert response.status_code == 302
    trial.refresh_from_db()
    assert (trial.review, trial.reviewed_by, trial.review_note) == (
        Review.APPROVED,
        other_clinician,
        NOTE,
    )
    assert trial.review_change == PINNED_CHANGE
    assert _pain_k() == 5
    event = AuditEvent.objects.get(action="evidence.trial_approved")
    assert event.actor_username == "other_clinician"
    assert event.patient_id is None
    assert event.detail is not None
    assert event.detail["note"] == NOTE
    assert event.detail["change"] == PINNED_CHANGE

    public = visitor.get("/evidence/").content.decode()
    assert 'id="pain-smd">-0.32</strong>' in public
    assert 'id="change-pin2027"' in public
    assert f"Why: “{NOTE}”" in public
    assert "approved by a second clinician" in public
    assert "other_clinician" not in public  # no staff names on the public page
    assert "verdict went from “no trial reported this” to “only one trial”" in public
    assert "pooled -0.16 (-0.58 to 0.27) → -0.32 (-0.83 to 0.20)" in public
    detailed = client_for(clinician).get("/evidence/clinician/").content.decode()
    assert "approved by other_clinician" in detailed
    assert 'id="est-pain">-0.32</a>' in detailed


def test_the_author_never_reviews_their_own_trial(
    clinician: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    trial = _add(clinician)
    own = client_for(clinician)
    assert f'id="draft-{trial.pk}"' not in own.get("/evidence/review/").content.decode()
    post = own.post(f"/evidence/review/{trial.pk}/", {"decision": "approve", "note": NOTE})
    assert post.status_code == 404
    assert _api_review(clinician, "approve", NOTE).status_code == 404
    with pytest.raises(EvidenceInputError, match="someone else must review"):
        review_trial(Actor.of(clinician), trial, "approve", NOTE)  # even past the getter
    trial.refresh_from_db()
    assert trial.review == Review.DRAFT
    assert not AuditEvent.objects.filter(action__in=["evidence.trial_approved"]).exists()
    # The clinic admin's own trial needs a clinician's review too.
    StoredTrial.objects.all().delete()
    _add(admin_user)
    assert _api_review(admin_user, "approve", NOTE).status_code == 404
    answer = _api_review(clinician, "approve", NOTE)
    assert answer.status_code == 200, answer.content
    assert answer.json()["reviewed_by"] == "clinician"
    assert answer.json()["review_change"] == PINNED_CHANGE


@pytest.mark.parametrize("note", ["", "   "])
def test_a_review_without_a_note_is_a_400_and_changes_nothing(
    note: str, clinician: User, other_clinician: User, client_for: Callable[..., Client]
) -> None:
    trial = _add(clinician)
    page = client_for(other_clinician).post(
        f"/evidence/review/{trial.pk}/", {"decision": "approve", "note": note}
    )
    assert page.status_code == 400
    assert "Write a note saying why you approve or reject this trial" in page.content.decode()
    api = _api_review(other_clinician, "approve", note)
    assert api.status_code == 400
    assert api.json()["field"] == "note"
    trial.refresh_from_db()
    assert (trial.review, trial.reviewed_by, trial.review_note) == (Review.DRAFT, None, "")
    assert _pain_k() == 4
    assert not AuditEvent.objects.filter(action__startswith="evidence.trial_").exclude(
        action="evidence.trial_added"
    )


def test_an_unknown_decision_is_a_400(
    clinician: User, other_clinician: User, client_for: Callable[..., Client]
) -> None:
    trial = _add(clinician)
    page = client_for(other_clinician).post(
        f"/evidence/review/{trial.pk}/", {"decision": "maybe", "note": NOTE}
    )
    assert page.status_code == 400
    assert "Choose approve or reject." in page.content.decode()
    assert StoredTrial.objects.get().review == Review.DRAFT


def test_a_rejected_trial_stays_out_and_its_author_sees_why(
    clinician: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    trial = _add(clinician)
    answer = _api_review(
        admin_user, "reject", "The SMD is the within-group change, not vs placebo."
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["review"] == "rejected"
    assert answer.json()["review_change"] == []
    assert _pain_k() == 4
    event = AuditEvent.objects.get(action="evidence.trial_rejected")
    assert event.actor_username == "admin"
    page = client_for(clinician).get("/evidence/review/").content.decode()
    assert "Pin 2027: rejected by admin on" in page
    assert "The SMD is the within-group change, not vs placebo." in page
    # Reviewed once is final: a second review finds no draft.
    assert _api_review(admin_user, "approve", NOTE).status_code == 404
    with pytest.raises(EvidenceInputError, match="was rejected by someone else"):
        review_trial(Actor.of(admin_user), trial, "approve", NOTE)  # a stale read of the draft
    assert StoredTrial.objects.get().review == Review.REJECTED


def test_another_clinics_trial_is_not_theirs_to_review(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    elsewhere = Clinic.objects.create(name="Elsewhere")
    outsider = User.objects.create(username="outsider", role=Role.CLINICIAN, clinic=elsewhere)
    boss = User.objects.create(username="boss", role=Role.ADMIN, clinic=elsewhere)
    trial = _add(clinician)
    for user in (outsider, boss):
        client = client_for(user)
        assert (
            "Nothing is waiting for your review."
            in client.get("/evidence/review/").content.decode()
        )
        post = client.post(f"/evidence/review/{trial.pk}/", {"decision": "approve", "note": NOTE})
        assert post.status_code == 404
        assert _api_review(user, "approve", NOTE).status_code == 404
        listed = Client().get("/api/v1/evidence/review", headers=_token(user))
        assert listed.json() == []
    assert StoredTrial.objects.get().review == Review.DRAFT


def test_the_api_lists_the_drafts_a_reviewer_may_review(
    clinician: User, other_clinician: User
) -> None:
    _add(clinician)
    mine = Client().get("/api/v1/evidence/review", headers=_token(clinician))
    assert mine.json() == []
    theirs = Client().get("/api/v1/evidence/review", headers=_token(other_clinician)).json()
    assert [(t["trial_id"], t["review"], len(t["effects"])) for t in theirs] == [
        ("pin2027", "draft", 2)
    ]


def test_rows_from_before_reviews_are_drafts_until_a_clinic_admin_reviews_them(
    admin_user: User, clinician: User
) -> None:
    """Fail closed: a row saved without a review (as the migration leaves existing rows) is a
    draft; with no known author only the clinic admin may review it."""
    trial = stored_trial(doi="10.1000/old")
    assert trial.review == Review.DRAFT
    assert stored_records() == ()
    assert _api_review(clinician, "approve", NOTE).status_code == 404  # (a different id anyway)
    answer = Client().post(
        "/api/v1/evidence/trials/old2020/review",
        {"decision": "approve", "note": NOTE},
        content_type="application/json",
        headers=_token(clinician),
    )
    assert answer.status_code == 404
    answer = Client().post(
        "/api/v1/evidence/trials/old2020/review",
        {"decision": "approve", "note": NOTE},
        content_type="application/json",
        headers=_token(admin_user),
    )
    assert answer.status_code == 200, answer.content
    assert [r.trial_id for r in stored_records()] == ["old2020"]


def test_a_correction_in_the_admin_makes_an_approved_trial_a_draft_again(
    clinician: User, other_clinician: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    trial = _add(clinician)
    assert _api_review(other_clinician, "approve", NOTE).status_code == 200
    assert _pain_k() == 5
    effects = list(trial.effects.order_by("outcome"))
    form: dict[str, str] = {
        "trial_id": "pin2027",
        "label": "Pin 2027",
        "year": "2026",
        "kind": "rct_parallel",
        "n": "120",
        "dose": "",
        "citation": "Pin P. Test J 2026;5:1-9.",
        "doi": "10.1000/pin",
        "url": "",
        "effects-TOTAL_FORMS": "2",
        "effects-INITIAL_FORMS": "2",
        "effects-MIN_NUM_FORMS": "1",
        "effects-MAX_NUM_FORMS": "1000",
    }
    for i, e in enumerate(effects):
        form.update(
            {
                f"effects-{i}-id": str(e.pk),
                f"effects-{i}-trial": str(trial.pk),
                f"effects-{i}-outcome": e.outcome,
                f"effects-{i}-yi": "-0.5" if e.outcome == "pain" else str(e.yi),
                f"effects-{i}-vi": str(e.vi),
                f"effects-{i}-reported_what": e.reported_what,
                f"effects-{i}-reported_value": e.reported_value,
                f"effects-{i}-how": e.how,
            }
        )
    response = client_for(admin_user).post(f"/admin/evidence/storedtrial/{trial.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    trial.refresh_from_db()
    assert (trial.review, trial.reviewed_by, trial.review_change) == (Review.DRAFT, None, [])
    assert _pain_k() == 4
    event = AuditEvent.objects.get(action="evidence.trial_changed")
    assert event.detail is not None
    assert event.detail["review"] == "draft"
