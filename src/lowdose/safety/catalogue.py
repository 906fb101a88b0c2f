"""The screened-medicine catalogue (``data/catalogue.json``, format ``lowdose-safety-catalogue/2``).

The data names, for every ingredient, the *rule* it falls under; this module (and
:mod:`lowdose.safety.rules`) owns what each rule means — severity, opioid-free interval and
message. Products map brand and combination names to ingredients; shorthand maps clinical
abbreviations (``apap``, ``t3``) to an ingredient or product. The catalogue is checked on load;
any inconsistency is a :class:`~lowdose.errors.DataError` naming the file and the entry.

The file's own documentation (what is listed, how entries were sourced) is
``docs/safety-catalogue.md``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal, cast, get_args

from lowdose.errors import DataError

__all__ = [
    "CATALOGUE_FORMAT",
    "CATALOGUE_PATH",
    "RULES",
    "WASHOUT_DAYS",
    "Catalogue",
    "IngredientInfo",
    "Product",
    "Rule",
    "Shorthand",
    "Washout",
    "catalogue",
    "load_catalogue",
    "name_key",
    "tokens",
]

Rule = Literal[
    "opioid-agonist",
    "opioid-maintenance",
    "opioid-antitussive",
    "opioid-antidiarrhoeal-central",
    "opioid-antidiarrhoeal-peripheral",
    "naltrexone",
    "samidorphan",
    "pamora",
    "nalmefene",
    "naloxone",
    "interaction-caution",
    "non-opioid",
]
#: Every rule a catalogue ingredient may name (the table in ``docs/safety-screening.md``).
RULES: tuple[Rule, ...] = get_args(Rule)
#: Rules whose ingredient is an opioid that must be absent (and washed out) before naltrexone.
OPIOID_RULES: frozenset[str] = frozenset(
    {
        "opioid-agonist",
        "opioid-maintenance",
        "opioid-antitussive",
        "opioid-antidiarrhoeal-central",
    }
)

Washout = Literal["standard", "long"]
#: Opioid-free days needed before naltrexone, ``(minimum, full)``: "standard" 7–10 days
#: (naltrexone tablet label, via Drugs.com dosage and the MPR monograph); "long" 14 days after
#: methadone or buprenorphine (Vivitrol US label §2.3: vulnerable to precipitated withdrawal
#: "for as long as 2 weeks"). Depot buprenorphine has its own rule in :mod:`lowdose.safety.rules`.
WASHOUT_DAYS: dict[Washout, tuple[int, int]] = {"standard": (7, 10), "long": (14, 14)}

#: The washout each opioid rule needs after the last dose.
RULE_WASHOUT: dict[str, Washout] = {
    "opioid-agonist": "standard",
    "opioid-maintenance": "long",
    "opioid-antitussive": "standard",
    "opioid-antidiarrhoeal-central": "standard",
}

CATALOGUE_FORMAT = "lowdose-safety-catalogue/2"
CATALOGUE_PATH = "src/lowdose/safety/data/catalogue.json"
_FORMS = ("depot", "patch")

_SPLIT = re.compile(r"[a-z]+|[0-9]+")
_MICRO = str.maketrans({"µ": "u", "μ": "u"})


def tokens(text: str) -> tuple[str, ...]:
    """Lower-case ASCII tokens, split at every non-alphanumeric character and at every
    digit/letter boundary.

    >>> tokens("Norco10/325")
    ('norco', '10', '325')
    >>> tokens("Morphène  5µg")
    ('morphene', '5', 'ug')
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_MICRO))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return tuple(_SPLIT.findall(ascii_text))


def name_key(text: str) -> str:
    """The key a name is matched by: its tokens joined without spaces (``"co-codamol"`` and
    ``"Co Codamol"`` → ``"cocodamol"``)."""
    return "".join(tokens(text))


@dataclass(frozen=True, slots=True)
class IngredientInfo:
    """One catalogue ingredient.

    Attributes
    ----------
    ingredient : str
        Canonical (INN-style) name, e.g. ``"oxycodone"``.
    rule : Rule
        The screening rule it falls under.
    drug_class : str
        Plain-words class, e.g. ``"opioid analgesic (full mu agonist)"``.
    atc : tuple of str
        WHO ATC codes.
    rxnorm : str or None
        RxNorm CUI; ``rxnorm_unverified`` marks one not checked against RxNav.
    synonyms : tuple of str
        Other names (salts, regional names).
    sources : tuple of str
        Source ids (texts in :attr:`Catalogue.sources`).
    note : str
        Optional remark from the data file.
    """

    ingredient: str
    rule: Rule
    drug_class: str
    atc: tuple[str, ...] = ()
    rxnorm: str | None = None
    rxnorm_unverified: bool = False
    synonyms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_opioid(self) -> bool:
        """True for an opioid that must be absent and washed out before naltrexone."""
        return self.rule in OPIOID_RULES


