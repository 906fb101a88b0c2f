"""A small inline catalogue, so matching and rule tests do not depend on the shipped data."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lowdose.safety import Catalogue, load_catalogue


def _i(name: str, rule: str, *synonyms: str) -> dict[str, Any]:
    return {
        "ingredient": name,
        "atc": [],
        "rxnorm": None,
        "rule": rule,
        "class": "test class",
        "synonyms": list(synonyms),
        "sources": ["test"],
    }


def _p(name: str, *ingredients: str, form: str | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name, "ingredients": list(ingredients), "sources": ["test"]}
    if form:
        p["form"] = form
    return p


SMALL: dict[str, Any] = {
    "format": "lowdose-safety-catalogue/2",
    "about": "test catalogue",
    "sources": {"test": "A test source."},
    "ingredients": [
        _i("oxycodone", "opioid-agonist", "oxycodone hydrochloride"),
        _i("morphine", "opioid-agonist"),
        _i("codeine", "opioid-agonist"),
        _i("hydrocodone", "opioid-agonist"),
        _i("tramadol", "opioid-agonist"),
        _i("fentanyl", "opioid-agonist"),
        _i("sufentanil", "opioid-agonist"),
        _i("methadone", "opioid-maintenance"),
        _i("buprenorphine", "opioid-maintenance"),
        _i("pholcodine", "opioid-antitussive"),
        _i("diphenoxylate", "opioid-antidiarrhoeal-central"),
        _i("loperamide", "opioid-antidiarrhoeal-peripheral"),
        _i("naltrexone", "naltrexone"),
        _i("samidorphan", "samidorphan"),
        _i("naloxegol", "pamora"),
        _i("nalmefene", "nalmefene"),
        _i("naloxone", "naloxone"),
        _i("thioridazine", "interaction-caution"),
        _i("disulfiram", "interaction-caution"),
        _i("paracetamol", "non-opioid", "acetaminophen"),
        _i("ibuprofen", "non-opioid"),
        _i("dextromethorphan", "non-opioid"),
        _i("guaifenesin", "non-opioid"),
        _i("atropine", "non-opioid"),
        _i("metformin", "non-opioid"),
        _i("trazodone", "non-opioid"),
        _i("bupropion", "non-opioid"),
        _i("olanzapine", "non-opioid"),
        _i("pregabalin", "non-opioid"),
        _i("gabapentin", "non-opioid"),
    ],
    "products": [
        _p("Percocet", "oxycodone", "paracetamol"),
        _p("Norco", "hydrocodone", "paracetamol"),
        _p("Tylenol 3", "codeine", "paracetamol"),
        _p("Tylenol", "paracetamol"),
        _p("Robitussin AC", "codeine", "guaifenesin"),
        _p("Robitussin DM", "dextromethorphan", "guaifenesin"),
        _p("Sublocade", "buprenorphine", form="depot"),
        _p("Suboxone", "buprenorphine", "naloxone"),
        _p("Contrave", "naltrexone", "bupropion"),
        _p("Lybalvi", "olanzapine", "samidorphan"),
        _p("Narcan", "naloxone"),
        _p("Nurofen", "ibuprofen"),
        _p("Nurofen Plus", "ibuprofen", "codeine"),
        _p("Duragesic", "fentanyl", form="patch"),
        _p("Lomotil", "diphenoxylate", "atropine"),
        _p("co-codamol", "codeine", "paracetamol"),
    ],
    "shorthand": [
        {"text": "apap", "means": "paracetamol", "sources": ["test"]},
        {"text": "T3", "means": "Tylenol 3", "sources": ["test"]},
        {"text": "T#3", "means": "Tylenol 3", "sources": ["test"]},
        {"text": "ty3", "means": "Tylenol 3", "sources": ["test"]},
    ],
}


@pytest.fixture(scope="session")
def small() -> Catalogue:
    """The inline catalogue, loaded."""
    return load_catalogue(copy.deepcopy(SMALL), "tests/small-catalogue.json")
