"""Living summary, verdict rules, extra records, placebo response and the CLI."""

from __future__ import annotations

import json

import pytest

from lowdose.cli import main
from lowdose.evidence import (
    EffectRecord,
    EvidenceInputError,
    Outcome,
    added_provenance,
    effect_records,
    make_verdict,
    placebo_response,
    summarize,
)
from lowdose.meta import MetaAnalysis, cumulative


def test_pain_summary_pools_the_randomised_trials():
    s = summarize("pain")
    rand = [r for r in effect_records()[0] if r.outcome == "pain" and r.randomised]
    assert s.randomised is not None
    assert s.randomised.k == len(rand) == 4
    ref = MetaAnalysis(
        yi=[r.yi for r in rand], vi=[r.vi for r in rand], method="REML", test="knha"
    ).fit()
    assert s.randomised.estimate == pytest.approx(ref.estimate, abs=1e-12)
    assert s.randomised.df == 3
    assert s.all_controlled is not None
    assert s.all_controlled.k == 5  # + Younger 2009 (not randomised)
    assert [c.year[-1] for c in s.cumulative] == [2013, 2023, 2024, 2025]
    assert [r for r, _ in s.r_sensitivity] == [0.2, 0.5, 0.8]


def test_pain_verdict_is_generated_by_the_rules():
    v = summarize("pain").verdict
    assert v.code == "no_clear_difference"
    assert "picture_changed" in v.rules
    assert "size" in v.rules
    assert v.text.startswith("LDN was not clearly better than placebo for pain")


def _outcome(harm=False):
    return Outcome("x", "Pain", "SMD", "test scale", harm=harm)


def _records(ys, vs, ns=None):
    ns = ns or [100] * len(ys)
    return [
        EffectRecord(f"t{i}", f"Trial {i}", 2000 + i, "x", "SMD", y, v, "test", True, n)
        for i, (y, v, n) in enumerate(zip(ys, vs, ns, strict=True))
    ]


@pytest.mark.parametrize(
    ("ys", "vs", "code"),
    [
        ([-0.5, -0.55, -0.6, -0.5, -0.52], [0.01] * 5, "consistent_benefit"),
        ([-0.2, -1.2, -0.1, -1.0, -0.6, -0.4], [0.01] * 6, "benefit_varies"),
        ([0.5, 0.6, 0.55], [0.01] * 3, "worse"),
        ([0.3, -0.3, 0.1], [0.05] * 3, "no_clear_difference"),
    ],
)
def test_main_rules(ys, vs, code):
    recs = _records(ys, vs)
    res = MetaAnalysis(yi=ys, vi=vs, test="knha", year=[r.year for r in recs]).fit()
    assert make_verdict(_outcome(), res, recs, cumulative(res)).code == code


def test_no_data_single_trial_and_largest_trial_rules():
    assert make_verdict(_outcome(), None, []).code == "no_data"
    one = _records([-0.5], [0.01])
    res1 = MetaAnalysis(yi=[-0.5], vi=[0.01]).fit()
    assert make_verdict(_outcome(), res1, one).code == "single_trial"
    recs = _records([-0.6, -0.7, -0.65, -0.05], [0.01, 0.01, 0.01, 0.2], [40, 40, 40, 400])
    res = MetaAnalysis(yi=[r.yi for r in recs], vi=[r.vi for r in recs]).fit()
    v = make_verdict(_outcome(), res, recs)
    assert "largest_trial" in v.rules
    assert "Trial 3, n=400" in v.text


def test_harm_outcome_uses_ratio_language():
    s = summarize("adverse_events")
    assert s.verdict.code == "no_clear_difference"
    assert "ratio 0.97" in s.verdict.text


