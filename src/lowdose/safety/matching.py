"""Identify the medicines in one free-text medication-list entry — or say that it cannot.

The screen fails closed: an entry is *identified* only when every meaningful word in it is
accounted for. The steps, in order:

1. **Tokens** (:func:`lowdose.safety.catalogue.tokens`): accents stripped (NFKD → ASCII),
   lower case, split at every non-alphanumeric character (``/ + - , # .``) and at every
   digit/letter boundary: ``"Norco10/325"`` → ``norco 10 325``, ``"oxycodone5mg"`` →
   ``oxycodone 5 mg``.
2. **Exact names**: every window of 1–4 consecutive tokens, joined without spaces, longest
   first, is looked up among the catalogue's ingredient, synonym and product names (joined the
   same way, so ``co-codamol``, ``co codamol`` and ``cocodamol`` meet, and ``Robitussin DM``
   never meets ``Robitussin AC``).
3. **Shorthand**: the same windows against the catalogue's shorthand (``apap``; ``T3``,
   ``T#3`` and ``ty3`` are matched on the joined window ``t3``/``ty3`` before the digit is
   treated as a number).
4. **Noise** — ignored when deciding identification: numbers; strengths and units (mg, mcg,
   µg, g, ml, iu, units, mmol, %, h, hr); dosage forms and release (tab, capsule, patch, syrup,
   linctus, spray, er, xr, sr, cr, mr, odt, sl, retard…); routes (po, iv, sc, pr, td…);
   frequencies (od, bd, tds, qid, prn, nocte, q4h, x1…); connectors (with, and, of, in, for,
   per, ``w/``). ``plus`` is a connector only *between* two names: as the last word
   (``Nurofen Plus``) it is a brand modifier and must be identified. A number directly after a
   brand that the catalogue lists with numbered variants (``Tylenol 3``) and without a unit
   after it is a variant number, not noise: ``Tylenol 4`` needs review unless it is listed.
5. **Spelling tolerance**, only for single leftover words of ≥4 letters and only against
   single-word names. With :math:`d` the optimal-string-alignment distance (Damerau–Levenshtein
   with adjacent transpositions, ``rapidfuzz.distance.OSA``), taken as the smaller of the
   distance between the words as typed and between their phonetic forms (ph→f, th→t, ck→k,
   k→c, y→i, doubled letters collapsed), and :math:`L` the length of the catalogue name, a
   word matches a name whose first letter it shares (as typed or phonetically) when

   .. math::

      d \\le a(L) = \\begin{cases} 0 & L \\le 4 \\\\ 1 & 5 \\le L \\le 7 \\\\ 2 & L \\ge 8
      \\end{cases}

   A word within :math:`a(L)` of an opioid, antagonist or caution name is taken as that medicine
   (erring towards the finding). A word within :math:`a(L)` of only non-opioid names is taken as
   the nearest one only if no opioid, antagonist or caution name lies within :math:`a(L) + 1`
   of it (any first letter); otherwise it stays unidentified, with the look-alike named, and
   needs review. The table is a design choice tuned on the near-miss tests (``morfine``,
   ``oxycodon``, ``percoset``, ``suboxon``, ``metadone``, ``tramadoll``, ``hydrocodon``,
   ``fentanil`` → their opioid; ``codien`` → review; ``metformin``, ``trazodone``,
   ``bupropion``, ``oxybutynin``, ``hydroxyzine`` never an opioid).
6. **Context**: "codeine allergy", "allergic to morphine", "X intolerance", "intolerant of X",
   "X-free", "free of X", "no X", "not taking X", "never X", "denies X", "X test strips" say
   that a medicine is *not* taken. A cue applies to the one name (or unidentified word) next to
   it, never to a whole list, so "oxycodone 5 mg, codeine allergy" still finds oxycodone.
   Entries such as "none", "nil", "NKDA" state that nothing is taken.

Every match explains itself (:meth:`Match.describe`):
``"'Norco10/325' → norco (product: hydrocodone + paracetamol)"``,
``"'codien' ~ codeine (spelling, 2 edits)"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from lowdose.safety.catalogue import (
    Catalogue,
    IngredientInfo,
    Product,
    catalogue,
    name_key,
    tokens,
)

__all__ = [
    "Context",
    "ContextKind",
    "Identification",
    "Match",
    "MatchKind",
    "allowed_edits",
    "identify",
    "normalise",
    "phonetic",
]

MatchKind = Literal["exact", "shorthand", "spelling"]
ContextKind = Literal["allergy", "intolerance", "absent", "test"]

_MAX_WINDOW = 4
#: Shortest typed word that may be matched by spelling (shorter words are too ambiguous).
_MIN_FUZZY_LEN = 4

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
_COUNT_OR_UNIT = frozenset({"x"})  # completed with _UNITS below
#: Brand modifiers are never noise at the end of an entry: "Nurofen Plus" contains codeine.
_CONNECTOR_ONLY_BETWEEN = frozenset({"plus"})
_UNITS = frozenset(
    """mg mcg ug g gm ml l iu units unit mmol mgs mcgs micrograms microgram milligram milligrams
    percent""".split()  # noqa: SIM905
)
_COUNT_OR_UNIT = _COUNT_OR_UNIT | _UNITS

_NONE_WORDS = frozenset({"none", "nil", "nkda", "nka", "nkma"})
#: Words that describe an allergy or a "not taken" statement (the reaction, "use"): accounted
#: for only in an entry that has such a context ("morphine allergy (rash)", "denies opioid use").
_CONTEXT_FILLER = frozenset(
    {"rash", "hives", "urticaria", "itch", "itching", "itchy", "pruritus", "nausea", "vomiting",
     "vomit", "sickness", "sick", "swelling", "angioedema", "anaphylaxis", "anaphylactic",
     "breathless", "wheeze", "drowsy", "drowsiness", "dizzy", "dizziness", "constipation",
     "headache", "hallucinations", "confusion", "reaction", "reactions", "severe", "mild",
     "upset", "stomach", "gi", "rxn", "use", "usage", "misuse", "history", "hx", "known"}
)  # fmt: skip
_NONE_FILLER = frozenset(
    {"no", "medications", "medication", "meds", "medicines", "medicine", "regular", "known",
     "drug", "drugs", "allergies", "current", "currently"}
)  # fmt: skip

# (cue tokens, kind). Prefix cues negate the unit after them, suffix cues the unit before.
_PREFIX: tuple[tuple[tuple[str, ...], ContextKind], ...] = (
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
_SUFFIX: tuple[tuple[tuple[str, ...], ContextKind], ...] = (
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
_CUE_WORDS = frozenset(w for cues in (_PREFIX, _SUFFIX) for c, _ in cues for w in c)
_LIST_BREAKERS = frozenset({"and", "plus", "with", "or", "w"})

_DOUBLE = re.compile(r"(.)\1+")
_PHONETIC = (("ph", "f"), ("th", "t"), ("ck", "k"), ("k", "c"), ("y", "i"))
_NUMBERED = re.compile(r"^(.*[a-z])([0-9]+)$")


def normalise(text: str) -> str:
    """The entry's tokens joined by single spaces: ``"Co-Codamol 30/500"`` →
    ``"co codamol 30 500"``."""
    return " ".join(tokens(text))


def phonetic(word: str) -> str:
    """Reduce spelling variation: ph→f, th→t, ck→k, k→c, y→i, doubled letters collapsed."""
    for a, b in _PHONETIC:
        word = word.replace(a, b)
    return _DOUBLE.sub(r"\1", word)


def allowed_edits(length: int) -> int:
    """Edits tolerated for a catalogue name of ``length`` letters (module docstring, step 5)."""
    if length <= 4:
        return 0
    return 1 if length <= 7 else 2


@dataclass(frozen=True, slots=True)
class Match:
    """A catalogue name recognised in an entry.

    Attributes
    ----------
    words : str
        The tokens that matched, joined by spaces.
    name : str
        The catalogue name (as written in the catalogue).
    kind : {"exact", "shorthand", "spelling"}
        How it matched.
    distance : int
        Edit distance (0 unless ``kind == "spelling"``).
    ingredients : tuple of IngredientInfo
        What the name stands for (a product's ingredients, in catalogue order).
    product : Product or None
        The product, when the name is a product (or shorthand for one).
    start, end : int
        Token span ``[start, end)``.
    """

    words: str
    name: str
    kind: MatchKind
    distance: int
    ingredients: tuple[IngredientInfo, ...]
    product: Product | None
    start: int
    end: int

    def describe(self, entry: str) -> str:
        """E.g. ``"'Norco10/325' → norco (product: hydrocodone + paracetamol)"``."""
        if self.product is not None:
            what = f"product: {' + '.join(i.ingredient for i in self.ingredients)}"
            if self.product.form:
                what += f", {self.product.form}"
        elif self.name.lower() != self.ingredients[0].ingredient.lower():
            what = self.ingredients[0].ingredient
        else:
            what = ""
        if self.kind == "spelling":
            edits = f"{self.distance} edit" + ("" if self.distance == 1 else "s")
            how = f"spelling, {edits}" + (f"; {what}" if what else "")
            return f"{entry!r} ~ {self.name} ({how})"
        if self.kind == "shorthand":
            means = self.product.name if self.product else self.ingredients[0].ingredient
            parts = " + ".join(i.ingredient for i in self.ingredients)
            return f"{entry!r} → {self.name} (shorthand for {means}: {parts})"
        return f"{entry!r} → {self.name}" + (f" ({what})" if what else "")


@dataclass(frozen=True, slots=True)
class Context:
    """A name (or word) the entry says is *not* taken: an allergy, "no X", "X test strips"."""

    words: str
    cue: str
    kind: ContextKind
    match: Match | None


@dataclass(frozen=True, slots=True)
class Identification:
    """What one entry was recognised as.

    ``matches`` are medicines taken; ``contexts`` are names the entry says are not taken;
    ``unidentified`` are the meaningful words nothing accounts for; ``near`` pairs an
    unidentified word with the opioid, antagonist or caution name it resembles (for the message).
    ``states_none`` is True for entries such as "none" or "NKDA".
    """

    entry: str
    tokens: tuple[str, ...]
    matches: tuple[Match, ...]
    contexts: tuple[Context, ...]
    unidentified: tuple[str, ...]
    near: tuple[tuple[str, str, int], ...]
    states_none: bool = False

    @property
    def identified(self) -> bool:
        """True when every meaningful word is accounted for and something was recognised."""
        return not self.unidentified and bool(self.matches or self.contexts or self.states_none)

    @property
    def ingredients(self) -> tuple[IngredientInfo, ...]:
        """Every ingredient of every match, once, in order."""
        seen: dict[str, IngredientInfo] = {}
        for m in self.matches:
            for i in m.ingredients:
                seen.setdefault(i.ingredient, i)
        return tuple(seen.values())


@dataclass(frozen=True)
class _Fuzzy:
    raw: tuple[str, ...]
    phon: tuple[str, ...]
    keys: tuple[str, ...]
    risky: frozenset[str]
    numbered: dict[str, frozenset[int]]


@cache
def _fuzzy_index(cat: Catalogue) -> _Fuzzy:
    keys = sorted(k for k in cat.names if k.isalpha() and len(tokens(cat.labels[k])) == 1)
    risky = frozenset(
        k for k in keys if any(i.rule != "non-opioid" for i in _targets(cat.names[k][1], cat))
    )
    numbered: dict[str, set[int]] = {}
    for key in (*cat.names, *cat.shorthand):
        m = _NUMBERED.match(key)
        if m:
            numbered.setdefault(m.group(1), set()).add(len(m.group(2)))
    return _Fuzzy(
        raw=tuple(keys),
        phon=tuple(phonetic(k) for k in keys),
        keys=tuple(keys),
        risky=risky,
        numbered={k: frozenset(v) for k, v in numbered.items()},
    )


def _targets(
    target: IngredientInfo | Product, cat: Catalogue | None = None
) -> list[IngredientInfo]:
    if isinstance(target, IngredientInfo):
        return [target]
    c = cat or catalogue()
    return [c.by_ingredient[i] for i in target.ingredients]


def _make_match(
    cat: Catalogue,
    target: IngredientInfo | Product,
    label: str,
    toks: tuple[str, ...],
    start: int,
    end: int,
    kind: MatchKind,
    distance: int = 0,
) -> Match:
    ingredients = (
        (target,)
        if isinstance(target, IngredientInfo)
        else tuple(cat.by_ingredient[i] for i in target.ingredients)
    )
    return Match(
        words=" ".join(toks[start:end]),
        name=label,
        kind=kind,
        distance=distance,
        ingredients=ingredients,
        product=target if isinstance(target, Product) else None,
        start=start,
        end=end,
    )


def _distance(typed: str, key: str) -> int:
    return min(int(OSA.distance(typed, key)), int(OSA.distance(phonetic(typed), phonetic(key))))


def _spelling(cat: Catalogue, word: str) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
    """``(accepted (key, distance) or None, nearest risky look-alike (key, distance) or None)``."""
    idx = _fuzzy_index(cat)
    dist: dict[str, int] = {}
    for choices, query in ((idx.raw, word), (idx.phon, phonetic(word))):
        for _, d, i in process.extract(
            query, choices, scorer=OSA.distance, score_cutoff=3, limit=None
        ):
            key = idx.keys[i]
            dist[key] = min(dist.get(key, 99), int(d))
    accepted: list[tuple[int, bool, str]] = []
    near: tuple[str, int] | None = None
    for key, d in dist.items():
        risky = key in idx.risky
        allow = allowed_edits(len(key))
        same_start = key[0] == word[0] or phonetic(key)[0] == phonetic(word)[0]
        if d <= allow and same_start:
            accepted.append((d, not risky, key))
        if risky and d <= allow + 1 and (near is None or d < near[1]):
            near = (key, d)
    if not accepted:
        return None, near
    risky_hits = sorted(a for a in accepted if not a[1])
    if risky_hits:
        d, _, key = risky_hits[0]
        return (key, d), None
    if near is not None:
        return None, near
    d, _, key = min(accepted)
    return (key, d), None


def identify(entry: str, cat: Catalogue | None = None) -> Identification:
    """Identify the medicines in one medication-list entry (module docstring).

    Parameters
    ----------
    entry : str
        Free text as typed, e.g. ``"Norco10/325 1 tab q6h prn"``.
    cat : Catalogue, optional
        Defaults to the shipped catalogue.
    """
    cat = cat or catalogue()
    toks = tokens(entry)
    n = len(toks)
    owner: list[int | None] = [None] * n
    matches: list[Match] = []

    def free(i: int, j: int) -> bool:
        return all(owner[k] is None for k in range(i, j))

    def take(m: Match) -> None:
        for k in range(m.start, m.end):
            owner[k] = len(matches)
        matches.append(m)

    spans = [(i, size) for size in range(min(_MAX_WINDOW, n), 0, -1) for i in range(n - size + 1)]
    passes: tuple[tuple[dict[str, tuple[str, IngredientInfo | Product]], MatchKind], ...] = (
        (cat.names, "exact"),
        (cat.shorthand, "shorthand"),
    )
    for table, how in passes:
        for i, size in spans:
            if not free(i, i + size):
                continue
            key = "".join(toks[i : i + size])
            if key.isdigit():
                continue
            after = i + size
            if toks[after - 1].isdigit() and after < n and toks[after] in _COUNT_OR_UNIT:
                continue  # "Tylenol 2 x 500 mg": a count or strength, not "Tylenol #2"
            hit = table.get(key)
            if hit is not None:
                label = cat.labels.get(key, key)
                take(_make_match(cat, hit[1], label, toks, i, i + size, how))

    idx = _fuzzy_index(cat)
    noise = [False] * n
    words_after = [False] * n  # a non-noise word follows (for "plus" between names)
    for k in range(n):
        t = toks[k]
        noise[k] = owner[k] is None and (t.isdigit() or t in NOISE)
    last_word = max(
        (k for k in range(n) if not toks[k].isdigit() and toks[k] not in NOISE), default=-1
    )
    for k in range(n):
        words_after[k] = k < last_word
        if owner[k] is None and toks[k] in _CONNECTOR_ONLY_BETWEEN and words_after[k]:
            noise[k] = True

    # A number after a brand listed with numbered variants ("tylenol 3") and no unit after it.
    variant_words: dict[int, str] = {}
    for m in list(matches):
        stem = name_key(m.words)
        lengths = idx.numbered.get(stem)
        if not lengths:
            continue
        k = m.end
        if k < n and toks[k] == "no" and k + 1 < n and toks[k + 1].isdigit():
            k += 1
        if k < n and owner[k] is None and toks[k].isdigit() and len(toks[k]) in lengths:
            if k + 1 < n and toks[k + 1] in _COUNT_OR_UNIT:
                continue  # a count ("2 x 500 mg") or a strength ("1 g"), not a variant
            listed = cat.names.get(stem + toks[k])
            if listed is not None:  # "Tylenol No. 3" is the listed "Tylenol 3"
                label = cat.labels[stem + toks[k]]
                variant = _make_match(cat, listed[1], label, toks, m.start, k + 1, "exact")
                matches[matches.index(m)] = variant
                for x in range(m.start, k + 1):
                    owner[x] = owner[m.start]
                continue
            noise[k] = False
            if toks[m.end] == "no":
                noise[m.end] = True
            variant_words[k] = f"{m.words} {toks[k]}"

    # Spelling tolerance for single leftover words.
    near: list[tuple[str, str, int]] = []
    for k in range(n):
        t = toks[k]
        if owner[k] is not None or noise[k] or t in _CUE_WORDS or t in _NONE_WORDS:
            continue
        if not t.isalpha() or len(t) < _MIN_FUZZY_LEN:
            continue
        accepted, look_alike = _spelling(cat, t)
        if accepted is not None:
            key, d = accepted
            hit = cat.names[key]
            take(_make_match(cat, hit[1], cat.labels[key], toks, k, k + 1, "spelling", d))
        elif look_alike is not None:
            near.append((t, cat.labels[look_alike[0]], look_alike[1]))

    # Units: matches and leftover meaningful words, by position.
    units: list[tuple[int, int, Match | None]] = [(m.start, m.end, m) for m in matches]
    for k in range(n):
        if owner[k] is None and not noise[k] and toks[k] not in _CUE_WORDS:
            units.append((k, k + 1, None))
    units.sort(key=lambda u: u[0])

    cue_used = [False] * n
    negated_filler: set[int] = set()
    negated: dict[int, Context] = {}  # unit start → context

    def unit_at(k: int) -> tuple[int, int, Match | None] | None:
        return next((u for u in units if u[0] <= k < u[1]), None)

    def adjacent(k: int, step: int) -> tuple[int, int, Match | None] | None:
        while 0 <= k < n:
            u = unit_at(k)
            if u is not None:
                return u
            if not noise[k] or toks[k] in _LIST_BREAKERS:
                return None
            k += step
        return None

    def cue_at(
        k: int, cues: tuple[tuple[tuple[str, ...], ContextKind], ...]
    ) -> tuple[int, ContextKind] | None:
        for words, kind in cues:
            j = k + len(words)
            if toks[k:j] == words and all(owner[x] is None for x in range(k, j)):
                return j, kind
        return None

    for k in range(n):  # suffix cues first: "codeine allergy" binds to the word before
        if cue_used[k] or owner[k] is not None:
            continue
        cue = cue_at(k, _SUFFIX)
        if cue is None:
            continue
        j, kind = cue
        u = adjacent(k - 1, -1)
        if u is not None and u[0] not in negated:
            negated[u[0]] = Context(_unit_words(toks, u), " ".join(toks[k:j]), kind, u[2])
            for x in range(k, j):
                cue_used[x] = True
    for k in range(n):
        if cue_used[k] or owner[k] is not None:
            continue
        cue = cue_at(k, _PREFIX)
        if cue is None:
            continue
        j, kind = cue
        if toks[k] == "no" and j < n and toks[j].isdigit():
            continue  # "No. 3": a number sign
        u = adjacent(j, 1)
        if u is not None and u[0] not in negated:
            negated[u[0]] = Context(_unit_words(toks, u), " ".join(toks[k:j]), kind, u[2])
            for x in range(k, j):
                cue_used[x] = True

    kept = [m for m in matches if m.start not in negated]
    if negated:
        for start, _end, unit_match in units:
            if unit_match is None and toks[start] in _CONTEXT_FILLER:
                negated_filler.add(start)
    unidentified: list[str] = []
    for start, _end, unit_match in units:
        if unit_match is None and start not in negated and start not in negated_filler:
            unidentified.append(variant_words.get(start, toks[start]))
    for k in range(n):
        if toks[k] in _CUE_WORDS and owner[k] is None and not cue_used[k] and not noise[k]:
            unidentified.append(toks[k])
    meaningful = [t for k, t in enumerate(toks) if not noise[k]]
    states_none = (
        not matches
        and bool(meaningful)
        and any(t in _NONE_WORDS or t == "no" for t in meaningful)
        and all(t in _NONE_WORDS or t in _NONE_FILLER for t in meaningful)
    )
    if states_none:
        unidentified, negated = [], {}
    near_words = {w for w, _, _ in near}
    return Identification(
        entry=entry,
        tokens=toks,
        matches=tuple(sorted(kept, key=lambda m: m.start)),
        contexts=tuple(negated[s] for s in sorted(negated)),
        unidentified=tuple(dict.fromkeys(unidentified)),
        near=tuple(x for x in near if x[0] in near_words and x[0] in unidentified),
        states_none=states_none,
    )


def _unit_words(toks: tuple[str, ...], unit: tuple[int, int, Match | None]) -> str:
    return " ".join(toks[unit[0] : unit[1]])
