"""Screening rules: opioid-free windows at their exact boundaries, conditions, surgery, signing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lowdose.errors import InputError
from lowdose.safety import (
    CautionReasonRequiredError,
    ContraindicationError,
    StoppedMedication,
    check_prescribable,
    screen,
    wallet_card,
)

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "safety_screening_cases.json").read_text()
)


@pytest.mark.parametrize(
    "case", REF["opioid_free_interval"]["cases"], ids=lambda c: f"{c['stopped']}-{c['days_ago']}"
)
def test_stopped_opioid_window_boundaries(case: dict[str, Any]) -> None:
    res = screen(stopped=[f"{case['stopped']}:{case['days_ago']}"])
    assert res.status == case["status"]
    (f,) = res.findings
    assert f.code == case["code"]
    assert f.source


def test_stopped_structured_and_string_forms_agree() -> None:
    a = screen(stopped=[StoppedMedication("methadone", 13)])
    b = screen(stopped=["methadone:13"])
    assert a.to_dict() == b.to_dict()
    assert "Wait 1 more day(s)" in a.findings[0].message


def test_stopped_non_opioid_raises_nothing() -> None:
    assert screen(stopped=["metformin:1", "loperamide:0"]).findings == ()


def test_still_taking_and_stopped_both_reported() -> None:
    res = screen(["tramadol"], stopped=["oxycodone:20"])
    assert res.status == "contraindicated"
    assert {f.code for f in res.findings} == {"opioid-current", "opioid-stopped-cleared"}


@pytest.mark.parametrize("text", ["tramadol", "tramadol:", ":5", "tramadol:-1", "tramadol:x"])
def test_bad_stopped_format(text: str) -> None:
    with pytest.raises(InputError) as exc:
        screen(stopped=[text])
    assert exc.value.field == "stopped"


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


def test_status_is_worst_and_contraindications_listed_first() -> None:
    res = screen(["Antabuse", "pregabalin", "Norco"], conditions=["pregnancy"])
    assert res.status == "contraindicated"
    assert [f.severity for f in res.findings][:1] == ["contraindicated"]
    assert not res.can_sign


def test_empty_screen_is_ok() -> None:
    res = screen()
    assert (res.status, res.findings) == ("ok", ())
    check_prescribable(res)


def test_signing_rules() -> None:
    with pytest.raises(ContraindicationError, match="opioid-current"):
        check_prescribable(screen(["oxycodone"]))
    caution = screen(conditions=["pregnancy"])
    with pytest.raises(CautionReasonRequiredError) as exc:
        check_prescribable(caution, "  ")
    assert exc.value.field == "caution_reason"
    check_prescribable(caution, "discussed with obstetrician; benefits outweigh risks")


def test_opioid_blocks_then_allows_once_stopped_long_enough() -> None:
    assert screen(["tramadol 50 mg"]).status == "contraindicated"
    assert screen(stopped=["tramadol 50 mg:10"]).status == "ok"


def test_to_dict_shape() -> None:
    d = screen(["Percocet"], stopped=["methadone:3"]).to_dict()
    json.dumps(d)
    assert set(d) >= {"status", "findings"}
    for f in d["findings"]:
        assert set(f) >= {"code", "severity", "message", "matched", "source"}


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
