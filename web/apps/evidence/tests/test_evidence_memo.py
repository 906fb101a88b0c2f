"""The evidence summaries and charts are computed once per version of the added data
(:mod:`apps.evidence.queries`), and every change to that data shows on the next request."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.evidence import queries
from apps.evidence.models import StoredEffect, StoredTrial
from apps.evidence.tests.access_routes import FORM_BODY
from apps.evidence.tests.reviewing import approve
from lowdose.evidence import summarize

pytestmark = pytest.mark.django_db


@pytest.fixture
def summaries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The outcomes summarised from scratch (each computation appends its outcome)."""
    calls: list[str] = []

    def counted(outcome: str, **kwargs: Any) -> Any:
        calls.append(outcome)
        return summarize(outcome, **kwargs)

    monkeypatch.setattr("apps.evidence.queries.summarize", counted)
    queries.forget_summaries()
    yield calls
    queries.forget_summaries()


def _pain(page: str) -> str:
    found = re.search(r'id="est-pain">([^<]+)</a>', page)
    assert found, "the page prints the pooled pain estimate"
    return found.group(1)


def _forest_labels(page: str) -> str:
    """The pain forest plot's spec, as JSON text (its rows carry the trials' labels)."""
    found = re.search(r'<script id="forest-spec-pain" type="application/json">(.*?)</script>', page)
    assert found, "the page embeds the pain forest plot"
    return json.dumps(json.loads(found.group(1)))


def test_the_clinician_page_summarises_each_outcome_once_for_many_requests(
    summaries: list[str], clinician: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(clinician)
    first = client.get("/evidence/clinician/").content.decode()
    computed = list(summaries)
    assert "pain" in computed
    assert len(computed) == len(set(computed))  # once per outcome, not once per use
    second = client.get("/evidence/clinician/").content.decode()
    assert summaries == computed  # nothing summarised again
    assert client_for(None).get("/evidence/").status_code == 200
    assert summaries == computed
    assert _pain(second) == _pain(first)


def test_adding_changing_and_removing_a_trial_changes_the_numbers_and_the_chart(
    summaries: list[str], clinician: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(clinician)
    before = client.get("/evidence/clinician/").content.decode()
    assert "Form 2027" not in _forest_labels(before)

    strong = {**FORM_BODY, "estimate": "-1.5", "ci_low": "-2.0", "ci_high": "-1.0"}
    assert client.post("/evidence/trials/new/", strong).status_code == 302
    draft = client.get("/evidence/clinician/").content.decode()
    assert _pain(draft) == _pain(before)  # a draft is in no summary
    approve("form2027", admin_user)
    added = client.get("/evidence/clinician/").content.decode()
    expected = summarize("pain", extra=queries.stored_records()).randomised
    assert expected is not None
    assert _pain(added) == f"{expected.estimate:.2f}" != _pain(before)
    assert "Form 2027" in _forest_labels(added)
    visitor = client_for(None).get("/evidence/").content.decode()
    assert "Form 2027" in visitor

    # An edit of the stored number (the admin's change form) is a new version of the data.
    StoredEffect.objects.filter(trial__trial_id="form2027").update(yi=-2.0)
    changed = client.get("/evidence/clinician/").content.decode()
    expected = summarize("pain", extra=queries.stored_records()).randomised
    assert expected is not None
    assert _pain(changed) == f"{expected.estimate:.2f}" != _pain(added)

    # Removing it gives back the shipped summary (the first version, still memoised).
    StoredTrial.objects.all().delete()
    computed = len(summaries)
    removed = client.get("/evidence/clinician/").content.decode()
    assert _pain(removed) == _pain(before)
    assert "Form 2027" not in _forest_labels(removed)
    assert len(summaries) == computed
