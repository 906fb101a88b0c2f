"""A clinician-added trial links to its primary source (issue 16, item 1).

It needs a DOI, PubMed id or trial-registry id, each checked for its form, on the form, in the API
and in the admin (refused with a message saying what to give, nothing written otherwise); the URL
stays as where the numbers were read. A draft without one cannot be approved; an approved trial
without one (approved before one was required) is held out of every summary with a warning. Once
approved, every pooled number of the trial links to its primary source on the pages and in the
summary JSON, like a shipped trial's.

Pinned addresses (built from the identifier alone, :mod:`lowdose.evidence.provenance`):
ClinicalTrials.gov NCT04270877 → https://clinicaltrials.gov/study/NCT04270877; PMID 19453963 →
https://pubmed.ncbi.nlm.nih.gov/19453963/; DOI 10.1000/matrix → https://doi.org/10.1000/matrix.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.evidence.models import Review, StoredEffect, StoredTrial
from apps.evidence.queries import stored_records
from apps.evidence.tests.access_routes import FORM_BODY, TRIAL_BODY
from apps.evidence.tests.reviewing import admin_form, api_headers, approve, post_trial, stored_trial
from lowdose.evidence import summarize

pytestmark = pytest.mark.django_db

NCT = "https://clinicaltrials.gov/study/NCT04270877"
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/19453963/"
NOTE = "Checked every number against the paper."


def _legacy(**fields: Any) -> StoredTrial:
    """A row as stored before identifiers were required: a page read, no DOI/PMID/registry id."""
    return stored_trial(url="https://example.org/old2020", **fields)


# -- the add-a-trial page -------------------------------------------------------------------------


def test_the_form_refuses_a_trial_with_only_the_page_it_was_read_at(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    body = {**FORM_BODY, "registry_id": ""}
    response = client_for(clinician).post("/evidence/trials/new/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Where to check it: give the trial&#x27;s DOI, PubMed id or trial-registry id" in html
    assert 'id="field-doi" name="doi" aria-invalid="true"' in html
    assert 'value="https://example.org/form2027"' in html  # what was typed is kept
    assert StoredTrial.objects.count() == 0
    assert not AuditEvent.objects.filter(action="evidence.trial_added").exists()


def test_the_form_refuses_a_malformed_registry_id_in_its_own_words(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    body = {**FORM_BODY, "registry_id": "NCT123"}
    response = client_for(clinician).post("/evidence/trials/new/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“Trial-registry id” &#x27;NCT123&#x27; is not a trial-registry id" in html
    assert "&#x27;registry_id&#x27;" not in html  # the form's words, not the field's name
    assert StoredTrial.objects.count() == 0


def test_a_trial_added_on_the_page_links_its_pooled_number_to_the_registry(
    clinician: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(clinician)
    body = {**FORM_BODY, "registry_id": " nct04270877 "}  # pasted: blanks, lower case
    assert client.post("/evidence/trials/new/", body).status_code == 302
    trial = StoredTrial.objects.get()
    assert trial.registry_id == "NCT04270877"
    review = client_for(admin_user).get("/evidence/review/").content.decode()
    assert f'<a href="{NCT}" rel="noopener">ClinicalTrials.gov NCT04270877</a>' in review
    approve("form2027", admin_user)
    html = client.get("/evidence/clinician/").content.decode()
    row = html.split('id="rec-pain-form2027"')[1].split("</tr>")[0]
    assert f'<td data-label="Effect (95% CI)"><a href="{NCT}" rel="noopener">-0.20</a>' in row
    assert '<a href="https://example.org/form2027" rel="noopener">[read at]</a>' in row
    assert "[ClinicalTrials.gov]" in row
    public = Client().get("/evidence/").content.decode()
    checks = public.split('id="checks"')[1].split("</ul>")[0]
    assert f'Form 2027: <a href="{NCT}" rel="noopener">ClinicalTrials.gov</a>' in checks
    assert "added by a clinician at this clinic, checked by a second" in checks


# -- the API --------------------------------------------------------------------------------------


def test_the_api_returns_the_primary_links_and_the_summary_carries_them_once_approved(
    clinician: User, admin_user: User
) -> None:
    body = copy.deepcopy(TRIAL_BODY)
    body.update(pmid="PMID: 19453963", url="https://example.org/matrix")
    response = post_trial(clinician, body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["doi"], out["pmid"], out["registry_id"]) == ("10.1000/matrix", "19453963", "")
    assert out["provenance"]["primary_url"] == "https://doi.org/10.1000/matrix"
    assert [p["url"] for p in out["provenance"]["primary"]] == [
        "https://doi.org/10.1000/matrix",
        PUBMED,
    ]
    assert out["provenance"]["read_at"] == ["https://example.org/matrix"]
    approve("matrix2027", admin_user)
    summary = Client().get("/api/v1/evidence/summary?outcome=pain", headers=api_headers(clinician))
    (record,) = [r for r in summary.json()["records"] if r["trial_id"] == "matrix2027"]
    assert record["origin"] == "clinician"
    assert record["provenance"]["primary_url"] == "https://doi.org/10.1000/matrix"
    assert record["provenance"]["source"] == "clinician-matrix2027"
    assert record["provenance"]["read_at"] == ["https://example.org/matrix"]
    # the core's JSON (what `lowdose evidence --json` prints) carries the same link
    core = summarize("pain", extra=stored_records()).to_dict()
    (same,) = [r for r in core["records"] if r["trial_id"] == "matrix2027"]
    assert same["provenance"] == record["provenance"]


def test_the_review_api_lists_a_draft_without_an_identifier_with_no_provenance(
    admin_user: User,
) -> None:
    _legacy()
    response = Client().get("/api/v1/evidence/review", headers=api_headers(admin_user))
    (draft,) = response.json()
    assert (draft["trial_id"], draft["provenance"]) == ("old2020", None)


# -- review: approve refused without an identifier (fail closed) ----------------------------------


def test_a_draft_without_an_identifier_cannot_be_approved_but_can_be_rejected(
    admin_user: User, client_for: Callable[..., Client]
) -> None:
    trial = _legacy()
    before = summarize("pain", extra=stored_records()).to_dict()["randomised"]
    answer = Client().post(
        "/api/v1/evidence/trials/old2020/review",
        {"decision": "approve", "note": NOTE},
        content_type="application/json",
        headers=api_headers(admin_user),
    )
    assert answer.status_code == 400
    assert answer.json()["field"] == "decision"
    assert answer.json()["detail"].startswith(
        "Old 2020 cannot be approved: it has no identifier, so its numbers would link to no "
        "primary source. The clinic admin adds its DOI, PubMed id or trial-registry id"
    )
    trial.refresh_from_db()
    assert (trial.review, trial.reviewed_by) == (Review.DRAFT, None)
    assert not AuditEvent.objects.filter(action="evidence.trial_approved").exists()
    assert summarize("pain", extra=stored_records()).to_dict()["randomised"] == before
    client = client_for(admin_user)
    page = client.get("/evidence/review/").content.decode()
    section = page.split(f'id="draft-{trial.pk}"')[1].split("</section>")[0]
    assert "It cannot be approved yet:" in section
    assert 'value="approve"' not in section
    assert 'value="reject"' in section
    refused = client.post(f"/evidence/review/{trial.pk}/", {"decision": "approve", "note": NOTE})
    assert refused.status_code == 400
    assert "cannot be approved: it has no identifier" in refused.content.decode()
    rejected = client.post(f"/evidence/review/{trial.pk}/", {"decision": "reject", "note": NOTE})
    assert rejected.status_code == 302
    trial.refresh_from_db()
    assert trial.review == Review.REJECTED


def test_a_draft_whose_doi_is_malformed_says_so(admin_user: User) -> None:
    _legacy(doi="10.1/old")  # the registrant code has 4-9 digits: not a DOI
    answer = Client().post(
        "/api/v1/evidence/trials/old2020/review",
        {"decision": "approve", "note": NOTE},
        content_type="application/json",
        headers=api_headers(admin_user),
    )
    assert answer.status_code == 400
    assert "its identifier '10.1/old' is not of a known form" in answer.json()["detail"]


def test_an_approved_trial_without_an_identifier_is_held_out_with_a_warning(
    admin_user: User, clinician: User, client_for: Callable[..., Client]
) -> None:
    """A trial approved before identifiers were required stays out of every summary."""
    _legacy(review=Review.APPROVED, reviewed_by=clinician, reviewed_at=timezone.now())
    assert stored_records() == ()
    shipped = summarize("pain").randomised
    assert shipped is not None
    assert shipped.k == 4
    html = client_for(clinician).get("/evidence/clinician/").content.decode()
    assert 'id="rec-pain-old2020"' not in html
    source = html.split('id="src-clinician-old2020"')[1].split("</li>")[0]
    assert "No primary source: no DOI, PubMed id or trial-registry id was given" in source
    public = Client().get("/evidence/").content.decode()
    change = public.split('id="change-old2020"')[1].split("</li>")[0]
    assert "No primary source: it has no DOI, PubMed id or trial-registry id" in change
    assert "held out of the numbers on this page" in change


# -- the admin ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trial", "says"),
    [
        ({}, "give at least one of “DOI”, “PubMed id” or “Trial-registry id” (a DOI, a PubMed id"),
        ({"pmid": "PMC"}, "“PubMed id” &#x27;PMC&#x27; is not a PubMed id"),
        ({"doi": "NCT04270877"}, "is not a DOI (10.xxxx/…) but an id for the ClinicalTrials.gov"),
    ],
)
def test_the_admin_refuses_a_trial_without_a_valid_identifier(
    admin_user: User, client_for: Callable[..., Client], trial: dict[str, str], says: str
) -> None:
    response = client_for(admin_user).post(
        "/admin/evidence/storedtrial/add/", admin_form({"pmid": "", **trial})
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert StoredTrial.objects.count() == 0
    assert StoredEffect.objects.count() == 0
    assert not AuditEvent.objects.filter(action="evidence.trial_added").exists()


def test_the_admin_adds_an_identifier_to_a_held_out_trial_and_it_goes_back_for_review(
    admin_user: User, clinician: User, client_for: Callable[..., Client]
) -> None:
    trial = _legacy(review=Review.APPROVED, reviewed_by=clinician, reviewed_at=timezone.now())
    effect = trial.effects.get()
    form = admin_form({"trial_id": "old2020", "label": "Old 2020", "year": "2020"})
    form.update(
        {
            "effects-INITIAL_FORMS": "1",
            "effects-0-id": str(effect.pk),
            "effects-0-trial": str(trial.pk),
            "effects-0-yi": "-0.5",
        }
    )
    response = client_for(admin_user).post(f"/admin/evidence/storedtrial/{trial.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    trial.refresh_from_db()
    assert (trial.pmid, trial.review) == ("19453963", Review.DRAFT)
    assert stored_records() == ()  # a draft again: pooled only once a second person approves
    approve("old2020", admin_user)  # no known author: the clinic admin reviews it
    (record,) = stored_records()
    assert record.provenance is not None
    assert record.provenance.primary_url == PUBMED
    assert record.provenance.read_at == ("https://example.org/admin2027",)


# -- re-adding a rejected id ----------------------------------------------------------------------


def test_re_adding_a_rejected_id_says_when_it_was_rejected_and_how_to_resubmit(
    clinician: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    assert post_trial(clinician, TRIAL_BODY).status_code == 201
    StoredTrial.objects.filter(trial_id="matrix2027").update(
        review=Review.REJECTED,
        reviewed_by=admin_user,
        reviewed_at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
        review_note="The SMD sign is reversed.",
    )
    response = post_trial(clinician, TRIAL_BODY)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "trial_id 'matrix2027' was rejected on 2026-11-30 (the reason is on the review "
        "page); to submit a corrected version, add it under a new id such as 'matrix2027-2', or "
        "ask the clinic admin to correct the rejected one (a corrected trial goes back for "
        "review).",
        "field": "trial_id",
    }
    corrected = {**copy.deepcopy(TRIAL_BODY), "trial_id": "matrix2027-2"}
    assert post_trial(clinician, corrected).status_code == 201
    page = client_for(clinician).get("/evidence/review/").content.decode()
    assert 'To submit a corrected version, <a href="/evidence/trials/new/">add it again</a>' in page


def test_re_adding_a_draft_id_says_it_is_waiting(clinician: User) -> None:
    assert post_trial(clinician, TRIAL_BODY).status_code == 201
    response = post_trial(clinician, TRIAL_BODY)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "trial_id 'matrix2027' is already waiting for review (added "
    )


# -- navigation -----------------------------------------------------------------------------------


def test_the_navigation_shows_the_trials_waiting_for_review(
    clinician: User,
    other_clinician: User,
    admin_user: User,
    patient: Any,
    client_for: Callable[..., Client],
) -> None:
    assert post_trial(clinician, TRIAL_BODY).status_code == 201
    link = '<a href="/evidence/review/">Trials to review'
    for reviewer in (other_clinician, admin_user):
        html = client_for(reviewer).get("/evidence/").content.decode()
        assert (
            f'{link} <span class="count" aria-label="1 waiting for your review">1</span></a>'
            in html
        )
    own = client_for(clinician).get("/evidence/").content.decode()
    assert f"{link}</a>" in own  # the author's own draft is not theirs to review
    assert link not in client_for(patient.user).get("/evidence/").content.decode()


def test_the_migration_keeps_the_bare_doi_of_a_pasted_link() -> None:
    from django.apps import apps

    migration = importlib.import_module("apps.evidence.migrations.0003_trial_identifiers")
    pasted = _legacy(doi="https://doi.org/10.1000/old")
    kept = StoredTrial.objects.create(
        trial_id="kept", label="Kept", year=2020, kind="rct_parallel", citation="K.", doi="x/1"
    )
    migration.bare_dois(apps, None)
    pasted.refresh_from_db()
    kept.refresh_from_db()
    assert (pasted.doi, kept.doi) == ("10.1000/old", "x/1")  # the rest is left for a person
    assert pasted.provenance() is not None
    assert kept.provenance() is None
