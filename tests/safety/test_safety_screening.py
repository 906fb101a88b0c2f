"""Screening rules: statuses, each catalogue rule, washout and depot boundaries, resolutions,
conditions, surgery, signing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lowdose.errors import InputError
from lowdose.safety import (
    Catalogue,
    CautionReasonRequiredError,
    ContraindicationError,
    Resolution,
    ReviewRequiredError,
    ScreenBlockedError,
    StoppedMedication,
    check_prescribable,
    resolution_key,
    screen,
    wallet_card,
)

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "safety_screening_cases.json").read_text()
)


@pytest.mark.parametrize(
    "case",
    REF["opioid_free_interval"]["cases"] + REF["depot_washout"]["cases"],
    ids=lambda c: f"{c['stopped']}-{c['days_ago']}",
)
def test_stopped_opioid_boundaries(case: dict[str, Any]) -> None:
    res = screen(stopped=[f"{case['stopped']}:{case['days_ago']}"])
    assert res.status == case["status"]
    codes = {f.code for f in res.findings}
    assert case["code"] in codes
    assert all(f.source for f in res.findings)


# -- each rule, on the inline catalogue --------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "status", "code"),
    [
        ("oxycodone", "contraindicated", "opioid-current"),
        ("methadone 60 mg", "contraindicated", "opioid-current"),
        ("pholcodine linctus", "contraindicated", "opioid-current"),
        ("Lomotil", "contraindicated", "opioid-current"),
        ("Sublocade 100 mg monthly", "contraindicated", "opioid-current"),
        ("loperamide 2 mg prn", "caution", "opioid-antidiarrhoeal-peripheral"),
        ("Contrave", "contraindicated", "naltrexone-duplicate"),
        ("Lybalvi", "contraindicated", "samidorphan-current"),
        ("naloxegol", "caution", "pamora-current"),
        ("nalmefene", "caution", "nalmefene-current"),
        ("Narcan nasal spray", "caution", "naloxone-kit"),
        ("thioridazine", "caution", "interaction-thioridazine"),
        ("disulfiram", "caution", "interaction-disulfiram"),
        ("pregabalin 75mg bd", "ok", "no-opioid-found"),
        ("Zapain 30/500", "review", "medication-not-identified"),
    ],
)
def test_each_rule_current(small: Catalogue, entry: str, status: str, code: str) -> None:
    res = screen([entry], drug_catalogue=small)
    assert res.status == status
    assert res.findings[0].code == code
    assert res.findings[0].entry == entry
    assert res.findings[0].message


def test_naloxone_with_an_opioid_is_judged_by_the_opioid(small: Catalogue) -> None:
    res = screen(["Suboxone 8/2"], drug_catalogue=small)
    assert [(f.code, f.ingredient) for f in res.findings] == [("opioid-current", "buprenorphine")]


def test_duplicate_naltrexone_message_names_contrave(small: Catalogue) -> None:
    (f,) = screen(["Contrave"], drug_catalogue=small).findings
    assert "Contrave/Mysimba 8 mg per tablet" in f.message


@pytest.mark.parametrize(
    ("stopped", "status", "code"),
    [
        ("pholcodine:6", "contraindicated", "opioid-stopped-recently"),
        ("Lomotil:7", "caution", "opioid-stopped-window"),
        ("Duragesic patch:9", "caution", "opioid-stopped-window"),  # a patch: its rule's washout
        ("Duragesic patch:10", "ok", "opioid-stopped-cleared"),
        ("buprenorphine:13", "contraindicated", "opioid-stopped-recently"),
        ("loperamide:0", "ok", "stopped-no-interval"),
        ("Contrave:1", "ok", "stopped-no-interval"),
        ("metformin:1", "ok", "no-opioid-found"),
        ("Sublocade:27", "contraindicated", "opioid-depot-stopped-recently"),
        ("Sublocade:28", "review", "opioid-depot-washout-unconfirmed"),
        ("Sublocade:364", "review", "opioid-depot-washout-unconfirmed"),
        ("Sublocade:365", "caution", "opioid-depot-stopped-long-ago"),
        ("sufentanil:1", "contraindicated", "opioid-stopped-recently"),
        ("zapain:30", "review", "medication-not-identified"),
    ],
)
def test_each_rule_stopped(small: Catalogue, stopped: str, status: str, code: str) -> None:
    res = screen(stopped=[stopped], drug_catalogue=small)
    assert res.status == status
    assert [f.code for f in res.findings] == [code]


def test_depot_review_says_what_to_do(small: Catalogue) -> None:
    (f,) = screen(stopped=["Sublocade:100"], drug_catalogue=small).findings
    assert f.resolvable
    assert "persist 12 months or longer" in f.message
    assert "urine/plasma buprenorphine, naloxone challenge" in f.message
    assert "Sublocade US label" in f.message


def test_unknown_entry_review_message_is_for_people(small: Catalogue) -> None:
    res = screen(["Zapain 30/500"], drug_catalogue=small)
    (f,) = res.findings
    assert f.resolvable
    assert f.message == (
        "'Zapain 30/500' could not be identified with confidence (not recognised: 'zapain'). "
        "Name its ingredient(s) or record that it contains no opioid, with a reason; until then "
        "it blocks signing, dispensing and kit release."
    )
    assert res.review_entries == ("Zapain 30/500",)
    assert (res.blocking, res.can_sign, res.needs_reason) == (True, False, False)


def test_leftover_words_beside_a_non_opioid_need_review(small: Catalogue) -> None:
    res = screen(["paracetamol zapain"], drug_catalogue=small)
    assert res.status == "review"


def test_leftover_words_beside_an_opioid_are_shown_not_reviewed(small: Catalogue) -> None:
    res = screen(["oxycodone zapain"], drug_catalogue=small)
    assert res.status == "contraindicated"
    (f,) = res.findings
    assert "also not recognised: 'zapain'" in f.matched


# -- resolutions -------------------------------------------------------------------------------


def test_resolution_ingredients_screens_the_entry_as_named(small: Catalogue) -> None:
    res = screen(
        ["Zapain 30/500"],
        resolutions={"zapain  30/500": Resolution("ingredients", ("codeine", "paracetamol"))},
        drug_catalogue=small,
    )
    assert res.status == "contraindicated"
    (f,) = res.findings
    assert (f.code, f.ingredient) == ("opioid-current", "codeine")
    assert "as named by a clinician: codeine + paracetamol" in f.matched


def test_resolution_ingredients_non_opioid_gives_ok(small: Catalogue) -> None:
    res = screen(
        ["Brufen Zap 400"],
        resolutions={"Brufen Zap 400": Resolution("ingredients", ("ibuprofen",))},
        drug_catalogue=small,
    )
    assert res.status == "ok"
    assert "as named by a clinician: ibuprofen" in res.findings[0].matched


def test_resolution_not_opioid_is_recorded_with_its_reason(small: Catalogue) -> None:
    res = screen(
        ["Zapain 30/500"],
        resolutions={"Zapain 30/500": Resolution("not_opioid", reason="pharmacist: herbal tea")},
        drug_catalogue=small,
    )
    assert res.status == "ok"
    (f,) = res.findings
    assert (f.code, f.severity) == ("recorded-not-opioid", "info")
    assert f.message.endswith("recorded as not opioid-containing: pharmacist: herbal tea")


def test_resolution_never_downgrades_a_confident_opioid(small: Catalogue) -> None:
    res = screen(
        ["oxycodone 5 mg"],
        resolutions={"oxycodone 5 mg": Resolution("not_opioid", reason="patient says so")},
        drug_catalogue=small,
    )
    assert res.status == "contraindicated"


def test_washout_confirmed_turns_a_depot_review_into_a_caution(small: Catalogue) -> None:
    resolutions = {"Sublocade": Resolution("washout_confirmed", reason="plasma bup negative")}
    res = screen(stopped=["Sublocade:200"], resolutions=resolutions, drug_catalogue=small)
    assert res.status == "caution"
    assert res.findings[0].code == "opioid-depot-washout-confirmed"
    assert "plasma bup negative" in res.findings[0].message
    # ... but cannot shorten the 28 days, nor settle an unidentified entry
    assert screen(
        stopped=["Sublocade:27"], resolutions=resolutions, drug_catalogue=small
    ).status == ("contraindicated")
    other = {"zapain": Resolution("washout_confirmed", reason="checked")}
    assert screen(["zapain"], resolutions=other, drug_catalogue=small).status == "review"


def test_resolution_applies_to_a_stopped_unknown_entry(small: Catalogue) -> None:
    resolutions = {"zapain": Resolution("ingredients", ("codeine",))}
    assert screen(stopped=["Zapain:3"], resolutions=resolutions, drug_catalogue=small).status == (
        "contraindicated"
    )
    assert screen(stopped=["Zapain:12"], resolutions=resolutions, drug_catalogue=small).status == (
        "ok"
    )


def test_resolution_key_normalises_the_text() -> None:
    assert resolution_key("Zapain  30/500") == resolution_key("zapain 30/500") == "zapain 30 500"


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"kind": "ingredients"}, "ingredients", "at least one"),
        ({"kind": "ingredients", "ingredients": ("zzzapain",)}, "ingredients", "'zzzapain'"),
        ({"kind": "not_opioid", "reason": "  "}, "reason", "why"),
        ({"kind": "washout_confirmed"}, "reason", "confirmed"),
        ({"kind": "guess"}, "kind", "ingredients"),
    ],
)
def test_resolution_validation(kwargs: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(InputError) as exc:
        Resolution(**kwargs)
    assert exc.value.field == field
    assert fragment in str(exc.value)


def test_resolution_names_checked_against_the_screens_catalogue(small: Catalogue) -> None:
    res = Resolution("ingredients", ("paracetamol", "tapentadol"))  # shipped catalogue knows both
    with pytest.raises(InputError, match="'tapentadol'"):
        screen(["zapain"], resolutions={"zapain": res}, drug_catalogue=small)


# -- statuses and signing ------------------------------------------------------------------------


def test_status_is_worst_and_findings_worst_first(small: Catalogue) -> None:
    res = screen(["disulfiram", "zapain", "Norco"], conditions=["pregnancy"], drug_catalogue=small)
    assert res.status == "contraindicated"
    assert [f.severity for f in res.findings] == ["contraindicated", "review", "caution", "caution"]


def test_review_outranks_caution(small: Catalogue) -> None:
    assert screen(["disulfiram", "zapain"], drug_catalogue=small).status == "review"


def test_empty_screen_is_ok() -> None:
    res = screen()
    assert (res.status, res.findings) == ("ok", ())
    check_prescribable(res)


def test_signing_rules(small: Catalogue) -> None:
    with pytest.raises(ContraindicationError) as c_exc:
        check_prescribable(screen(["oxycodone", "zapain"], drug_catalogue=small))
    assert c_exc.value.result.status == "contraindicated"
    assert "oxycodone" in str(c_exc.value)
    blocked = screen(["zapain"], drug_catalogue=small)
    with pytest.raises(ReviewRequiredError) as r_exc:
        check_prescribable(blocked, caution_reason="any")
    assert isinstance(r_exc.value, ScreenBlockedError)
    assert "'zapain'" in str(r_exc.value)
    caution = screen(conditions=["pregnancy"])
    with pytest.raises(CautionReasonRequiredError) as exc:
        check_prescribable(caution, "  ")
    assert exc.value.field == "caution_reason"
    check_prescribable(caution, "discussed with obstetrician; benefits outweigh risks")


def test_to_dict_shape(small: Catalogue) -> None:
    d = screen(["Percocet", "zapain"], stopped=["methadone:3"], drug_catalogue=small).to_dict()
    json.dumps(d)
    assert d["review_entries"] == ["zapain"]
    for f in d["findings"]:
        assert set(f) == {
            "code", "severity", "message", "matched", "source", "ingredient", "entry", "resolvable"
        }  # fmt: skip


def test_stopped_structured_and_string_forms_agree() -> None:
    a = screen(stopped=[StoppedMedication("methadone", 13)])
    b = screen(stopped=["methadone:13"])
    assert a.to_dict() == b.to_dict()
    assert "Wait 1 more day(s)" in a.findings[0].message


@pytest.mark.parametrize("text", ["tramadol", "tramadol:", ":5", "tramadol:-1", "tramadol:x"])
def test_bad_stopped_format(text: str) -> None:
    with pytest.raises(InputError) as exc:
        screen(stopped=[text])
    assert exc.value.field == "stopped"


# -- conditions, surgery, wallet card -------------------------------------------------------------


@pytest.mark.parametrize("case", REF["conditions"]["cases"], ids=lambda c: c["condition"])
def test_conditions(case: dict[str, Any]) -> None:
    res = screen(conditions=[case["condition"]])
    assert res.status == case["status"]
    assert res.findings[0].source


def test_cirrhosis_message_states_exposure() -> None:
    (f,) = screen(conditions=["cirrhosis"]).findings
    assert "5-fold" in f.message
    assert "10-fold" in f.message


def test_unknown_condition() -> None:
    with pytest.raises(InputError) as exc:
        screen(conditions=["hepatitis c"])
    assert exc.value.field == "condition"
    assert "acute-hepatitis" in str(exc.value)
    assert "opioid-dependence" in str(exc.value)


@pytest.mark.parametrize(
    ("days", "fragment"), [(10, "by day 7 to 8"), (3, "inside the 2–3-day"), (0, "inside")]
)
def test_surgery(days: int, fragment: str) -> None:
    res = screen(surgery_in_days=days)
    assert res.status == "caution"
    (f,) = res.findings
    assert f.code == "planned-surgery"
    assert fragment in f.message
    assert "anaesthetist" in f.message


@pytest.mark.parametrize("days", [-1, True])
def test_bad_surgery_days(days: Any) -> None:
    with pytest.raises(InputError) as exc:
        screen(surgery_in_days=days)
    assert exc.value.field == "surgery_in_days"


def test_wallet_card() -> None:
    card = wallet_card(
        patient_name="A. Patient",
        dose_mg=Decimal("4.50"),
        prescriber="Dr B",
        prescriber_phone="555",
    )
    text = card.text()
    assert text.startswith("I take naltrexone")
    assert "4.5 mg daily" in text
    assert "Opioid pain relief may not work" in text
    assert "tell the anaesthetist" in text
    assert "Prescriber: Dr B (555)" in text
    assert card.to_dict()["sources"]
    with pytest.raises(InputError) as exc:
        wallet_card(dose_mg=Decimal("0"))
    assert exc.value.field == "dose_mg"


@pytest.mark.parametrize("days", ["²", "1²", "", "x", "-2"])
def test_a_stopped_medicine_whose_days_are_not_a_number_is_refused_not_a_crash(days: str) -> None:
    from lowdose.safety.screening import StoppedMedication

    with pytest.raises(InputError, match="NAME:DAYS_AGO"):
        StoppedMedication.parse(f"tramadol:{days}")
    assert StoppedMedication.parse("tramadol:12").days_ago == 12
