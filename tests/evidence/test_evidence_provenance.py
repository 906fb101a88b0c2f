"""Primary sources (issue 16, item 1): every trial is checkable at its DOI, PubMed or registry
record, and every pooled number in the JSON carries that link beside the page it was read at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lowdose.cli import main
from lowdose.evidence import EvidenceInputError, sources, summarize, trials
from lowdose.evidence.provenance import identifier_kind, primary_url, trial_provenance

REFERENCE = json.loads(
    (Path(__file__).parents[1] / "reference" / "evidence_provenance.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", REFERENCE["url_patterns"]["cases"], ids=lambda c: c["identifier"])
def test_primary_url_is_built_from_the_identifier(case):
    assert identifier_kind(case["identifier"]) == case["kind"]
    assert primary_url(case["identifier"]) == case["url"]


@pytest.mark.parametrize("bad", REFERENCE["url_patterns"]["rejected"])
def test_an_unrecognised_identifier_is_refused_with_what_to_give(bad):
    with pytest.raises(EvidenceInputError, match="DOI"):
        primary_url(bad)


def test_every_trial_has_a_doi_pmid_or_registry_id():
    missing = [t.id for t in trials().values() if not sources()[t.source].identified]
    assert missing == []


@pytest.mark.parametrize("trial_id", sorted(REFERENCE["trials"]))
def test_trial_identifiers_match_the_pages_checked(trial_id):
    expected = REFERENCE["trials"][trial_id]
    src = sources()[trials()[trial_id].source]
    for field in ("doi", "pmid", "registry"):
        if field in expected:
            assert getattr(src, field) == expected[field], field


def test_innova_journal_stays_flagged_uncertain():
    src = sources()["innova"]
    assert src.doi is None
    assert src.pmid is None
    assert "UNCERTAIN" in src.citation
    assert "UNCERTAIN" in src.note


def test_pain_json_carries_a_primary_source_for_every_pooled_trial(capsys):
    assert main(["evidence", "--outcome", "pain", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    got = {r["label"]: r["provenance"]["primary_url"] for r in data["records"]}
    assert got == REFERENCE["pain_pooled_primary_url"]
    for rec in data["records"]:
        ids = {link["kind"] for link in rec["provenance"]["primary"]}
        assert ids & {"doi", "pmid", "nct", "actrn", "isrctn", "euctr"}
        # where it was read stays, as secondary provenance
        assert rec["provenance"]["read_at"]
        assert rec["provenance"]["read_at"][0] not in rec["provenance"]["primary_url"]


def test_every_pooled_record_of_every_outcome_has_a_primary_link():
    for outcome in ("pain", "pain_nrs", "fatigue", "fiqr", "adverse_events", "ae_withdrawal"):
        for rec in summarize(outcome).records:
            prov = trial_provenance(rec.trial_id)
            assert prov is not None, (outcome, rec.label)
            assert prov.primary_url, (outcome, rec.label)


def test_text_summary_lists_each_trial_at_its_source():
    text = summarize("pain").summary()
    assert "FINAL 2024: https://doi.org/10.1016/S2665-9913(23)00278-3" in text
    assert "INNOVA 2025: https://clinicaltrials.gov/study/NCT04739995" in text
