"""Primary sources (issue 16, item 1): every trial is checkable at its DOI, PubMed or registry
record, and every pooled number in the JSON carries that link beside the page it was read at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lowdose.cli import main
from lowdose.evidence import (
    EffectRecord,
    EvidenceInputError,
    added_provenance,
    sources,
    summarize,
    trials,
)
from lowdose.evidence.provenance import (
    PUBMED_KINDS,
    REGISTRY_KINDS,
    check_identifier,
    identifier_kind,
    primary_url,
    trial_provenance,
)

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


# -- trials added outside the shipped data (a clinician's) -------------------------------------


def _clinician_record(provenance):
    return EffectRecord(
        trial_id="smith2027",
        label="Smith 2027",
        year=2027,
        outcome="pain",
        measure="SMD",
        yi=-0.3,
        vi=0.04,
        how="yi and vi as published",
        randomised=True,
        origin="clinician",
        provenance=provenance,
    )


def test_added_provenance_links_each_identifier_and_keeps_the_page_read_as_secondary():
    prov = added_provenance(
        "clinician-smith2027",
        "Smith J. Pain 2027;1:1-9.",
        ["10.1097/j.pain.0000000000009999", "", "NCT04270877"],
        ["https://example.org/abstract"],
    )
    assert [link.url for link in prov.primary] == [
        "https://doi.org/10.1097/j.pain.0000000000009999",
        "https://clinicaltrials.gov/study/NCT04270877",
    ]
    assert prov.primary_url == "https://doi.org/10.1097/j.pain.0000000000009999"
    assert prov.read_at == ("https://example.org/abstract",)


@pytest.mark.parametrize("ids", [[], ["", "  "]])
def test_added_provenance_without_an_identifier_is_refused(ids):
    with pytest.raises(EvidenceInputError, match="DOI, PubMed id") as exc:
        added_provenance("clinician-x", "X", ids, ["https://example.org/only-a-page"])
    assert exc.value.field == "identifier"


def test_a_clinician_record_without_a_primary_source_is_not_pooled():
    with pytest.raises(EvidenceInputError, match="needs its primary source"):
        summarize("pain", extra=[_clinician_record(None)])


def test_json_carries_the_primary_url_of_a_clinician_trial():
    prov = added_provenance("clinician-smith2027", "Smith 2027", ["19453963"], ["https://x.org/a"])
    out = summarize("pain", extra=[_clinician_record(prov)]).to_dict()
    (rec,) = [r for r in out["records"] if r["trial_id"] == "smith2027"]
    assert rec["provenance"]["primary_url"] == "https://pubmed.ncbi.nlm.nih.gov/19453963/"
    assert rec["provenance"]["read_at"] == ["https://x.org/a"]
    text = summarize("pain", extra=[_clinician_record(prov)]).summary()
    assert "Smith 2027: https://pubmed.ncbi.nlm.nih.gov/19453963/ (read at https://x.org/a)" in text


@pytest.mark.parametrize(
    ("text", "kinds", "expected"),
    [
        ("https://doi.org/10.1002/art.37734", ("doi",), "10.1002/art.37734"),
        ("doi: 10.1002/art.37734", ("doi",), "10.1002/art.37734"),
        ("PMID: 19453963", PUBMED_KINDS, "19453963"),
        ("pmc10189400", PUBMED_KINDS, "PMC10189400"),
        (" nct04270877 ", REGISTRY_KINDS, "NCT04270877"),
        ("ACTRN12623000172606", REGISTRY_KINDS, "ACTRN12623000172606"),
    ],
)
def test_check_identifier_accepts_pasted_forms(text, kinds, expected):
    assert check_identifier(text, kinds, "doi") == expected


@pytest.mark.parametrize(
    ("text", "kinds", "message"),
    [
        ("NCT04270877", ("doi",), "is not a DOI .* but an id for the ClinicalTrials.gov"),
        ("10.1002/art.37734", REGISTRY_KINDS, "registry id.* but an id for the article"),
        ("NCT123", REGISTRY_KINDS, "'NCT123' is not a trial-registry id"),
        ("smith 2027", PUBMED_KINDS, "is not a PubMed id"),
    ],
)
def test_check_identifier_says_what_to_give(text, kinds, message):
    with pytest.raises(EvidenceInputError, match=message) as exc:
        check_identifier(text, kinds, "registry_id")
    assert exc.value.field == "registry_id"
