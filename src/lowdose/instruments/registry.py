"""The instrument registry: look definitions up by name, score by name, install licensed wording."""

from __future__ import annotations

from lowdose.errors import InputError, UnknownInstrumentError
from lowdose.instruments.acr_forms import ACR2010, ACR2011, ACR2016, ACR2016_SELF
from lowdose.instruments.fiqr import FIQR
from lowdose.instruments.model import Answers, Instrument, ScoreResult
from lowdose.instruments.questionnaires import (
    DAILY,
    FATIGUE_NRS,
    GAD7,
    MOOD_NRS,
    PAIN_NRS,
    PGIC,
    PHQ2,
    PHQ9,
    SLEEP_QUALITY_NRS,
)

__all__ = ["UnknownInstrumentError", "get", "names", "register", "reset", "score"]


_BUILTIN: tuple[Instrument, ...] = (
    DAILY,
    PAIN_NRS,
    FATIGUE_NRS,
    SLEEP_QUALITY_NRS,
    MOOD_NRS,
    PHQ9,
    PHQ2,
    GAD7,
    PGIC,
    ACR2010,
    ACR2011,
    ACR2016,
    ACR2016_SELF,
    FIQR,
)
_REGISTRY: dict[str, Instrument] = {}


def reset() -> None:
    """Restore the built-in definitions (drops licensed wording installed with :func:`register`)."""
    _REGISTRY.clear()
    _REGISTRY.update({i.name: i for i in _BUILTIN})


reset()


def names() -> tuple[str, ...]:
    """Registered instrument names, in registration order."""
    return tuple(_REGISTRY)


def get(name: str) -> Instrument:
    """Return the definition registered as ``name``.

    Raises
    ------
    UnknownInstrumentError
        If nothing is registered under ``name``; the message lists the valid names.
    """
    key = name.strip().lower().replace("-", "").replace(" ", "")
    aliases = {n.replace("_", ""): n for n in _REGISTRY}
    found = _REGISTRY.get(name) or _REGISTRY.get(aliases.get(key.replace("_", ""), ""))
    if found is None:
        raise UnknownInstrumentError(
            f"unknown instrument {name!r}; use one of {', '.join(_REGISTRY)}.", field="instrument"
        )
    return found


def register(instrument: Instrument, *, replace: bool = False) -> None:
    """Add a definition, or with ``replace=True`` swap one (e.g. FIQR with licensed wording).

    Raises
    ------
    InputError
        If the name is taken and ``replace`` is false, or if ``replace`` is true and the new
        definition changes the items' identifiers (which would break stored answers).
    """
    old = _REGISTRY.get(instrument.name)
    if old is not None and not replace:
        raise InputError(
            f"instrument {instrument.name!r} is already registered; pass replace=True to swap it.",
            field="instrument",
        )
    if old is not None and old.link_ids != instrument.link_ids:
        raise InputError(
            f"the new {instrument.name!r} definition has different items than the registered one; "
            "keep the item identifiers so stored answers still score.",
            field="instrument",
        )
    _REGISTRY[instrument.name] = instrument


def score(name: str, answers: Answers) -> ScoreResult:
    """Validate and score ``answers`` with the instrument registered as ``name``."""
    return get(name).score(answers)
