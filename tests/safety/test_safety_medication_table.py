"""Every medication entry in the reference table screens as expected (shipped catalogue).

The table (``tests/reference/safety_medication_cases.json``) is written independently of the
matching code: entries as a clinic types them, the expected status for a current medication
list of that one entry, other acceptable statuses (``accept``), and the opioid, antagonist or
caution-rule ingredients the entry contains.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lowdose.safety import catalogue, identify, screen

PATH = Path(__file__).parents[1] / "reference" / "safety_medication_cases.json"
CASES: list[dict[str, Any]] = json.loads(PATH.read_text("utf-8"))["cases"] if PATH.exists() else []


def _contains_opioid(case: dict[str, Any]) -> bool:
    cat = catalogue()
    for name in case.get("ingredients", []):
        hit = cat.resolve(name)
        if hit is not None and any(i.is_opioid for i in hit):
            return True
    return False


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['group']}:{c['entry']}")
def test_reference_entry(case: dict[str, Any]) -> None:
    res = screen([case["entry"]])
    allowed = {case["status"], *case.get("accept", [])}
    assert res.status in allowed, [f.matched or f.message for f in res.findings]
    if _contains_opioid(case):
        assert res.status != "ok"
    found = {f.ingredient for f in res.findings} | {
        i.ingredient for i in identify(case["entry"]).ingredients
    }
    missing = set(case.get("ingredients", [])) - found
    if res.status == case["status"]:
        assert not missing, f"{case['entry']!r}: {sorted(missing)} not found"


def test_reference_table_is_large_enough() -> None:
    assert PATH.exists(), f"{PATH} is missing"
    statuses = Counter(c["status"] for c in CASES)
    assert len(CASES) >= 300
    assert (
        sum(1 for c in CASES if c["status"] == "ok" and c["group"] in ("non-opioid", "near-miss"))
        >= 80
    )
    assert statuses["contraindicated"] >= 100
    assert len({c["entry"].lower() for c in CASES}) == len(CASES), "duplicate entries"


def test_every_catalogue_entry_names_an_existing_source() -> None:
    cat = catalogue()
    bad = [
        e
        for e in (*cat.ingredients, *cat.products, *cat.shorthands)
        if not e.sources or any(not cat.sources.get(s, "").strip() for s in e.sources)
    ]
    assert bad == []
