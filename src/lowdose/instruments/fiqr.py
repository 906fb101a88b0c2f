"""FIQR (Revised Fibromyalgia Impact Questionnaire): structure, scoring, licensed-wording loader.

The item wording is copyright of its authors (Bennett et al.; presumed OHSU) and is **not** shipped.
The definition here carries construct placeholders; a clinic holding a licence loads the wording
with :func:`load_licensed_wording` and registers the result.

Scoring (Bennett RM, Friend R, Jones KD, Ward R, Han BK, Ross RL. *Arthritis Res Ther*
2009;11:R120, doi:10.1186/ar2783; rules from myalgia.com/FIQR/Scoring.htm and fiqr.info):

.. math::

    \\mathrm{FIQR} = \\frac{1}{3}\\cdot\\frac{9}{x_f}\\sum_{i=1}^{x_f} f_i
        + \\sum_{j=1}^{2} o_j + \\frac{1}{2}\\sum_{k=1}^{10} s_k \\in [0, 100]

where :math:`x_f \\in \\{8, 9\\}` is the number of answered function items. The questionnaire
is invalid if two or more function items, or any overall-impact or symptom item, are missing
(fiqr.info Scoring page). No FIQR-specific MCID or banding is applied: the 14.1 % MCID belongs to
the original FIQ (Bennett 2009, J Rheumatol 36:1304) and published FIQR bands leave gaps.

Licence-file format (JSON, ``format = "lowdose-instrument-wording/1"``)::

    {
      "format": "lowdose-instrument-wording/1",
      "instrument": "fiqr",
      "language": "en",
      "copyright": "… notice required by the licence …",
      "licence": {"holder": "…", "reference": "…licence number or date…"},
      "preamble": "…optional…",
      "items": {"function_1": "…", …, "impact_2": "…", "symptom_10": "…"},
      "anchors": {"function_1": ["…", "…"], …}            (optional)
    }
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from lowdose.errors import AnswerError, WordingFileError
from lowdose.instruments.model import Instrument, Item, ScoreResult

__all__ = [
    "FIQR",
    "FIQR_DOMAINS",
    "WORDING_FORMAT",
    "WordingFileError",
    "load_licensed_wording",
]

WORDING_FORMAT = "lowdose-instrument-wording/1"


#: (domain, constructs, divisor) — Bennett 2009; divisor turns the raw sum into the domain score.
FIQR_DOMAINS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    (
        "function",
        (
            "self-care (e.g. brushing or combing hair)",
            "walking continuously",
            "preparing a meal",
            "household chores (e.g. vacuuming, scrubbing)",
            "lifting and carrying groceries",
            "climbing stairs",
            "changing bed sheets",
            "sitting in a chair",
            "shopping",
        ),
        3,
    ),
    (
        "impact",
        ("fibromyalgia prevented accomplishing goals for the week", "overwhelmed by symptoms"),
        1,
    ),
    (
        "symptom",
        (
            "pain",
            "energy",
            "stiffness",
            "sleep quality",
            "depression",
            "memory",
            "anxiety",
            "tenderness to touch",
            "balance",
            "sensitivity to noise, light, odours and cold",
        ),
        2,
    ),
)
_MAX_MISSING_FUNCTION = 1  # fiqr.info: ≥2 missing function items → invalid
_TWO_PLACES = Decimal("0.01")


def _placeholder_items() -> tuple[Item, ...]:
    items: list[Item] = []
    for domain, constructs, _ in FIQR_DOMAINS:
        for n, construct in enumerate(constructs, start=1):
            items.append(
                Item(
                    link_id=f"{domain}_{n}",
                    text=f"[FIQR {domain} item {n}: {construct} — licensed wording not installed]",
                    kind="integer",
                    minimum=0,
                    maximum=10,
                    required=domain != "function",
                    group=domain,
                )
            )
    return tuple(items)


def _dec(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def _score_fiqr(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
    domain_scores: list[tuple[str, Fraction]] = []
    flags: list[str] = []
    for domain, constructs, divisor in FIQR_DOMAINS:
        keys = [f"{domain}_{n}" for n in range(1, len(constructs) + 1)]
        answered = [answers[k] for k in keys if k in answers]
        missing = len(keys) - len(answered)
        if missing > (_MAX_MISSING_FUNCTION if domain == "function" else 0):
            first = next(k for k in keys if k not in answers)
            allowed = "one function item" if domain == "function" else "no item"
            raise AnswerError(
                f"FIQR is invalid with {missing} {domain} item(s) unanswered: at most {allowed} "
                f"may be missing (fiqr.info scoring rules); answer {first}.",
                field=first,
            )
        if missing:
            flags.append("fiqr_function_item_prorated")
        raw = Fraction(sum(answered)) * Fraction(len(keys), len(answered))
        domain_scores.append((domain, raw / divisor))
    total = sum((s for _, s in domain_scores), Fraction(0))
    return ScoreResult(
        instrument=inst.name,
        version=inst.version,
        total=_dec(total),
        maximum=100,
        band=None,
        interpretation=f"FIQR total {_dec(total)} of 100 (higher is worse); no FIQR-specific "
        "MCID or band is applied.",
        flags=tuple(flags),
        answers=tuple((k, answers[k]) for k in inst.link_ids if k in answers),
        subscores=tuple((d, _dec(s)) for d, s in domain_scores),
        source="Bennett RM et al. Arthritis Res Ther 2009;11:R120; myalgia.com/FIQR/Scoring.htm; "
        "fiqr.info (missing-data rule)",
    )


FIQR = Instrument(
    name="fiqr",
    title="Revised Fibromyalgia Impact Questionnaire (FIQR)",
    version="FIQR (Bennett 2009); lowdose definition 1",
    items=_placeholder_items(),
    preamble="[FIQR instructions — licensed wording not installed]",
    recall="past 7 days",
    copyright=None,
    licence="Wording © the FIQR authors (Bennett et al.); not shipped. Structure and scoring "
    "only; load licensed wording with lowdose.instruments.load_licensed_wording().",
    loinc_panel=None,
    loinc_total=None,  # 90858-2 is claimed by third-party code only [unverified]; not used
    total_display=None,
    higher_is_worse=True,
    source="Bennett RM, Friend R, Jones KD, Ward R, Han BK, Ross RL. Arthritis Res Ther "
    "2009;11:R120, doi:10.1186/ar2783",
    scorer=_score_fiqr,
    wording_licensed=False,
)


def _require_str(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WordingFileError(
            f"{where}: {key!r} must be a non-empty string; add it to the wording file.",
            field=key,
        )
    return value.strip()


def _read_wording_file(path: str | Path, where: str) -> dict[str, Any]:
    """The wording file's JSON object; unreadable, invalid or not an object is an error."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise WordingFileError(
            f"cannot read wording file {where}: {exc}; check the path.", field="path"
        ) from exc
    except json.JSONDecodeError as exc:
        raise WordingFileError(
            f"{where} is not valid JSON (line {exc.lineno}): {exc.msg}; fix the file.",
            field="path",
        ) from exc
    if not isinstance(data, dict):
        raise WordingFileError(f"{where}: top level must be a JSON object.", field="path")
    return data


