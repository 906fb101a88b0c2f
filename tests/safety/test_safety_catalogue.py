"""Every listed drug and brand screens as intended: from the data file AND an independent list."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from lowdose.errors import DataError
from lowdose.safety import catalogue, find_drugs, screen
from lowdose.safety.catalogue import load_catalogue

RAW: dict[str, Any] = json.loads(
    resources.files("lowdose.safety").joinpath("data/drugs.json").read_text("utf-8")
)
DATA_NAMES = [(n, e["ingredient"], e["severity"]) for e in RAW["drugs"] for n in e["names"]]

# Hand-written, independent of the data file: (medication entry, ingredient, status). If an entry
# disappears from drugs.json, these fail. Opioid classes from the naltrexone label and §5.2 of the
# pharmacology reference; brand mappings as marketed.
EXPECTED: list[tuple[str, str, str]] = [
    # full agonists
    ("morphine", "morphine", "contraindicated"),
    ("MS Contin", "morphine", "contraindicated"),
    ("Oramorph", "morphine", "contraindicated"),
    ("oxycodone", "oxycodone", "contraindicated"),
    ("OxyContin", "oxycodone", "contraindicated"),
    ("Percocet", "oxycodone", "contraindicated"),
    ("Targin", "oxycodone", "contraindicated"),
    ("hydrocodone", "hydrocodone", "contraindicated"),
    ("Vicodin", "hydrocodone", "contraindicated"),
    ("Norco", "hydrocodone", "contraindicated"),
    ("hydromorphone", "hydromorphone", "contraindicated"),
    ("Dilaudid", "hydromorphone", "contraindicated"),
    ("oxymorphone", "oxymorphone", "contraindicated"),
    ("fentanyl", "fentanyl", "contraindicated"),
    ("Duragesic", "fentanyl", "contraindicated"),
    ("heroin", "heroin (diamorphine)", "contraindicated"),
    ("diamorphine", "heroin (diamorphine)", "contraindicated"),
    ("pethidine", "pethidine (meperidine)", "contraindicated"),
    ("Demerol", "pethidine (meperidine)", "contraindicated"),
    ("tapentadol", "tapentadol", "contraindicated"),
    ("Nucynta", "tapentadol", "contraindicated"),
    # tramadol, codeine
    ("tramadol", "tramadol", "contraindicated"),
    ("Ultram", "tramadol", "contraindicated"),
    ("Ultracet", "tramadol", "contraindicated"),
    ("Zydol", "tramadol", "contraindicated"),
    ("codeine", "codeine", "contraindicated"),
    ("co-codamol", "codeine", "contraindicated"),
    ("Tylenol with codeine", "codeine", "contraindicated"),
    ("Tylenol #3", "codeine", "contraindicated"),
    ("Nurofen Plus", "codeine", "contraindicated"),
    ("Solpadeine Plus", "codeine", "contraindicated"),
    ("dihydrocodeine", "dihydrocodeine", "contraindicated"),
    ("co-dydramol", "dihydrocodeine", "contraindicated"),
    # opioid cough products
    ("promethazine with codeine", "codeine", "contraindicated"),
    ("Robitussin AC", "codeine", "contraindicated"),
    ("Tussionex", "hydrocodone", "contraindicated"),
    ("Hycodan", "hydrocodone", "contraindicated"),
    ("pholcodine linctus", "pholcodine", "contraindicated"),
    # opioid antidiarrhoeals
    ("diphenoxylate", "diphenoxylate", "contraindicated"),
    ("Lomotil", "diphenoxylate", "contraindicated"),
    ("co-phenotrope", "diphenoxylate", "contraindicated"),
    ("paregoric", "opium (tincture, paregoric)", "contraindicated"),
    ("opium tincture", "opium (tincture, paregoric)", "contraindicated"),
    ("loperamide", "loperamide", "caution"),
    ("Imodium", "loperamide", "caution"),
    ("eluxadoline", "eluxadoline", "caution"),
    # partial agonist incl. combination brands; methadone
    ("buprenorphine", "buprenorphine", "contraindicated"),
    ("Suboxone", "buprenorphine", "contraindicated"),
    ("Subutex", "buprenorphine", "contraindicated"),
    ("Zubsolv", "buprenorphine", "contraindicated"),
    ("Butrans", "buprenorphine", "contraindicated"),
    ("Belbuca", "buprenorphine", "contraindicated"),
    ("Sublocade", "buprenorphine", "contraindicated"),
    ("buprenorphine/naloxone", "buprenorphine", "contraindicated"),
    ("methadone", "methadone", "contraindicated"),
    ("Methadose", "methadone", "contraindicated"),
    ("Dolophine", "methadone", "contraindicated"),
    ("Physeptone", "methadone", "contraindicated"),
    # mixed agonist-antagonists
    ("butorphanol", "butorphanol", "contraindicated"),
    ("pentazocine", "pentazocine", "contraindicated"),
    ("nalbuphine", "nalbuphine", "contraindicated"),
    # interactions
    ("thioridazine", "thioridazine", "caution"),
    ("Mellaril", "thioridazine", "caution"),
    ("disulfiram", "disulfiram", "caution"),
    ("Antabuse", "disulfiram", "caution"),
]


@pytest.mark.parametrize(("name", "ingredient", "severity"), DATA_NAMES)
def test_every_data_file_name_screens(name: str, ingredient: str, severity: str) -> None:
    res = screen([name])
    assert res.status == severity
    (finding,) = [f for f in res.findings if f.ingredient == ingredient]
    assert finding.severity == severity
    assert "(exact)" in finding.matched
    assert finding.source
    assert finding.message


@pytest.mark.parametrize(("entry", "ingredient", "status"), EXPECTED)
def test_independent_list_screens(entry: str, ingredient: str, status: str) -> None:
    res = screen([entry])
    assert res.status == status
    assert [f.ingredient for f in res.findings] == [ingredient]
    assert res.findings[0].code in {
        "opioid-current",
        "opioid-antidiarrhoeal-peripheral",
        "interaction-thioridazine",
        "interaction-disulfiram",
    }


@pytest.mark.parametrize(
    "entry",
    [
        "Percocet 5/325 mg tablets",
        "OXYCONTIN 20MG",
        "co-codamol 30/500",
        "paracetamol/codeine",
        "Suboxone 8mg/2mg film",
        "fentanyl 25 mcg/h patch",
    ],
)
def test_doses_and_forms_in_entry_do_not_hide_the_drug(entry: str) -> None:
    assert screen([entry]).status == "contraindicated"


def test_every_entry_has_sources_and_cautions_have_messages() -> None:
    cat = catalogue()
    for e in cat.drugs:
        assert e.sources
        assert all(cat.sources[s] for s in e.sources)
        if e.severity == "caution":
            assert e.message
        if e.washout == "long":
            assert e.ingredient in {"methadone", "buprenorphine"}


def test_combination_entry_finds_each_ingredient() -> None:
    res = screen(["oxycodone and tramadol"])
    assert sorted(f.ingredient for f in res.findings) == ["oxycodone", "tramadol"]


def _mutated(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d.update(format="x"), "format"),
        (lambda d: d["drugs"][0]["names"].append("oxycontin"), "listed under"),
        (lambda d: d["drugs"][0].update(sources=["nope"]), "have no text"),
        (lambda d: d["drugs"][0].update(severity="maybe"), "severity"),
        (lambda d: d["drugs"][0].update(washout="short"), "washout"),
        (lambda d: d["drugs"][-1].update(message=""), "needs a 'message'"),
        (lambda d: d["look_alikes"]["names"].append("morphine"), "look-alike"),
    ],
)
def test_inconsistent_catalogue_is_a_data_error(change: Any, fragment: str) -> None:
    with pytest.raises(DataError, match=fragment):
        load_catalogue(_mutated(change))


def test_find_drugs_reports_the_catalogue_name() -> None:
    (m,) = find_drugs("Zubsolv 5.7/1.4")
    assert (m.name, m.kind, m.entry.ingredient) == ("zubsolv", "exact", "buprenorphine")
