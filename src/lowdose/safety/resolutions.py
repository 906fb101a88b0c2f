"""How a person settles a ``review``: name the ingredients, record "not opioid-containing" with a
reason, or confirm a depot washout.

A resolution is stored against :func:`resolution_key` of the entry text (the web layer stores
and reuses it for the same text in the clinic) and is consulted by the screen **only** for an
entry that would otherwise be ``review``: it never downgrades a confident opioid match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lowdose.errors import InputError
from lowdose.safety.catalogue import Catalogue, IngredientInfo, catalogue, tokens

__all__ = ["Resolution", "ResolutionKind", "resolution_key"]

ResolutionKind = Literal["ingredients", "not_opioid", "washout_confirmed"]
_KINDS: tuple[ResolutionKind, ...] = ("ingredients", "not_opioid", "washout_confirmed")


def resolution_key(text: str) -> str:
    """The normalised entry a resolution is stored under.

    >>> resolution_key("Zapain  30/500") == resolution_key("zapain 30/500")
    True
    """
    return " ".join(tokens(text))


@dataclass(frozen=True, slots=True)
class Resolution:
    """A person's settlement of a ``review`` entry.

    Parameters
    ----------
    kind : {"ingredients", "not_opioid", "washout_confirmed"}
        ``ingredients``: the entry is screened as the named ingredients (catalogue ingredient,
        synonym or product names); ``not_opioid``: recorded as containing no opioid, with a
        reason; ``washout_confirmed``: a stopped depot opioid's washout was confirmed (e.g.
        urine/plasma buprenorphine, naloxone challenge), with a reason.
    ingredients : tuple of str
        For ``ingredients``: at least one name, each in the shipped catalogue.
    reason : str
        Required (non-blank) for ``not_opioid`` and ``washout_confirmed``.

    Raises
    ------
    InputError
        ``field="kind"``, ``"ingredients"`` (none given, or a name the catalogue does not list —
        the message names it) or ``"reason"`` (blank).
    """

    kind: ResolutionKind
    ingredients: tuple[str, ...] = ()
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise InputError(
                f"a resolution is one of {', '.join(_KINDS)} (got {self.kind!r}).", field="kind"
            )
        if isinstance(self.ingredients, str):
            raise InputError(
                "give the ingredients as a list of names, not one string.", field="ingredients"
            )
        if self.kind == "ingredients":
            if not [n for n in self.ingredients if str(n).strip()]:
                raise InputError(
                    "name at least one ingredient the medicine contains.", field="ingredients"
                )
            self.check_names(catalogue())
        elif not self.reason.strip():
            what = (
                "why it contains no opioid (e.g. 'pharmacist checked the product: ibuprofen only')"
                if self.kind == "not_opioid"
                else "how the opioid-free status was confirmed (e.g. urine buprenorphine negative)"
            )
            raise InputError(f"record {what}.", field="reason")

    def check_names(self, cat: Catalogue) -> tuple[IngredientInfo, ...]:
        """The ingredients named, resolved in ``cat``; InputError naming any it does not list."""
        found: dict[str, IngredientInfo] = {}
        unknown = []
        for name in self.ingredients:
            hit = cat.resolve(name)
            if hit is None:
                unknown.append(name)
                continue
            for info in hit:
                found.setdefault(info.ingredient, info)
        if unknown:
            raise InputError(
                f"{', '.join(repr(u) for u in unknown)} is not in the medicine catalogue: name "
                "each ingredient by its generic name (e.g. codeine, paracetamol) or a listed "
                "product.",
                field="ingredients",
            )
        return tuple(found.values())
