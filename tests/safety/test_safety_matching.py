"""Identifying medicines in free text: tokens, noise, shorthand, spelling, context."""

from __future__ import annotations

import pytest

from lowdose.safety import Catalogue, identify, screen
from lowdose.safety.matching import allowed_edits, normalise, phonetic


def _status(small: Catalogue, *entries: str) -> str:
    return screen(list(entries), drug_catalogue=small).status


def _ingredients(small: Catalogue, entry: str) -> list[str]:
    return [i.ingredient for i in identify(entry, small).ingredients]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Co-Codamol 30/500", "co codamol 30 500"),
        ("oxycodone5mg", "oxycodone 5 mg"),
        ("Norco10/325", "norco 10 325"),
        ("Tylenol #3", "tylenol 3"),
        ("Morphène 10µg", "morphene 10 ug"),
        ("paracetamol+codeine,8.5mg", "paracetamol codeine 8 5 mg"),
    ],
)
def test_tokens_split_at_punctuation_and_digit_letter_boundaries(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("entry", "ingredients"),
    [
        ("Norco10/325", ["hydrocodone", "paracetamol"]),
        ("oxycodone5mg", ["oxycodone"]),
        ("OXYCODONE HYDROCHLORIDE 10 MG MR TABS BD", ["oxycodone"]),
        ("co codamol", ["codeine", "paracetamol"]),
        ("cocodamol 30/500 2 tabs qds prn", ["codeine", "paracetamol"]),
        ("Duragesic 25 mcg/hr patch every 72 hours", ["fentanyl"]),
        ("paracetamol w/ codeine", ["paracetamol", "codeine"]),
        ("Tylenol No. 3", ["codeine", "paracetamol"]),
    ],
)
def test_exact_names_found_through_doses_forms_and_frequencies(
    small: Catalogue, entry: str, ingredients: list[str]
) -> None:
    ident = identify(entry, small)
    assert ident.identified
    assert [i.ingredient for i in ident.ingredients] == ingredients


@pytest.mark.parametrize("entry", ["T3", "t#3", "TY3", "T3 1 tab q4h prn"])
def test_shorthand_with_digits_matches_before_the_digit_is_a_number(
    small: Catalogue, entry: str
) -> None:
    (m,) = identify(entry, small).matches
    assert m.kind == "shorthand"
    assert [i.ingredient for i in m.ingredients] == ["codeine", "paracetamol"]
    assert "shorthand for Tylenol 3" in m.describe(entry)


def test_apap_shorthand(small: Catalogue) -> None:
    assert _ingredients(small, "APAP 500mg") == ["paracetamol"]
    assert _status(small, "APAP 500mg") == "ok"


@pytest.mark.parametrize(
    ("entry", "status"),
    [
        ("Robitussin AC", "contraindicated"),
        ("Robitussin DM", "ok"),
        ("Robitussin-DM 10 ml tds", "ok"),
        ("Robitussin DX", "review"),  # not DM: a distinguishing short word must match exactly
        ("Robitussin", "review"),  # which one?
        ("Nurofen Plus", "contraindicated"),
        ("Nurofen", "ok"),
        ("Nurofen Max", "review"),  # a brand modifier is never noise
        ("Tylenol 4", "review"),  # a numbered variant not listed
        ("Tylenol 500 mg", "ok"),  # a strength, not a variant
    ],
)
def test_multi_word_products_and_variants_match_exactly(
    small: Catalogue, entry: str, status: str
) -> None:
    assert _status(small, entry) == status


def test_plus_between_two_names_is_a_connector(small: Catalogue) -> None:
    assert _ingredients(small, "paracetamol plus codeine") == ["paracetamol", "codeine"]
    assert _status(small, "paracetamol plus") == "review"


@pytest.mark.parametrize(
    ("typed", "ingredient"),
    [
        ("morfine", "morphine"),
        ("oxycodon", "oxycodone"),
        ("percoset", "oxycodone"),
        ("suboxon", "buprenorphine"),
        ("metadone", "methadone"),
        ("tramadoll", "tramadol"),
        ("hydrocodon", "hydrocodone"),
        ("fentanil", "fentanyl"),
        ("Suboxen", "buprenorphine"),
        ("OXYCODON10MG", "oxycodone"),
    ],
)
def test_misspelt_opioids_are_taken_as_the_opioid(
    small: Catalogue, typed: str, ingredient: str
) -> None:
    res = screen([typed], drug_catalogue=small)
    assert res.status == "contraindicated"
    assert ingredient in [f.ingredient for f in res.findings]
    assert f"{typed!r} ~ " in res.findings[0].matched
    assert "spelling" in res.findings[0].matched


@pytest.mark.parametrize("typed", ["codien", "codeen", "kodeine"])
def test_near_an_opioid_is_never_ok(small: Catalogue, typed: str) -> None:
    assert _status(small, typed) in ("contraindicated", "review")