@dataclass(frozen=True, slots=True)
class Product:
    """A brand or combination product and its ingredients (canonical names)."""

    name: str
    ingredients: tuple[str, ...]
    regions: tuple[str, ...] = ()
    form: Literal["depot", "patch"] | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Shorthand:
    """A clinical abbreviation (``"apap"``, ``"t3"``) and the ingredient or product it means."""

    text: str
    means: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """The loaded catalogue with its name index.

    ``names`` maps each :func:`name_key` (ingredient, synonym, product) to what it names:
    ``("ingredient", IngredientInfo)`` or ``("product", Product)``; ``shorthand`` maps each
    shorthand key to the same kind of target.
    """

    ingredients: tuple[IngredientInfo, ...]
    products: tuple[Product, ...]
    shorthands: tuple[Shorthand, ...]
    sources: dict[str, str] = field(compare=False, hash=False)
    file: str = CATALOGUE_PATH
    names: dict[str, tuple[str, IngredientInfo | Product]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    shorthand: dict[str, tuple[str, IngredientInfo | Product]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    by_ingredient: dict[str, IngredientInfo] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def source_text(self, ids: tuple[str, ...]) -> str:
        """The cited sources, joined for a finding's ``source``."""
        return " | ".join(self.sources[i] for i in ids if i in self.sources)

    def ingredient(self, name: str) -> IngredientInfo:
        """The ingredient with this canonical name (KeyError if absent)."""
        return self.by_ingredient[name]

    def resolve(self, name: str) -> tuple[IngredientInfo, ...] | None:
        """The ingredient(s) a name stands for (ingredient, synonym, product or shorthand), or
        None if the catalogue does not list it."""
        key = name_key(name)
        hit = self.names.get(key) or self.shorthand.get(key)
        if hit is None:
            return None
        _, target = hit
        if isinstance(target, IngredientInfo):
            return (target,)
        return tuple(self.by_ingredient[i] for i in target.ingredients)

    def lookup(self, name: str) -> IngredientInfo | None:
        """The ingredient a name (ingredient or synonym, any case/spacing) stands for, or None."""
        hit = self.names.get(name_key(name))
        if hit is not None and isinstance(hit[1], IngredientInfo):
            return hit[1]
        return None


def _strs(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def load_catalogue(data: dict[str, Any], file: str = CATALOGUE_PATH) -> Catalogue:
    """Check and build a :class:`Catalogue` from the parsed JSON.

    Parameters
    ----------
    data : dict
        The parsed file.
    file : str
        The file name used in error messages.

    Raises
    ------
    DataError
        Naming ``file`` and the entry, on: a wrong format tag; a missing sources object; an
        ingredient without a name or with an unknown rule; an entry without sources or citing a
        source id with no text; a name (after :func:`name_key`) listed twice; a product naming
        an unknown ingredient or an unknown form; a shorthand meaning an unknown name.
    """

    if not isinstance(data, dict) or data.get("format") != CATALOGUE_FORMAT:
        got = data.get("format") if isinstance(data, dict) else None
        raise _fail(file, "format", f"must be {CATALOGUE_FORMAT!r} (got {got!r})")
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise _fail(file, "sources", "must be a non-empty object of id → citation")
    build = _CatalogueBuilder(file, sources)
    for n, raw in enumerate(data.get("ingredients", [])):
        build.ingredient(n, raw)
    for n, raw in enumerate(data.get("products", [])):
        build.product(n, raw)
    for n, raw in enumerate(data.get("shorthand", [])):
        build.shorthand_entry(n, raw)
    return Catalogue(
        ingredients=tuple(build.ingredients),
        products=tuple(build.products),
        shorthands=tuple(build.shorthands),
        sources={str(k): str(v) for k, v in sources.items()},
        file=file,
        names=build.names,
        shorthand=build.shorthand,
        by_ingredient=build.by_ingredient,
        labels=build.labels,
    )


def _fail(file: str, where: str, msg: str) -> DataError:
    return DataError(f"{file}: {where}: {msg}; fix the file.")


class _CatalogueBuilder:
    """The catalogue as :func:`load_catalogue` builds it, entry by entry, in file order.

    Every name (after :func:`name_key`) is claimed by one entry (``owner``); products may name
    only ingredients listed before them, shorthand only ingredients and products.
    """

    def __init__(self, file: str, sources: dict[str, Any]) -> None:
        self.file = file
        self.sources = sources
        self.names: dict[str, tuple[str, IngredientInfo | Product]] = {}
        self.owner: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.ingredients: list[IngredientInfo] = []
        self.by_ingredient: dict[str, IngredientInfo] = {}
        self.products: list[Product] = []
        self.shorthands: list[Shorthand] = []
        self.shorthand: dict[str, tuple[str, IngredientInfo | Product]] = {}

    def fail(self, where: str, msg: str) -> DataError:
        return _fail(self.file, where, msg)

    def cited(self, where: str, raw: dict[str, Any]) -> tuple[str, ...]:
        """The entry's source ids, each with a text in 'sources'."""
        ids = _strs(raw.get("sources"))
        if not ids:
            raise self.fail(where, "names no source (give at least one id from 'sources')")
        missing = [i for i in ids if not str(self.sources.get(i, "")).strip()]
        if missing:
            raise self.fail(where, f"source id(s) {missing} have no text in 'sources'")
        return ids

    def claim(
        self, key_text: str, where: str, target: tuple[str, IngredientInfo | Product]
    ) -> None:
        """Give the name ``key_text`` to the entry at ``where``; a name has one owner."""
        key = name_key(key_text)
        if not key:
            raise self.fail(where, f"name {key_text!r} has no letters or digits")
        if key in self.owner and self.owner[key] != where:
            raise self.fail(where, f"name {key_text!r} is also listed under {self.owner[key]}")
        self.owner[key] = where
        self.names[key] = target
        self.labels.setdefault(key, key_text.strip())

    def ingredient(self, n: int, raw: Any) -> None:
        name = raw.get("ingredient") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"ingredients[{n}]", "needs an 'ingredient' name")
        where = f"ingredient {name!r}"
        rule = raw.get("rule")
        if rule not in RULES:
            raise self.fail(where, f"rule {rule!r} is not one of {', '.join(RULES)}")
        synonyms = _strs(raw.get("synonyms", []))
        atc = _strs(raw.get("atc", []))
        if synonyms is None or atc is None:
            raise self.fail(where, "'synonyms' and 'atc' must be lists of strings")
        rxnorm = raw.get("rxnorm")
        info = IngredientInfo(
            ingredient=name.strip(),
            rule=cast(Rule, rule),
            drug_class=str(raw.get("class", "")),
            atc=atc,
            rxnorm=None if rxnorm is None else str(rxnorm),
            rxnorm_unverified=bool(raw.get("rxnorm_unverified", False)),
            synonyms=synonyms,
            sources=self.cited(where, raw),
            note=str(raw.get("note", "")),
        )
        if info.ingredient in self.by_ingredient:
            raise self.fail(where, "is listed twice")
        self.by_ingredient[info.ingredient] = info
        self.ingredients.append(info)
        for text in (info.ingredient, *synonyms):
            self.claim(text, where, ("ingredient", info))

    def product(self, n: int, raw: Any) -> None:
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"products[{n}]", "needs a 'name'")
        where = f"product {name!r}"
        parts = _strs(raw.get("ingredients"))
        if not parts:
            raise self.fail(where, "needs a list of 'ingredients'")
        canonical = []
        for part in parts:
            hit = self.names.get(name_key(part))
            if hit is None or not isinstance(hit[1], IngredientInfo):
                raise self.fail(where, f"ingredient {part!r} is not a listed ingredient")
            canonical.append(hit[1].ingredient)
        form = raw.get("form")
        if form is not None and form not in _FORMS:
            raise self.fail(where, f"form {form!r} is not one of {', '.join(_FORMS)}")
        regions = _strs(raw.get("regions", [])) or ()
        product = Product(
            name=name.strip(),
            ingredients=tuple(dict.fromkeys(canonical)),
            regions=regions,
            form=form,
            sources=self.cited(where, raw),
        )
        self.products.append(product)
        self.claim(product.name, where, ("product", product))

    def shorthand_entry(self, n: int, raw: Any) -> None:
        stext = raw.get("text") if isinstance(raw, dict) else None
        if not isinstance(stext, str) or not name_key(stext):
            raise self.fail(f"shorthand[{n}]", "needs a 'text'")
        where = f"shorthand {stext!r}"
        means = raw.get("means")
        target = self.names.get(name_key(str(means)))
        if target is None:
            raise self.fail(where, f"means {means!r}, which is not a listed ingredient or product")
        key = name_key(stext)
        if key in self.names:
            raise self.fail(where, f"is also listed under {self.owner[key]}")
        if key in self.shorthand and self.shorthand[key][1] is not target[1]:
            raise self.fail(where, "is listed twice with different meanings")
        self.shorthand[key] = target
        self.labels.setdefault(key, stext.strip())
        self.shorthands.append(
            Shorthand(text=stext, means=str(means), sources=self.cited(where, raw))
        )


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue (parsed and checked once)."""
    text = resources.files("lowdose.safety").joinpath("data/catalogue.json").read_text("utf-8")
    return load_catalogue(json.loads(text), CATALOGUE_PATH)
