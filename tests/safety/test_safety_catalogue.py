"""The catalogue loader refuses inconsistent data, naming the file and the entry."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from lowdose.errors import DataError
from lowdose.safety import RULES, Catalogue, catalogue, load_catalogue, lookup
from lowdose.safety.catalogue import name_key, tokens

from .conftest import SMALL

FILE = "tests/small-catalogue.json"


def _load(change: Callable[[dict[str, Any]], None]) -> Catalogue:
    data = copy.deepcopy(SMALL)
    change(data)
    return load_catalogue(data, FILE)


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (lambda d: d.update(format="lowdose-safety-drugs/1"), ["format"]),
        (lambda d: d.update(sources={}), ["sources"]),
        (lambda d: d["ingredients"][0].update(rule="opioid-ish"), ["'oxycodone'", "rule"]),
        (
            lambda d: d["ingredients"][1]["synonyms"].append("Oxycodone-Hydrochloride"),
            ["'morphine'", "also listed under ingredient 'oxycodone'"],
        ),
        (
            lambda d: d["products"].append(
                {"name": "oxy codone", "ingredients": ["codeine"], "sources": ["test"]}
            ),
            ["product 'oxy codone'", "also listed"],
        ),
        (
            lambda d: d["products"][0].update(ingredients=["oxycodon", "paracetamol"]),
            ["product 'Percocet'", "'oxycodon' is not a listed ingredient"],
        ),
        (lambda d: d["ingredients"][2].update(sources=[]), ["'codeine'", "names no source"]),
        (lambda d: d["products"][1].update(sources=["nope"]), ["'Norco'", "['nope']"]),
        (
            lambda d: d["shorthand"].append({"text": "oxy", "means": "oxys", "sources": ["test"]}),
            ["shorthand 'oxy'", "'oxys'"],
        ),
        (lambda d: d["products"][6].update(form="implant"), ["'Sublocade'", "form"]),
    ],
)
def test_inconsistent_catalogue_is_a_data_error_naming_file_and_entry(
    change: Callable[[dict[str, Any]], None], fragments: list[str]
) -> None:
    with pytest.raises(DataError) as exc:
        _load(change)
    text = str(exc.value)
    assert text.startswith(FILE)
    for fragment in fragments:
        assert fragment in text


def test_shorthand_spellings_of_one_key_may_repeat_with_the_same_meaning(small: Catalogue) -> None:
    # "T3" and "T#3" share the key "t3"; a different meaning for the same key is an error.
    assert small.shorthand["t3"][1].name == "Tylenol 3"  # type: ignore[union-attr]
    with pytest.raises(DataError, match="different meanings"):
        _load(
            lambda d: d["shorthand"].append(
                {"text": "t 3", "means": "codeine", "sources": ["test"]}
            )
        )


def test_names_are_keyed_without_spaces_or_punctuation(small: Catalogue) -> None:
    assert name_key("Co-Codamol") == name_key("co codamol") == "cocodamol"
    assert tokens("Norco10/325") == ("norco", "10", "325")
    assert small.resolve("CO-CODAMOL") == (
        small.ingredient("codeine"),
        small.ingredient("paracetamol"),
    )
    assert small.resolve("acetaminophen") == (small.ingredient("paracetamol"),)
    assert small.resolve("zapain") is None
    assert small.lookup("Acetaminophen") is small.ingredient("paracetamol")
    assert small.lookup("Percocet") is None  # a product, not an ingredient


def test_products_resolve_synonyms_to_canonical_ingredients() -> None:
    cat = _load(
        lambda d: d["products"][0].update(ingredients=["oxycodone hydrochloride", "acetaminophen"])
    )
    percocet = next(p for p in cat.products if p.name == "Percocet")
    assert percocet.ingredients == ("oxycodone", "paracetamol")


def test_shipped_catalogue_loads_and_every_entry_cites_an_existing_source() -> None:
    cat = catalogue()
    entries = [*cat.ingredients, *cat.products, *cat.shorthands]
    assert len(cat.ingredients) > 50
    for e in entries:
        assert e.sources, e
        assert all(cat.sources.get(s, "").strip() for s in e.sources), e
    assert {i.rule for i in cat.ingredients} <= set(RULES)


def test_shipped_catalogue_lookup() -> None:
    info = lookup("Oxycodone Hydrochloride")
    assert info is not None
    assert (info.ingredient, info.rule, info.is_opioid) == ("oxycodone", "opioid-agonist", True)
    assert lookup("no such medicine") is None
