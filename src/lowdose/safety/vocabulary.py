"""The words of a medication-list entry that are not medicine names.

:func:`lowdose.safety.matching.identify` ignores the noise (step 4 of its module docstring:
numbers, strengths and units, forms, routes, frequencies, connectors), reads the context cues
(step 6: allergy, intolerance, "not taking", test strips) and accepts an entry that only says
nothing is taken ("none", "NKDA"). The lists are here, by what they are for.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "CONNECTOR_ONLY_BETWEEN",
    "CONTEXT_FILLER",
    "COUNT_OR_UNIT",
    "CUE_WORDS",
    "LIST_BREAKERS",
    "NOISE",
    "NONE_FILLER",
    "NONE_WORDS",
    "PREFIX_CUES",
    "SUFFIX_CUES",
    "UNITS",
    "ContextKind",
]

#: What a context cue says about the medicine next to it.
ContextKind = Literal["allergy", "intolerance", "absent", "test"]

#: Ignored when deciding whether an entry is identified (module docstring, step 4).
NOISE: frozenset[str] = frozenset(
    """
    mg mcg ug g gm gram grams ml l iu units unit mmol mol percent mgs mcgs micrograms microgram
    milligram milligrams hr hrs hour hours h min mins day days week weeks month months year tab
    tabs tablet tablets cap caps capsule capsules patch patches syrup liquid solution suspension
    elixir linctus drop drops spray sprays inhaler inhalers injection injections inj cream gel
    ointment lotion film films lozenge lozenges suppository suppositories supp sachet sachets
    powder granules vial vials ampoule ampoules pen pens puff puffs dose doses strength er xr sr
    cr la mr ir ec dr odt sl xl cd retard prolonged release modified extended immediate
    controlled sustained delayed slow dispersible soluble effervescent chewable orodispersible
    buccal sublingual transdermal intranasal po oral orally iv im sc sq subcut subcutaneous pr
    td topical nasal inh neb nebulised od bd bid tds tid qid qds qd qhs hs nocte mane prn daily
    weekly monthly stat once twice thrice every at night morning evening bedtime needed when
    required as am pm per q x w with and of in for or a an the to take takes taking tsp tbsp
    teaspoon tablespoon perles pearls softgel softgels gelcap gelcaps kit kits
    """.split()  # noqa: SIM905
)
#: Brand modifiers are never noise at the end of an entry: "Nurofen Plus" contains codeine.
CONNECTOR_ONLY_BETWEEN = frozenset({"plus"})
UNITS = frozenset(
    """mg mcg ug g gm ml l iu units unit mmol mgs mcgs micrograms microgram milligram milligrams
    percent""".split()  # noqa: SIM905
)
#: After a number, these make it a count ("2 x 500 mg") or a strength, not a variant number.
COUNT_OR_UNIT = frozenset({"x"}) | UNITS

NONE_WORDS = frozenset({"none", "nil", "nkda", "nka", "nkma"})
#: Words that describe an allergy or a "not taken" statement (the reaction, "use"): accounted
#: for only in an entry that has such a context ("morphine allergy (rash)", "denies opioid use").
CONTEXT_FILLER = frozenset(
    {"rash", "hives", "urticaria", "itch", "itching", "itchy", "pruritus", "nausea", "vomiting",
     "vomit", "sickness", "sick", "swelling", "angioedema", "anaphylaxis", "anaphylactic",
     "breathless", "wheeze", "drowsy", "drowsiness", "dizzy", "dizziness", "constipation",
     "headache", "hallucinations", "confusion", "reaction", "reactions", "severe", "mild",
     "upset", "stomach", "gi", "rxn", "use", "usage", "misuse", "history", "hx", "known"}
)  # fmt: skip
NONE_FILLER = frozenset(
    {"no", "medications", "medication", "meds", "medicines", "medicine", "regular", "known",
     "drug", "drugs", "allergies", "current", "currently"}
)  # fmt: skip

# (cue tokens, kind). Prefix cues negate the unit after them, suffix cues the unit before.
PREFIX_CUES: tuple[tuple[tuple[str, ...], ContextKind], ...] = (
    (("allergic", "to"), "allergy"),
    (("allergy", "to"), "allergy"),
    (("allergies", "to"), "allergy"),
    (("hypersensitivity", "to"), "allergy"),
    (("hypersensitive", "to"), "allergy"),
    (("anaphylaxis", "to"), "allergy"),
    (("intolerant", "of"), "intolerance"),
    (("intolerant", "to"), "intolerance"),
    (("intolerance", "to"), "intolerance"),
    (("intolerance", "of"), "intolerance"),
    (("free", "of"), "absent"),
    (("free", "from"), "absent"),
    (("not", "taking"), "absent"),
    (("not", "on"), "absent"),
    (("not", "using"), "absent"),
    (("never", "taken"), "absent"),
    (("never", "used"), "absent"),
    (("denies", "taking"), "absent"),
    (("denies", "using"), "absent"),
    (("denies",), "absent"),
    (("never",), "absent"),
    (("no",), "absent"),
    (("allergy",), "allergy"),
    (("allergies",), "allergy"),
    (("allergic",), "allergy"),
    (("hypersensitivity",), "allergy"),
    (("nil",), "absent"),
)
SUFFIX_CUES: tuple[tuple[tuple[str, ...], ContextKind], ...] = (
    (("test", "strips"), "test"),
    (("test", "strip"), "test"),
    (("testing", "strips"), "test"),
    (("test", "kit"), "test"),
    (("test", "kits"), "test"),
    (("allergy",), "allergy"),
    (("allergies",), "allergy"),
    (("allergic",), "allergy"),
    (("hypersensitivity",), "allergy"),
    (("anaphylaxis",), "allergy"),
    (("intolerance",), "intolerance"),
    (("intolerant",), "intolerance"),
    (("free",), "absent"),
)
CUE_WORDS = frozenset(w for cues in (PREFIX_CUES, SUFFIX_CUES) for c, _ in cues for w in c)
LIST_BREAKERS = frozenset({"and", "plus", "with", "or", "w"})
