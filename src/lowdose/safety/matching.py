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
from lowdose.safety.vocabulary import (
    CONNECTOR_ONLY_BETWEEN,
    CONTEXT_FILLER,
    COUNT_OR_UNIT,
    CUE_WORDS,
    LIST_BREAKERS,
    NOISE,
    NONE_FILLER,
    NONE_WORDS,
    PREFIX_CUES,
    SUFFIX_CUES,
    ContextKind,
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

_MAX_WINDOW = 4
#: Shortest typed word that may be matched by spelling (shorter words are too ambiguous).
_MIN_FUZZY_LEN = 4

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
    return _Reading(entry, cat or catalogue()).identification()


Unit = tuple[int, int, Match | None]


class _Reading:
    """One entry as :func:`identify` reads it, step by step (module docstring).

    Each token is owned by at most one match (``owner``) or marked as noise; the steps run in
    the order of the module docstring, each on what the earlier ones left.
    """

    def __init__(self, entry: str, cat: Catalogue) -> None:
        self.entry = entry
        self.cat = cat
        self.toks = tokens(entry)
        self.n = len(self.toks)
        self.owner: list[int | None] = [None] * self.n
        self.matches: list[Match] = []
        self.noise = [False] * self.n
        self.variant_words: dict[int, str] = {}
        self.near: list[tuple[str, str, int]] = []
        self.units: list[Unit] = []
        self.cue_used = [False] * self.n
        self.negated: dict[int, Context] = {}  # unit start → context

    def identification(self) -> Identification:
        self._match_names()
        self._mark_noise()
        self._match_numbered_variants()
        self._match_spelling()
        self._collect_units()
        self._bind_suffix_cues()
        self._bind_prefix_cues()
        return self._result()

    def _free(self, i: int, j: int) -> bool:
        return all(self.owner[k] is None for k in range(i, j))

    def _take(self, m: Match) -> None:
        for k in range(m.start, m.end):
            self.owner[k] = len(self.matches)
        self.matches.append(m)

    def _match_names(self) -> None:
        """Steps 2 and 3: exact names, then shorthand, on windows of 1–4 tokens, longest first."""
        cat, toks, n = self.cat, self.toks, self.n
        spans = [
            (i, size) for size in range(min(_MAX_WINDOW, n), 0, -1) for i in range(n - size + 1)
        ]
        passes: tuple[tuple[dict[str, tuple[str, IngredientInfo | Product]], MatchKind], ...] = (
            (cat.names, "exact"),
            (cat.shorthand, "shorthand"),
        )
        for table, how in passes:
            for i, size in spans:
                if not self._free(i, i + size):
                    continue
                key = "".join(toks[i : i + size])
                if key.isdigit():
                    continue
                after = i + size
                if toks[after - 1].isdigit() and after < n and toks[after] in COUNT_OR_UNIT:
                    continue  # "Tylenol 2 x 500 mg": a count or strength, not "Tylenol #2"
                hit = table.get(key)
                if hit is not None:
                    label = cat.labels.get(key, key)
                    self._take(_make_match(cat, hit[1], label, toks, i, i + size, how))

    def _mark_noise(self) -> None:
        """Step 4: numbers and noise words left over; "plus" only between two names."""
        toks, n = self.toks, self.n
        for k in range(n):
            t = toks[k]
            self.noise[k] = self.owner[k] is None and (t.isdigit() or t in NOISE)
        last_word = max(
            (k for k in range(n) if not toks[k].isdigit() and toks[k] not in NOISE), default=-1
        )
        for k in range(n):
            words_after = k < last_word  # a non-noise word follows (for "plus" between names)
            if self.owner[k] is None and toks[k] in CONNECTOR_ONLY_BETWEEN and words_after:
                self.noise[k] = True

    def _match_numbered_variants(self) -> None:
        """A number after a brand listed with numbered variants ("tylenol 3") and no unit after
        it: the listed variant, or a variant word that needs review."""
        cat, toks, n, owner = self.cat, self.toks, self.n, self.owner
        idx = _fuzzy_index(cat)
        for m in list(self.matches):
            stem = name_key(m.words)
            lengths = idx.numbered.get(stem)
            if not lengths:
                continue
            k = m.end
            if k < n and toks[k] == "no" and k + 1 < n and toks[k + 1].isdigit():
                k += 1
            if k < n and owner[k] is None and toks[k].isdigit() and len(toks[k]) in lengths:
                if k + 1 < n and toks[k + 1] in COUNT_OR_UNIT:
                    continue  # a count ("2 x 500 mg") or a strength ("1 g"), not a variant
                listed = cat.names.get(stem + toks[k])
                if listed is not None:  # "Tylenol No. 3" is the listed "Tylenol 3"
                    label = cat.labels[stem + toks[k]]
                    variant = _make_match(cat, listed[1], label, toks, m.start, k + 1, "exact")
                    self.matches[self.matches.index(m)] = variant
                    for x in range(m.start, k + 1):
                        owner[x] = owner[m.start]
                    continue
                self.noise[k] = False
                if toks[m.end] == "no":
                    self.noise[m.end] = True
                self.variant_words[k] = f"{m.words} {toks[k]}"

    def _match_spelling(self) -> None:
        """Step 5: spelling tolerance for single leftover words."""
        cat = self.cat
        for k in range(self.n):
            t = self.toks[k]
            if self.owner[k] is not None or self.noise[k] or t in CUE_WORDS or t in NONE_WORDS:
                continue
            if not t.isalpha() or len(t) < _MIN_FUZZY_LEN:
                continue
            accepted, look_alike = _spelling(cat, t)
            if accepted is not None:
                key, d = accepted
                hit = cat.names[key]
                self._take(
                    _make_match(cat, hit[1], cat.labels[key], self.toks, k, k + 1, "spelling", d)
                )
            elif look_alike is not None:
                self.near.append((t, cat.labels[look_alike[0]], look_alike[1]))

    def _collect_units(self) -> None:
        """Units: matches and leftover meaningful words, by position."""
        self.units = [(m.start, m.end, m) for m in self.matches]
        for k in range(self.n):
            if self.owner[k] is None and not self.noise[k] and self.toks[k] not in CUE_WORDS:
                self.units.append((k, k + 1, None))
        self.units.sort(key=lambda u: u[0])

    def _unit_at(self, k: int) -> Unit | None:
        return next((u for u in self.units if u[0] <= k < u[1]), None)

    def _adjacent(self, k: int, step: int) -> Unit | None:
        """The unit at ``k`` or the first one reached stepping over noise (not a list break)."""
        while 0 <= k < self.n:
            u = self._unit_at(k)
            if u is not None:
                return u
            if not self.noise[k] or self.toks[k] in LIST_BREAKERS:
                return None
            k += step
        return None

    def _cue_at(
        self, k: int, cues: tuple[tuple[tuple[str, ...], ContextKind], ...]
    ) -> tuple[int, ContextKind] | None:
        for words, kind in cues:
            j = k + len(words)
            if self.toks[k:j] == words and all(self.owner[x] is None for x in range(k, j)):
                return j, kind
        return None

    def _negate(self, u: Unit | None, k: int, j: int, kind: ContextKind) -> None:
        """Bind the cue ``toks[k:j]`` to unit ``u`` unless ``u`` already has a context."""
        if u is not None and u[0] not in self.negated:
            self.negated[u[0]] = Context(
                _unit_words(self.toks, u), " ".join(self.toks[k:j]), kind, u[2]
            )
            for x in range(k, j):
                self.cue_used[x] = True

    def _bind_suffix_cues(self) -> None:
        """Step 6, first: suffix cues ("codeine allergy") bind to the unit before them."""
        for k in range(self.n):
            if self.cue_used[k] or self.owner[k] is not None:
                continue
            cue = self._cue_at(k, SUFFIX_CUES)
            if cue is None:
                continue
            j, kind = cue
            self._negate(self._adjacent(k - 1, -1), k, j, kind)

    def _bind_prefix_cues(self) -> None:
        """Step 6, then: prefix cues ("allergic to morphine") bind to the unit after them."""
        for k in range(self.n):
            if self.cue_used[k] or self.owner[k] is not None:
                continue
            cue = self._cue_at(k, PREFIX_CUES)
            if cue is None:
                continue
            j, kind = cue
            if self.toks[k] == "no" and j < self.n and self.toks[j].isdigit():
                continue  # "No. 3": a number sign
            self._negate(self._adjacent(j, 1), k, j, kind)

    def _result(self) -> Identification:
        """What is identified, what is not, and whether the entry states that nothing is taken."""
        toks, noise, negated = self.toks, self.noise, self.negated
        kept = [m for m in self.matches if m.start not in negated]
        negated_filler: set[int] = set()
        if negated:
            for start, _end, unit_match in self.units:
                if unit_match is None and toks[start] in CONTEXT_FILLER:
                    negated_filler.add(start)
        unidentified: list[str] = []
        for start, _end, unit_match in self.units:
            if unit_match is None and start not in negated and start not in negated_filler:
                unidentified.append(self.variant_words.get(start, toks[start]))
        for k in range(self.n):
            cue_left_over = self.owner[k] is None and not self.cue_used[k] and not noise[k]
            if toks[k] in CUE_WORDS and cue_left_over:
                unidentified.append(toks[k])
        meaningful = [t for k, t in enumerate(toks) if not noise[k]]
        states_none = (
            not self.matches
            and bool(meaningful)
            and any(t in NONE_WORDS or t == "no" for t in meaningful)
            and all(t in NONE_WORDS or t in NONE_FILLER for t in meaningful)
        )
        if states_none:
            unidentified, negated = [], {}
        near_words = {w for w, _, _ in self.near}
        return Identification(
            entry=self.entry,
            tokens=toks,
            matches=tuple(sorted(kept, key=lambda m: m.start)),
            contexts=tuple(negated[s] for s in sorted(negated)),
            unidentified=tuple(dict.fromkeys(unidentified)),
            near=tuple(x for x in self.near if x[0] in near_words and x[0] in unidentified),
            states_none=states_none,
        )


def _unit_words(toks: tuple[str, ...], unit: Unit) -> str:
    return " ".join(toks[unit[0] : unit[1]])