def _worded(item: Item, texts: dict[str, Any], anchors: dict[str, Any], where: str) -> Item:
    """``item`` with its licensed text and, when the file gives them, its two anchors."""
    if item.link_id not in texts:
        raise WordingFileError(
            f"{where}: wording for item {item.link_id} is missing; every item needs text.",
            field=f"items.{item.link_id}",
        )
    text = _require_str(texts, item.link_id, where)
    pair = anchors.get(item.link_id)
    new_anchors = item.anchors
    if pair is not None:
        if (
            not isinstance(pair, list)
            or len(pair) != 2  # a low and a high anchor
            or not all(isinstance(p, str) and p.strip() for p in pair)
        ):
            raise WordingFileError(
                f"{where}: anchors for {item.link_id} must be two non-empty strings.",
                field=f"anchors.{item.link_id}",
            )
        new_anchors = (pair[0].strip(), pair[1].strip())
    return replace(item, text=text, anchors=new_anchors)


def load_licensed_wording(path: str | Path, base: Instrument = FIQR) -> Instrument:
    """Return ``base`` with the item wording and copyright notice from a licence file.

    Parameters
    ----------
    path : str or Path
        JSON file in the format of the module docstring.
    base : Instrument
        The definition whose wording is replaced (FIQR by default). Structure and scoring are kept.

    Raises
    ------
    WordingFileError
        If the file cannot be read, is not the expected format, names another instrument, or
        lacks an item, has an unknown item, or has empty wording.
    """
    where = str(path)
    data = _read_wording_file(path, where)
    if data.get("format") != WORDING_FORMAT:
        raise WordingFileError(
            f"{where}: 'format' must be {WORDING_FORMAT!r} (got {data.get('format')!r}).",
            field="format",
        )
    if data.get("instrument") != base.name:
        raise WordingFileError(
            f"{where}: this file is for {data.get('instrument')!r}, not {base.name!r}.",
            field="instrument",
        )
    notice = _require_str(data, "copyright", where)
    language = _require_str(data, "language", where)
    licence = data.get("licence")
    if not isinstance(licence, dict):
        raise WordingFileError(
            f"{where}: 'licence' must be an object with 'holder' and 'reference'.", field="licence"
        )
    holder = _require_str(licence, "holder", where)
    reference = _require_str(licence, "reference", where)
    texts = data.get("items")
    if not isinstance(texts, dict):
        raise WordingFileError(f"{where}: 'items' must be an object.", field="items")
    unknown = sorted(set(texts) - set(base.link_ids))
    if unknown:
        raise WordingFileError(
            f"{where}: unknown item(s) {', '.join(unknown)}; valid items are "
            f"{', '.join(base.link_ids)}.",
            field=f"items.{unknown[0]}",
        )
    anchors = data.get("anchors", {})
    if not isinstance(anchors, dict):
        raise WordingFileError(f"{where}: 'anchors' must be an object.", field="anchors")
    new_items = [_worded(item, texts, anchors, where) for item in base.items]
    preamble = data.get("preamble", base.preamble)
    if not isinstance(preamble, str):
        raise WordingFileError(f"{where}: 'preamble' must be a string.", field="preamble")
    return replace(
        base,
        items=tuple(new_items),
        preamble=preamble,
        copyright=notice,
        licence=f"Licensed wording ({language}) from {holder}, licence {reference}.",
        version=f"{base.version}; wording {language} ({reference})",
        wording_licensed=True,
    )