def test_a_near_miss_says_what_it_looks_like(small: Catalogue) -> None:
    (f,) = screen(["codien"], drug_catalogue=small).findings
    assert (f.severity, f.code) == ("review", "medication-not-identified")
    assert "'codien' looks like codeine" in f.message


@pytest.mark.parametrize("safe", ["metformin", "trazodone", "bupropion"])
def test_listed_look_alikes_are_never_an_opioid(small: Catalogue, safe: str) -> None:
    res = screen([safe], drug_catalogue=small)
    assert res.status == "ok"
    assert [f.code for f in res.findings] == ["no-opioid-found"]


@pytest.mark.parametrize("unknown", ["oxybutynin", "hydroxyzine", "cocaine", "zapain"])
def test_unlisted_words_need_review_and_are_never_an_opioid(small: Catalogue, unknown: str) -> None:
    res = screen([unknown], drug_catalogue=small)
    assert res.status == "review"
    assert all(f.ingredient is None for f in res.findings)


def test_misspelt_non_opioid_is_identified_when_no_opioid_is_near(small: Catalogue) -> None:
    (f,) = screen(["metformine 500mg"], drug_catalogue=small).findings
    assert (f.code, f.ingredient) == ("no-opioid-found", "metformin")
    assert "'metformine 500mg' ~ metformin (spelling, 1 edit)" in f.matched


def test_spelling_never_spans_a_multi_word_name(small: Catalogue) -> None:
    assert _status(small, "Robitusin AC") == "review"


def test_edit_allowance_table() -> None:
    assert [allowed_edits(n) for n in (3, 4, 5, 7, 8, 12)] == [0, 0, 1, 1, 2, 2]
    assert phonetic("morphine") == phonetic("morfine") == "morfine"


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("codeine allergy", "codeine"),
        ("allergic to morphine", "morphine"),
        ("allergy to oxycodone", "oxycodone"),
        ("codeine intolerance", "codeine"),
        ("intolerant of tramadol", "tramadol"),
        ("intolerant to tramadol", "tramadol"),
        ("paracetamol codeine-free", "codeine"),
        ("free of codeine", "codeine"),
        ("no opioids", "opioids"),
        ("no codeine", "codeine"),
        ("not taking methadone", "methadone"),
        ("never heroin", "heroin"),
        ("denies oxycodone", "oxycodone"),
        ("fentanyl test strips", "fentanyl"),
    ],
)
def test_context_is_not_a_current_medicine(small: Catalogue, entry: str, words: str) -> None:
    res = screen([entry], drug_catalogue=small)
    assert res.status == "ok"
    notes = [f for f in res.findings if f.code == "not-a-current-medicine"]
    assert len(notes) == 1
    assert notes[0].severity == "info"
    assert "not a medicine taken: not screened" in notes[0].message
    assert repr(words) in notes[0].matched


def test_allergy_message_says_where_allergies_belong(small: Catalogue) -> None:
    (f,) = screen(["codeine allergy"], drug_catalogue=small).findings
    assert f.message == (
        "'codeine allergy' reads as an allergy/record, not a medicine taken: not screened; "
        "record allergies in the allergy list."
    )


def test_a_cue_negates_only_the_name_next_to_it(small: Catalogue) -> None:
    res = screen(["oxycodone 5 mg bd, codeine allergy"], drug_catalogue=small)
    assert res.status == "contraindicated"
    assert {(f.code, f.ingredient) for f in res.findings} == {
        ("opioid-current", "oxycodone"),
        ("not-a-current-medicine", "codeine"),
    }


@pytest.mark.parametrize(
    "entry", ["naltrexone allergy", "allergic to naltrexone", "hypersensitivity to naloxone"]
)
def test_allergy_to_naltrexone_or_naloxone_is_a_contraindication(
    small: Catalogue, entry: str
) -> None:
    (f,) = screen([entry], drug_catalogue=small).findings
    assert (f.severity, f.code) == ("contraindicated", "naltrexone-hypersensitivity")


def test_naltrexone_intolerance_is_not_hypersensitivity(small: Catalogue) -> None:
    assert _status(small, "naltrexone intolerance") == "ok"


@pytest.mark.parametrize("entry", ["none", "Nil", "NKDA", "no regular medications"])
def test_no_medicines_statement(small: Catalogue, entry: str) -> None:
    res = screen([entry], drug_catalogue=small)
    assert res.status == "ok"
    assert [f.code for f in res.findings] == ["not-a-current-medicine"]


@pytest.mark.parametrize("entry", ["10 mg bd", "tablets", "the blue one"])
def test_an_entry_naming_no_medicine_needs_review(small: Catalogue, entry: str) -> None:
    assert _status(small, entry) == "review"


def test_match_explains_itself(small: Catalogue) -> None:
    (m,) = identify("Norco10/325", small).matches
    assert m.describe("Norco10/325") == (
        "'Norco10/325' → Norco (product: hydrocodone + paracetamol)"
    )
