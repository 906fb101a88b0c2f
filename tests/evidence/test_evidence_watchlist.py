"""The registry watch list and the per-condition summaries (issue 16, item 3)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from lowdose.cli import main
from lowdose.evidence import EvidenceInputError
from lowdose.evidence.conditions import NO_COMPLETED_TRIALS, condition_summary
from lowdose.evidence.watchlist import awaiting, registered_trials

REFERENCE = json.loads(
    (Path(__file__).parents[1] / "reference" / "evidence_provenance.json").read_text("utf-8")
)["watch_list"]


def test_planned_sizes_match_the_registry_records_read():
    got = {t.registry: t.planned for t in registered_trials()}
    assert got == {k: v["value"] for k, v in REFERENCE["planned_n"].items()}


@pytest.mark.parametrize("condition", sorted(REFERENCE["per_condition"]))
def test_awaiting_counts_trials_and_participants_per_condition(condition):
    w = awaiting(condition)
    expected = REFERENCE["per_condition"][condition]
    assert (w.n_trials, w.participants_planned) == (
        expected["trials"],
        expected["participants_planned"],
    )
    assert w.checked == date.fromisoformat(REFERENCE["checked"])
    s = "" if expected["trials"] == 1 else "s"
    assert w.words == (
        f"awaiting results: {expected['trials']} trial{s}, "
        f"{expected['participants_planned']} participants planned"
    )


def test_every_watched_trial_links_to_its_registry_and_sources_each_fact():
    for t in registered_trials():
        assert t.registry_url.startswith(
            ("https://clinicaltrials.gov/study/NCT", "https://www.anzctr.org.au/ACTRN")
        )
        assert t.planned_n.source.startswith("http")
        assert t.status.source.startswith("http")
        assert t.read_at


def test_an_unverified_status_stays_marked_unverified():
    crps = next(t for t in registered_trials() if t.registry == "NCT06306157")
    assert crps.status.verified is False
    assert crps.planned_n.verified is True


def test_unknown_condition_says_which_to_use():
    with pytest.raises(EvidenceInputError, match="long_covid"):
        awaiting("migraine")


@pytest.mark.parametrize("condition", ["long_covid", "me_cfs", "crps"])
def test_a_condition_without_completed_trials_gets_no_pooled_verdict(condition):
    cs = condition_summary(condition)
    assert cs.summary is None
    assert cs.verdict_code == NO_COMPLETED_TRIALS
    assert "No completed randomised trial" in cs.verdict_text
    assert f"{cs.awaiting.participants_planned} participants planned" in cs.verdict_text


def test_fibromyalgia_keeps_its_pooled_verdict_beside_what_is_awaited():
    cs = condition_summary("fibromyalgia")
    assert cs.summary is not None
    assert cs.summary.randomised is not None
    assert cs.verdict_code == cs.summary.verdict.code != NO_COMPLETED_TRIALS
    assert cs.awaiting.participants_planned == 90


def test_cli_condition_json_lists_the_awaited_trials(capsys):
    assert main(["evidence", "--condition", "long_covid", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"]["code"] == NO_COMPLETED_TRIALS
    regs = [t["registry"] for t in data["awaiting_results"]["trials"]]
    assert regs == ["NCT05430152", "ACTRN12624001162505"]
    assert data["awaiting_results"]["participants_planned"] == 216


def test_pain_json_says_how_much_is_awaited(capsys):
    assert main(["evidence", "--outcome", "pain", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["awaiting_results"]["words"] == "awaiting results: 1 trial, 90 participants planned"


def test_every_registered_study_without_results_is_on_the_watch_list():
    from lowdose.evidence import sources, trials

    watched = {t.registry for t in registered_trials()}
    for trial in trials().values():
        if trial.kind == "registered_no_results":
            assert sources()[trial.source].registry in watched, trial.id