def test_clinician_and_n_of_1_records_update_the_summary():
    base = summarize("pain")
    new = EffectRecord(
        trial_id="clinic-1",
        label="Clinic trial 2026",
        year=2026,
        outcome="pain",
        measure="SMD",
        yi=-0.9,
        vi=0.02,
        how="entered by clinician from a published table",
        randomised=True,
        n=200,
        origin="clinician",
        provenance=added_provenance("clinician-clinic-1", "Clinic 2026", ["NCT04270877"]),
    )
    updated = summarize("pain", extra=[new])
    assert updated.randomised.k == base.randomised.k + 1
    assert updated.randomised.estimate < base.randomised.estimate
    assert updated.cumulative[-1].study[-1] == "Clinic trial 2026"
    wrong = EffectRecord("x", "X", 2026, "pain", "MD", -1.0, 0.1, "x", True)
    with pytest.raises(EvidenceInputError, match="convert it to SMD"):
        summarize("pain", extra=[wrong])
    # records of other outcomes are ignored, adverse events feed the harms section
    ae = EffectRecord(
        "n1", "N-of-1 series", 2026, "adverse_events", "RR", 0.5, 0.04, "x", True, origin="n_of_1"
    )
    with_ae = summarize("pain", extra=[new, ae])
    assert with_ae.randomised.k == updated.randomised.k
    harms = dict(with_ae.harms)
    assert harms["adverse_events"].k == dict(base.harms)["adverse_events"].k + 1


def test_effect_record_validates_inputs():
    with pytest.raises(EvidenceInputError, match="vi must be > 0") as exc:
        EffectRecord("x", "X", 2026, "pain", "SMD", -1.0, 0.0, "x", True)
    assert exc.value.field == "vi"
    with pytest.raises(EvidenceInputError, match="origin"):
        EffectRecord("x", "X", 2026, "pain", "SMD", -1.0, 0.1, "x", True, origin="blog")


def test_placebo_response_for_pain():
    p = placebo_response()
    assert p.mean_change == pytest.approx(-0.769)
    assert p.mean_change_ci == (-0.929, -0.610)
    assert p.responder_30_pct == 30.8
    assert p.responder_30_ci == (29.4, 32.3)
    assert [a.trial for a in p.ldn_trial_arms] == ["FINAL 2024", "INNOVA 2025", "Younger 2013"]
    assert any("Häuser" in s for s in p.sources)
    with pytest.raises(EvidenceInputError, match="available: pain"):
        placebo_response("sleep")


def test_evidence_cli_json_and_text(capsys):
    assert main(["evidence", "--outcome", "pain", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"]["code"] == "no_clear_difference"
    assert out["randomised"]["k"] == 4
    assert out["placebo_response"]["responder_30_pct"] == 30.8
    assert {r["label"] for r in out["published_reviews"]} >= {"Vatvani 2024"}
    assert main(["evidence", "--outcome", "fatigue"]) == 0
    assert "No randomised trial has reported fatigue" in capsys.readouterr().out


def test_ldn_beside_comparators_with_derived_nnt():
    from lowdose.evidence import comparison_table

    rows = comparison_table()
    ldn = rows[0]
    assert ldn.drug == "low-dose naltrexone"
    assert ldn.nnt == pytest.approx(1 / (22 / 49 - 14 / 50))
    assert ldn.nnt_ci is None  # RD CI includes 0: no finite NNT CI (Altman 1998)
    assert "[derived]" in ldn.nnt_outcome
    assert ldn.ae_withdrawal == (8.2, 6.0)
    assert {r.drug for r in rows[1:]} >= {"amitriptyline", "pregabalin", "duloxetine"}
    pregabalin = next(r for r in rows if r.drug == "pregabalin" and r.dose == "450 mg")
    assert pregabalin.nnh == 5.9
    assert "Derry" in pregabalin.source


@pytest.mark.parametrize(
    "outcome",
    ["pain", "pain_nrs", "pain_responder_30", "fatigue", "mood", "sleep", "fiqr",
     "adverse_events", "ae_withdrawal"],
)  # fmt: skip
def test_every_outcome_prints_valid_json(outcome, capsys):
    assert main(["evidence", "--outcome", outcome, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == outcome
    assert out["verdict"]["text"]


def test_summary_plot_specs():
    s = summarize("pain")
    forest = s.forest_spec()
    rows = forest["layer"][1]["data"]["values"]
    assert [r["kind"] for r in rows].count("study") == 4
    cum = s.cumulative_spec()
    assert len(cum["layer"][1]["data"]["values"]) == 4
    assert summarize("fatigue").forest_spec() is None
