"""Adding a trial through the API or the admin stores a draft; once a second person approves it,
every summary changes on the next request; malformed input is refused with a message and
changes nothing; additions are audited."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.evidence.models import StoredEffect, StoredTrial
from apps.evidence.queries import stored_records
from apps.evidence.tests.access_routes import TRIAL_BODY
from apps.evidence.tests.reviewing import admin_form, api_headers, approve, post_trial
from lowdose.evidence import summarize

pytestmark = pytest.mark.django_db

URL = "/api/v1/evidence/trials"


def _summary(user: User, outcome: str = "pain") -> dict[str, Any]:
    response = Client().get(
        f"/api/v1/evidence/summary?outcome={outcome}", headers=api_headers(user)
    )
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def test_summary_api_equals_the_core_for_the_shipped_data(patient: Patient) -> None:
    data = _summary(patient.user)  # type: ignore[arg-type]
    core = summarize("pain").to_dict()
    assert data["randomised"]["estimate"] == pytest.approx(core["randomised"]["estimate"], abs=0)
    assert round(data["randomised"]["estimate"], 2) == -0.16
    assert data["randomised"]["pi_low"] == pytest.approx(core["randomised"]["pi_low"], abs=0)
    assert data["verdict"]["text"] == core["verdict"]["text"]
    assert [c["added"] for c in data["cumulative"]] == [
        "Younger 2013",
        "Bested 2023",
        "FINAL 2024",
        "INNOVA 2025",
    ]


def test_unknown_outcome_is_a_400_naming_the_choices(patient: Patient) -> None:
    response = Client().get(
        "/api/v1/evidence/summary?outcome=happiness",
        headers=api_headers(patient.user),  # type: ignore[arg-type]
    )
    assert response.status_code == 400
    assert "pain_nrs" in response.json()["detail"]
    assert response.json()["field"] == "outcome"


def test_an_approved_trial_changes_the_summary_on_the_next_request(
    clinician: User, admin_user: User, patient: Patient
) -> None:
    before = _summary(patient.user)  # type: ignore[arg-type]
    body = copy.deepcopy(TRIAL_BODY)
    body["effects"] = [
        {
            "outcome": "pain",
            "yi": -0.9,
            "vi": 0.02,
            "reported_what": "pain SMD",
            "reported_value": "-0.9",
        },
        {  # a ratio as published with its CI: lowdose derives log RR and its variance
            "outcome": "adverse_events",
            "estimate": 1.2,
            "ci_low": 0.9,
            "ci_high": 1.6,
            "reported_what": "any adverse event RR",
            "reported_value": "1.2 (0.9 to 1.6)",
        },
    ]
    response = post_trial(clinician, body)
    assert response.status_code == 201, response.content
    assert response.json()["effects"][0]["outcome"] in ("adverse_events", "pain")
    assert response.json()["review"] == "draft"
    assert _summary(patient.user) == before  # type: ignore[arg-type]  # a draft changes nothing

    approve("matrix2027", admin_user)
    after = _summary(patient.user)  # type: ignore[arg-type]
    assert after["randomised"]["k"] == before["randomised"]["k"] + 1 == 5
    assert "Matrix 2027" in after["randomised"]["studies"]
    expected = summarize("pain", extra=stored_records())
    assert expected.randomised is not None
    assert after["randomised"]["estimate"] == pytest.approx(expected.randomised.estimate)
    assert after["randomised"]["estimate"] < before["randomised"]["estimate"] - 0.1
    assert after["cumulative"][-1]["added"] == "Matrix 2027"
    # the adverse-event number feeds the harms of every summary, derived from the CI
    harms = after["harms"]["adverse_events"]
    assert harms["k"] == 3
    effect = StoredEffect.objects.get(outcome="adverse_events")
    assert effect.derived
    assert effect.yi == pytest.approx(math.log(1.2))
    se = (math.log(1.6) - math.log(0.9)) / (2 * 1.959963984540054)
    assert effect.vi == pytest.approx(se**2, rel=1e-9)
    assert effect.how.startswith("[derived] SE = (upper - lower)")
    event = AuditEvent.objects.get(action="evidence.trial_added")
    assert event.actor_username == "clinician"
    assert event.patient_id is None
    assert event.object_type == "StoredTrial"


def test_the_pages_show_an_added_trial_with_its_source(admin_user: User, clinician: User) -> None:
    assert post_trial(admin_user, TRIAL_BODY).status_code == 201
    approve("matrix2027", clinician)
    client = Client()
    client.force_login(clinician)
    html = client.get("/evidence/clinician/").content.decode()
    assert 'id="src-clinician-matrix2027"' in html
    assert 'href="#src-clinician-matrix2027"' in html
    assert "https://doi.org/10.1000/matrix" in html
    core = summarize("pain", extra=stored_records()).randomised
    assert core is not None
    assert f'id="est-pain">{core.estimate:.2f}</a>' in html


def _bad(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(TRIAL_BODY)
    effect = changes.pop("effect", None)
    body.update(changes)
    if effect is not None:
        body["effects"] = [{**body["effects"][0], **effect}]
    return body


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (_bad(effect={"vi": -0.04}), 400, "vi must be > 0"),
        (_bad(effect={"vi": 0}), 400, "vi must be > 0"),
        (_bad(effect={"outcome": "happiness"}), 400, "unknown outcome"),
        (_bad(effect={"measure": "MD"}), 400, "pooled as SMD"),
        (_bad(effect={"vi": None}), 400, "give either 'yi' and 'vi'"),
        (_bad(effect={"estimate": 0.5, "ci_low": 0.6, "ci_high": 0.4}), 400, "give either"),
        (_bad(effect={"derived": True}), 400, "say how"),
        (_bad(trial_id="final2024"), 400, "already in the evidence base"),
        (_bad(trial_id="bad id!"), 400, "letters, digits"),
        (_bad(doi="", url=""), 400, "give at least one of 'doi', 'pmid'"),
        (_bad(doi="", url="https://x.org/a"), 400, "a 'url' alone is not enough"),
        (_bad(doi="10.1000"), 400, "'doi' '10.1000' is not a DOI (10.xxxx/…)"),
        (_bad(doi="", pmid="PMID 12a"), 400, "'pmid' 'PMID 12a' is not a PubMed id"),
        (_bad(registry_id="NCT0427087"), 400, "'registry_id' 'NCT0427087' is not a trial-"),
        (_bad(registry_id="19453963"), 400, "but an id for the PubMed record"),
        (_bad(year=1850), 400, "plausible"),
        (_bad(kind="uncontrolled"), 422, "kind"),
        (_bad(effects=[]), 422, "effects"),
    ],
)
def test_malformed_trial_input_is_refused_and_changes_nothing(
    clinician: User, body: dict[str, Any], status: int, says: str
) -> None:
    before = summarize("pain", extra=stored_records())
    events = AuditEvent.objects.count()
    response = post_trial(clinician, body)
    assert response.status_code == status, response.content
    assert says in response.json()["detail"]
    assert StoredTrial.objects.count() == 0
    assert StoredEffect.objects.count() == 0
    assert AuditEvent.objects.count() == events
    after = summarize("pain", extra=stored_records())
    assert after.randomised is not None
    assert before.randomised is not None
    assert after.randomised.estimate == before.randomised.estimate


def test_ci_with_a_reversed_order_names_the_bound(clinician: User) -> None:
    body = _bad(effect={"yi": None, "vi": None, "estimate": -0.5, "ci_low": 0.1, "ci_high": -1})
    response = post_trial(clinician, body)
    assert response.status_code == 400
    assert "not below the upper bound" in response.json()["detail"]
    assert StoredTrial.objects.count() == 0


def test_a_second_trial_with_the_same_id_is_refused(clinician: User) -> None:
    assert post_trial(clinician, TRIAL_BODY).status_code == 201
    response = post_trial(clinician, TRIAL_BODY)
    assert response.status_code == 400
    assert response.json()["field"] == "trial_id"
    assert StoredTrial.objects.count() == 1


def test_clinic_admin_adds_a_trial_in_the_admin_and_it_is_audited(
    admin_user: User, clinician: User
) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/evidence/storedtrial/add/", admin_form({"kind": "rct_crossover"})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    effect = StoredEffect.objects.get()
    assert effect.measure == "SMD"
    assert effect.how == "yi and vi as published"
    assert StoredTrial.objects.get().added_by == admin_user
    assert AuditEvent.objects.filter(action="evidence.trial_added", patient_id=None).count() == 1
    assert "Admin 2027" not in summarize("pain", extra=stored_records()).randomised.study  # type: ignore[union-attr]
    approve("admin2027", clinician)
    pain = summarize("pain", extra=stored_records()).randomised
    assert pain is not None
    assert "Admin 2027" in pain.study


@pytest.mark.parametrize(
    ("effect", "says"),
    [
        ({"vi": "-1"}, "vi must be &gt; 0"),
        ({"derived": "on"}, "must say how"),
    ],
)
def test_admin_refuses_a_malformed_number_and_saves_nothing(
    admin_user: User, effect: dict[str, str], says: str
) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/evidence/storedtrial/add/", admin_form({"kind": "rct_crossover"}, effect)
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert StoredTrial.objects.count() == 0
    assert not AuditEvent.objects.filter(action="evidence.trial_added").exists()


@pytest.mark.parametrize(
    "outcome",
    [
        "pain",
        "pain_nrs",
        "pain_responder_30",
        "fatigue",
        "mood",
        "sleep",
        "fiqr",
        "adverse_events",
        "ae_withdrawal",
    ],
)
def test_every_outcome_summary_passes_the_output_schema(outcome: str, patient: Patient) -> None:
    data = _summary(patient.user, outcome)  # type: ignore[arg-type]
    core = summarize(outcome)
    assert data["verdict"]["code"] == core.verdict.code
    if core.randomised is None:
        assert data["randomised"] is None
    else:
        assert data["randomised"]["k"] == core.randomised.k
        assert data["randomised"]["ci_high"] == pytest.approx(core.randomised.ci_high)


def test_a_race_on_the_same_id_is_a_message_not_a_crash(
    clinician: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert post_trial(clinician, TRIAL_BODY).status_code == 201
    # the second request's uniqueness check ran before the first one's row existed
    monkeypatch.setattr(
        "apps.evidence.records.StoredTrial.objects.filter",
        lambda **kw: StoredTrial.objects.none(),
    )
    response = post_trial(clinician, TRIAL_BODY)
    assert response.status_code == 400
    assert "just added by someone else" in response.json()["detail"]
    assert StoredTrial.objects.count() == 1


@pytest.mark.parametrize("role", ["patient", "clinician", "pharmacist"])
def test_summary_api_gives_every_shipped_trial_its_primary_source_and_the_awaited_trials(
    role: str, request: pytest.FixtureRequest
) -> None:
    who = request.getfixturevalue(role)
    user = who.user if role == "patient" else who
    data = _summary(user)
    by_label = {r["label"]: r["provenance"] for r in data["records"]}
    assert by_label["FINAL 2024"]["primary_url"] == "https://doi.org/10.1016/S2665-9913(23)00278-3"
    assert by_label["INNOVA 2025"]["primary_url"] == "https://clinicaltrials.gov/study/NCT04739995"
    assert all(p["primary"] and p["read_at"] for p in by_label.values())
    waiting = data["awaiting_results"]
    assert (waiting["n_trials"], waiting["participants_planned"]) == (1, 90)
    assert waiting["trials"][0]["registry_url"] == (
        "https://www.anzctr.org.au/ACTRN12623000172606.aspx"
    )


def test_summary_api_refuses_anonymous_callers() -> None:
    response = Client().get("/api/v1/evidence/summary?outcome=pain")
    assert response.status_code == 401
