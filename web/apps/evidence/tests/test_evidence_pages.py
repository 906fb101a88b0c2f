"""The evidence pages print the core's numbers (to the printed precision), the generated verdict,
the forest plot spec and a link from every number to its source."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.evidence.models import StoredEffect, StoredTrial
from apps.evidence.queries import stored_records
from apps.evidence.tests.access_routes import FORM_BODY
from apps.evidence.tests.reviewing import approve
from lowdose.evidence import comparison_table, sources, summarize

pytestmark = pytest.mark.django_db


def _two(x: float) -> str:
    return f"{x:.2f}"


def test_patient_page_is_public_and_prints_the_pooled_pain_smd_of_the_core() -> None:
    core = summarize("pain")
    res = core.randomised
    assert res is not None
    html = Client().get("/evidence/").content.decode()
    # Shipped data today: SMD -0.16 (95% CI -0.58 to 0.27), prediction interval -0.86 to 0.55.
    assert f'<strong id="pain-smd">{_two(res.estimate)}</strong>' in html
    assert _two(res.estimate) == "-0.16"
    assert f'<span id="pain-ci">{_two(res.ci_low)} to {_two(res.ci_high)}</span>' in html
    assert f'<span id="pain-pi">{_two(res.pi_low)} to {_two(res.pi_high)}</span>' in html
    assert core.verdict.text in html.replace("&#x27;", "'")


def test_patient_page_embeds_the_cores_forest_plot_with_the_prediction_interval() -> None:
    html = Client().get("/evidence/").content.decode()
    pattern = r'<script id="forest-spec" type="application/json">(.*?)</script>'
    match = re.search(pattern, html, re.S)
    assert match is not None
    spec = json.loads(match.group(1))
    core = json.loads(json.dumps(summarize("pain").forest_spec()))
    assert spec["width"] == "container"  # only the layout is adapted to a phone
    assert {k: v for k, v in spec.items() if k not in ("width", "autosize")} == {
        k: v for k, v in core.items() if k != "width"
    }
    assert 'data-vega-spec="forest-spec"' in html
    assert "<script>" not in html  # CSP: no inline code


def test_patient_page_shows_ldn_beside_the_comparators(client_for: Callable[..., Client]) -> None:
    html = Client().get("/evidence/").content.decode()
    for row in comparison_table():
        assert row.drug in html
    ldn = comparison_table()[0]
    assert ldn.nnt is not None
    assert f"{ldn.nnt:.1f}" in html  # 5.9 from FINAL 2024's counts


def test_patient_sees_links_to_their_own_check_ins(
    patient: Patient, client_for: Callable[..., Client]
) -> None:
    html = client_for(patient.user).get("/evidence/").content.decode()
    assert f'href="/patients/{patient.pk}/checkin/"' in html
    assert "/evidence/clinician/" not in html


def test_clinician_page_prints_every_outcome_and_links_numbers_to_sources(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    html = client_for(clinician).get("/evidence/clinician/").content.decode()
    pain = summarize("pain").randomised
    assert pain is not None
    assert f'id="est-pain">{_two(pain.estimate)}</a>' in html
    assert f'<span id="pi-pain">{_two(pain.pi_low)} to {_two(pain.pi_high)}</span>' in html
    assert f"I² = {pain.I2:.0f}%" in html  # 49%
    ae = summarize("adverse_events").randomised
    assert ae is not None  # shown as a ratio: RR 0.97 (0.87 to 1.08)
    assert 'id="est-adverse_events">0.97</a>' in html
    # every source anchor a number links to exists
    anchors = set(re.findall(r'href="#src-([^"]+)"', html))
    targets = set(re.findall(r'id="src-([^"]+)"', html))
    assert anchors
    assert anchors <= targets
    assert set(sources()) <= targets
    assert "https://doi.org/10.1016/S2665-9913(23)00278-3" in html  # FINAL 2024
    assert 'data-vega-spec="cumulative-spec-pain"' in html


def test_cumulative_table_shows_the_picture_moving(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    html = client_for(clinician).get("/evidence/clinician/").content.decode()
    first = summarize("pain").cumulative[0]  # Younger 2013 alone: -0.49 (-0.88 to -0.09)
    assert f"{_two(first.estimate)}</a> ({_two(first.ci_low)} to {_two(first.ci_high)})" in html


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("anonymous", "/evidence/"),
        ("patient", "/evidence/"),
        ("pharmacist", "/evidence/"),
        ("clinician", "/evidence/clinician/"),
        ("admin", "/evidence/clinician/"),
    ],
)
def test_every_role_has_an_evidence_link_to_the_page_it_may_open(
    who: str,
    target: str,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    admin_user: User,
    client_for: Callable[..., Client],
) -> None:
    user = {
        "anonymous": None,
        "patient": patient.user,
        "pharmacist": pharmacist,
        "clinician": clinician,
        "admin": admin_user,
    }[who]
    client = client_for(user)
    html = client.get("/evidence/").content.decode()
    assert f'<a href="{target}">Evidence</a>' in html
    assert client.get(target).status_code == 200


def test_clinician_adds_a_trial_on_the_page_and_sees_it_pooled_once_approved(
    clinician: User, admin_user: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(clinician)
    response = client.post("/evidence/trials/new/", FORM_BODY)
    assert response.status_code == 302
    assert response["Location"] == "/evidence/review/"
    effect = StoredEffect.objects.get()
    assert effect.derived
    assert effect.how.startswith("[derived] SE = (upper - lower)")
    html = client.get("/evidence/review/").content.decode()
    assert "Form 2027 saved as a draft." in html
    assert "waiting for another clinician or the clinic admin" in html
    approve("form2027", admin_user)
    html = client.get("/evidence/clinician/").content.decode()
    pain = summarize("pain", extra=stored_records()).randomised
    assert pain is not None
    assert pain.k == 5
    assert f'id="est-pain">{pain.estimate:.2f}</a>' in html
    assert AuditEvent.objects.filter(action="evidence.trial_added", actor_username="clinician")


def test_a_malformed_form_is_shown_again_with_the_message_and_saves_nothing(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    body = {**FORM_BODY, "ci_low": "0.5"}  # CI low above the estimate and CI high
    response = client_for(clinician).post("/evidence/trials/new/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fix this answer" in html
    assert "The outcome: CI lower bound 0.5 is not below" in html
    assert 'value="Form 2027"' in html  # what was typed is kept
    assert StoredTrial.objects.count() == 0
    assert not AuditEvent.objects.filter(action="evidence.trial_added").exists()


def test_every_missing_answer_is_named_at_once_by_its_label(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    body = {**FORM_BODY, "trial_id": "", "citation": "", "estimate": "", "ci_low": ""}
    body.update(derived="on", yi="", vi="", how="")
    response = client_for(clinician).post("/evidence/trials/new/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fix these 4 answers" in html
    for message in (
        "Id: this is needed.",
        "Citation: this is needed.",
        "The outcome: give the estimate with its CI low and CI high, or yi and vi.",
        "How they were obtained: say how",
    ):
        assert message in html
    for field in ("trial_id", "citation", "estimate", "how"):
        tag = html.split(f'id="field-{field}"')[1].split(">")[0]
        assert 'aria-invalid="true"' in tag, field
    assert StoredTrial.objects.count() == 0


def test_verdicts_name_their_rules_in_words_each_explained_on_the_page(
    client_for: Callable[..., Client], clinician: User
) -> None:
    from lowdose.evidence.verdict import RULE_WORDS

    page = client_for(clinician).get("/evidence/clinician/").content.decode()
    explained = page.split('id="how-verdicts"')[1].split("</section>")[0].casefold()
    for code, words in RULE_WORDS.items():
        assert words.casefold() in explained, code
        if "_" in code:  # one-word codes ("size", "worse") are ordinary words too
            assert code not in page, code
    # the pain verdict's rules, in words, as the core fired them
    pain = summarize("pain")
    assert f"(rules: {'; '.join(pain.verdict.rule_labels)})" in page
    assert "randomised crossover" in page  # a design in words, not rct_crossover
    assert "NOT FOUND" not in page
    assert "not found in the sources read" in page


def test_an_outcome_with_one_trial_says_what_one_trial_cannot_estimate(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    # mood rests on one randomised trial: no τ² and no Knapp–Hartung interval (issue 16)
    mood = summarize("mood").randomised
    assert mood is not None
    assert mood.k == 1
    html = client_for(clinician).get("/evidence/clinician/").content.decode()
    section = html.split('id="outcome-mood"')[1].split("</section>")[0]
    notes = re.findall(r'<small class="not-estimable">([^<]*)</small>', section)
    assert len(notes) == 2
    assert notes[0].startswith("The variation between studies (τ²) cannot be estimated")
    assert "Knapp–Hartung interval cannot be estimated from one study" in notes[1]
    pain = html.split('id="outcome-pain"')[1].split("</section>")[0]
    assert "not-estimable" not in pain  # four trials: everything is estimable
