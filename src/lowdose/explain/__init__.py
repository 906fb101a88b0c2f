"""Explanations for patients: the numbers of the science packages read out in plain language.

``regimen``  the plain-language reading of a regimen's curves for the "How LDN works" page,
             generated from :mod:`lowdose.pk`'s numbers by fixed, pinned rules
             (:class:`RegimenExplainer`, :func:`read_regimen`)

The science packages compute; this package words their results for a patient, with a source
for every number. It raises the science packages' own errors (a bad dose is a
:class:`lowdose.pk.PkInputError`).
"""

from __future__ import annotations

from lowdose.explain.regimen import (
    BLOCKADE_BANDS,
    DELTA_NEGLIGIBLE,
    POPULATION_SEED,
    POPULATION_SIZE,
    SOURCES,
    STEADY_SWING_POINTS,
    Explanation,
    ReadingLine,
    RegimenExplainer,
    blockade_word,
    hours_text,
    percent_text,
    read_regimen,
)

__all__ = [
    "BLOCKADE_BANDS",
    "DELTA_NEGLIGIBLE",
    "POPULATION_SEED",
    "POPULATION_SIZE",
    "SOURCES",
    "STEADY_SWING_POINTS",
    "Explanation",
    "ReadingLine",
    "RegimenExplainer",
    "blockade_word",
    "hours_text",
    "percent_text",
    "read_regimen",
]
