"""Properties of the screen: doses never change a status; glued digits never hide an opioid."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.safety import catalogue, screen

CASES = json.loads(
    (Path(__file__).parents[1] / "reference" / "safety_medication_cases.json").read_text("utf-8")
)["cases"]
ENTRIES = sorted({c["entry"] for c in CASES})
_CAT = catalogue()
OPIOID_NAMES = sorted(
    {i.ingredient for i in _CAT.ingredients if i.is_opioid}
    | {s for i in _CAT.ingredients if i.is_opioid for s in i.synonyms}
    | {p.name for p in _CAT.products if any(_CAT.ingredient(x).is_opioid for x in p.ingredients)}
)
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -/", min_size=1, max_size=20).filter(
    lambda s: any(c.isalpha() for c in s)
)
# A bare count right after a brand listed with numbered variants is not in this list on purpose:
# "Tylenol 1 tab" may be Tylenol No. 1 (codeine) — see test_a_bare_number_after_a_numbered_brand.
SUFFIXES = [" 5 mg bd", " 10mg", " 2 x 500 mg tds", " 25 mcg/hr patch", " tabs prn", " od"]


@settings(max_examples=300, deadline=None)
@given(entry=st.one_of(st.sampled_from(ENTRIES), WORDS), suffix=st.sampled_from(SUFFIXES))
def test_appending_a_dose_never_changes_the_status(entry: str, suffix: str) -> None:
    assert screen([entry + suffix]).status == screen([entry]).status


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(OPIOID_NAMES), digits=st.sampled_from(["10mg", "5", "30/500", "2.5mg"]))
def test_an_opioid_name_with_digits_glued_on_is_never_ok(name: str, digits: str) -> None:
    # A name ending in a digit ("Tylenol #3") takes a space: "Tylenol #310mg" reads as 310 mg.
    glue = " " if name[-1].isdigit() else ""
    assert screen([name + glue + digits]).status != "ok"


def test_the_opioid_name_list_is_substantial() -> None:
    assert len(OPIOID_NAMES) > 150


def test_a_bare_number_after_a_numbered_brand_is_read_as_the_variant() -> None:
    # Tylenol No. 1 and No. 2 (Canada) contain codeine: "Tylenol 1 tab" is never ok.
    assert screen(["Tylenol 1 tab prn"]).status == "contraindicated"
    assert screen(["Tylenol 5 tab prn"]).status == "review"  # no such variant: a person decides
    assert screen(["Tylenol 500 mg prn"]).status == "ok"  # a strength
    assert screen(["Tylenol 2 x 500 mg tds"]).status == "ok"  # a count: "2 x", not No. 2
