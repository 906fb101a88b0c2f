"""Recognise screened medicines in free-text medication-list entries.

A medication entry (``"Percocet 5/325 mg"``, ``"co-codamol 30/500"``, ``"oxycodon"``) is
normalised (accents stripped, lower case, punctuation to spaces) and split into tokens; every run
of 1–4 consecutive tokens, joined without spaces, is a *window* (so ``"co codamol"``,
``"co-codamol"`` and ``"cocodamol"`` meet the same key).

1. **Exact**: a window equals a catalogue name (joined the same way).
2. **Spelling-tolerant**: for windows of ≥5 letters that matched nothing exactly and are not a
   known non-opioid look-alike, both strings are reduced phonetically (ph→f, th→t, ck→k, k→c, y→i,
   doubled letters collapsed) and compared with the optimal-string-alignment distance
   (Damerau–Levenshtein with adjacent transpositions; ``rapidfuzz.distance.OSA``). A window
   matches a name when the first letters agree (as typed or phonetically) and

   .. math::

      d_{\\mathrm{OSA}} \\le \\begin{cases} 0 & |k| \\le 5 \\\\ 1 & 6 \\le |k| \\le 8 \\\\
      2 & |k| \\ge 9 \\end{cases}

   with :math:`|k|` the length of the phonetic catalogue name. These allowances are a design
   choice (hypothesis, tuned on the near-miss tests: *metformin/morphine*, *trazodone/tramadol*,
   *bupropion/buprenorphine*, *oxybutynin/oxycodone*, *hydroxyzine/hydrocodone*,
   *cocaine/codeine* must not match; *morfine*, *oxycodon*, *percoset*, *suboxon*, *metadone*,
   *tramadoll* must). Every match reports what it matched and how.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz.distance import OSA

from lowdose.safety.catalogue import Catalogue, DrugEntry, catalogue

__all__ = ["DrugMatch", "MatchKind", "find_drugs", "normalise", "phonetic"]

MatchKind = Literal["exact", "spelling"]

_MAX_WINDOW = 4
_MIN_FUZZY_LEN = 5
_ONE_EDIT_MAX_LEN = 8  # names of 6-8 letters tolerate 1 edit, longer ones 2 (module docstring)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")
_PHONETIC = (("ph", "f"), ("th", "t"), ("ck", "k"), ("k", "c"), ("y", "i"))


@dataclass(frozen=True, slots=True)
class DrugMatch:
    """A screened medicine recognised in one medication entry.

    Attributes
    ----------
    query : str
        The entry as given.
    matched_text : str
        The part of the entry that matched (normalised tokens).
    name : str
        The catalogue name it matched (ingredient or brand).
    entry : DrugEntry
        The ingredient entry.
    kind : {"exact", "spelling"}
        How it matched.
    distance : int
        Phonetic edit distance (0 for exact).
    """

    query: str
    matched_text: str
    name: str
    entry: DrugEntry
    kind: MatchKind
    distance: int

    def describe(self) -> str:
        """E.g. ``"'Percoset' ~ percocet (spelling, 1 edit) → oxycodone"``."""
        how = "exact" if self.kind == "exact" else f"spelling variant, {self.distance} edit(s)"
        return f"{self.query!r} ~ {self.name} ({how}) → {self.entry.ingredient}"


def normalise(text: str) -> str:
    """Lower-case ASCII, punctuation as single spaces.

    ``"Co-Codamol 30/500"`` → ``"co codamol 30 500"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()


def phonetic(word: str) -> str:
    """Reduce spelling variation: ph→f, th→t, ck→k, k→c, y→i, doubled letters collapsed."""
    for a, b in _PHONETIC:
        word = word.replace(a, b)
    return _DOUBLE.sub(r"\1", word)


def _allowed(key_len: int) -> int:
    if key_len <= _MIN_FUZZY_LEN:
        return 0
    return 1 if key_len <= _ONE_EDIT_MAX_LEN else 2


@dataclass(frozen=True)
class _Index:
    exact: dict[str, tuple[str, DrugEntry]]
    fuzzy: tuple[tuple[str, str, str, DrugEntry], ...]  # (phonetic key, raw key, name, entry)
    look_alikes: frozenset[str]


@cache
def _index(cat: Catalogue) -> _Index:
    exact: dict[str, tuple[str, DrugEntry]] = {}
    fuzzy: list[tuple[str, str, str, DrugEntry]] = []
    for entry in cat.drugs:
        for name in entry.names:
            key = normalise(name).replace(" ", "")
            exact[key] = (name, entry)
            if key.isalpha():
                fuzzy.append((phonetic(key), key, name, entry))
    looks = frozenset(normalise(n).replace(" ", "") for n in cat.look_alikes)
    return _Index(exact=exact, fuzzy=tuple(fuzzy), look_alikes=looks)


def find_drugs(query: str, cat: Catalogue | None = None) -> tuple[DrugMatch, ...]:
    """All screened medicines recognised in one medication entry (one per ingredient).

    Exact matches win over spelling matches; among spelling matches the smallest distance wins.
    An empty tuple means nothing in the catalogue was recognised.
    """
    index = _index(cat or catalogue())
    tokens = normalise(query).split()
    found: dict[str, DrugMatch] = {}
    covered: set[int] = set()
    # Longest windows first so "tylenol with codeine" beats "codeine" for the message.
    spans = [
        (i, n)
        for n in range(min(_MAX_WINDOW, len(tokens)), 0, -1)
        for i in range(len(tokens) - n + 1)
    ]
    for i, n in spans:
        window = "".join(tokens[i : i + n])
        hit = index.exact.get(window)
        if hit is None:
            continue
        name, entry = hit
        covered.update(range(i, i + n))
        if entry.ingredient not in found:
            text = " ".join(tokens[i : i + n])
            found[entry.ingredient] = DrugMatch(query, text, name, entry, "exact", 0)
    blocked: set[int] = set()
    for i, n in spans:
        if "".join(tokens[i : i + n]) in index.look_alikes:
            blocked.update(range(i, i + n))
    for i, n in spans:
        span = set(range(i, i + n))
        if span & (covered | blocked):
            continue
        window = "".join(tokens[i : i + n])
        if len(window) < _MIN_FUZZY_LEN or not window.isalpha():
            continue
        target = phonetic(window)
        best: tuple[int, str, DrugEntry] | None = None
        for key, raw_key, name, entry in index.fuzzy:
            if key[0] != target[0] and raw_key[0] != window[0]:
                continue
            limit = _allowed(len(key))
            if limit == 0:
                continue
            dist = OSA.distance(target, key, score_cutoff=limit)
            if dist <= limit and (best is None or dist < best[0]):
                best = (dist, name, entry)
        if best is None:
            continue
        dist, name, entry = best
        prior = found.get(entry.ingredient)
        if prior is None or (prior.kind == "spelling" and dist < prior.distance):
            text = " ".join(tokens[i : i + n])
            found[entry.ingredient] = DrugMatch(query, text, name, entry, "spelling", dist)
            covered.update(span)
    return tuple(found.values())
