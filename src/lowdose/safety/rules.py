"""What each catalogue rule means: severity, opioid-free interval and message, for a medicine
taken now or stopped ``t`` days ago; and the findings for what cannot be identified.

The catalogue names a rule per ingredient; this module owns its meaning (table in
``docs/safety-screening.md``). Opioid-free intervals after the last dose, with :math:`[m, f]`
= :math:`[7, 10]` ("standard", naltrexone label) or :math:`[14, 14]` ("long", methadone and
buprenorphine, Vivitrol label §2.3):

.. math::

   t < m \\Rightarrow \\text{contraindicated},\\quad m \\le t < f \\Rightarrow
   \\text{caution},\\quad t \\ge f \\Rightarrow \\text{cleared (info)}

Depot buprenorphine (a product with ``"form": "depot"``: Sublocade, Brixadi, Buvidal,
Probuphine, Sixmo) can persist in plasma 12 months or longer after stopping (Sublocade US
label), so:

.. math::

   t < 28 \\Rightarrow \\text{contraindicated},\\quad 28 \\le t < 365 \\Rightarrow
   \\text{review},\\quad t \\ge 365 \\Rightarrow \\text{caution}

28 days is one monthly dosing interval (the depot is still releasing before then); the review
asks a person to confirm opioid-free status and record it (a ``washout_confirmed``
resolution turns it into a caution).
"""

from __future__ import annotations

from lowdose.safety.catalogue import RULE_WASHOUT, WASHOUT_DAYS, Catalogue, IngredientInfo
from lowdose.safety.findings import RULE_SOURCES, Finding, FindingSeverity
from lowdose.safety.matching import Context, Identification

__all__ = [
    "DEPOT_DAYS",
    "context_finding",
    "ingredient_findings",
    "not_identified_finding",
    "sources",
]

#: Depot opioid thresholds in days since the last injection: (contraindicated below, review
#: below) — one monthly dosing interval; 12 months (Sublocade US label, module docstring).
DEPOT_DAYS: tuple[int, int] = (28, 365)

#: Message of an ``interaction-caution`` ingredient (Vivitrol label §7).
_INTERACTIONS: dict[str, str] = {
    "thioridazine": "lethargy and somnolence have been reported with naltrexone and "
    "thioridazine (label section 7): warn the patient, monitor, and record the reason for "
    "prescribing.",
    "disulfiram": "naltrexone and disulfiram are both potentially hepatotoxic and the label "
    "(section 7) does not recommend the combination: check liver tests, weigh the need, and "
    "record the reason for prescribing.",
}

_DO_NOT_PRESCRIBE_OPIOID = (
    "Naltrexone blocks opioids and can precipitate withdrawal: do not prescribe while it is taken"
)
_REVIEW_ACTION = (
    "Name its ingredient(s) or record that it contains no opioid, with a reason; until then it "
    "blocks signing, dispensing and kit release."
)


def sources(cat: Catalogue, rule_ids: tuple[str, ...], info: IngredientInfo | None = None) -> str:
    """Rule sources, then the catalogue entry's own sources, as one string."""
    texts = [RULE_SOURCES[i] for i in rule_ids]
    if info is not None:
        texts += [cat.sources[i] for i in info.sources if i in cat.sources]
    return " | ".join(dict.fromkeys(texts))


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _interval(rule: str) -> tuple[int, int]:
    return WASHOUT_DAYS[RULE_WASHOUT[rule]]


def _interval_text(rule: str) -> str:
    low, high = _interval(rule)
    return f"{low}" if low == high else f"{low}–{high}"


#: The finding of each non-opioid rule that raises one when taken now: (code, severity,
#: message with ``{entry}`` and ``{what}`` filled in, rule sources).
_TAKEN_NOW: dict[str, tuple[str, FindingSeverity, str, tuple[str, ...]]] = {
    "opioid-antidiarrhoeal-peripheral": (
        "opioid-antidiarrhoeal-peripheral",
        "caution",
        "{what}, a peripherally acting opioid antidiarrhoeal. Naltrexone may oppose it; "
        "it is not a hard stop, but record why prescribing is appropriate (e.g. "
        "occasional use only).",
        ("loperamide-inference", "label-interactions"),
    ),
    "naltrexone": (
        "naltrexone-duplicate",
        "contraindicated",
        "{entry!r} already contains naltrexone (e.g. Contrave/Mysimba 8 mg per tablet, "
        "Vivitrol, Revia): LDN would duplicate therapy. Do not prescribe; discuss with "
        "whoever prescribes the existing naltrexone. If the entry is the LDN prescribed "
        "in lowdose itself, remove it from the medication list: the prescription is "
        "tracked on its own.",
        ("duplicate-naltrexone",),
    ),
    "samidorphan": (
        "samidorphan-current",
        "contraindicated",
        "{entry!r} contains samidorphan (Lybalvi), an opioid antagonist whose label "
        "contraindicates opioid use: an antagonist is already on board. Do not prescribe "
        "LDN alongside it; discuss with the prescribing psychiatrist.",
        ("lybalvi-label",),
    ),
    "pamora": (
        "pamora-current",
        "caution",
        "{what}, a peripheral opioid antagonist prescribed for opioid-induced "
        "constipation. Ask about current opioid use and add any opioid to the list; if "
        "there is none, record the reason for prescribing.",
        ("pamora",),
    ),
    "nalmefene": (
        "nalmefene-current",
        "caution",
        "{what}, an opioid antagonist (alcohol dependence or overdose reversal). Confirm "
        "why it is used, ask about opioid use, and record the reason for adding LDN.",
        ("nalmefene",),
    ),
    "naloxone": (
        "naloxone-kit",
        "caution",
        "{entry!r} is naloxone: a rescue kit suggests the patient or someone close uses "
        "opioids or is at risk. Ask about opioid use and record the reason for "
        "prescribing.",
        ("naloxone-kit",),
    ),
}


def ingredient_findings(
    cat: Catalogue,
    info: IngredientInfo,
    *,
    entry: str,
    matched: str,
    depot: bool = False,
    days_ago: int | None = None,
) -> list[Finding]:
    """The findings one ingredient raises, taken now (``days_ago is None``) or stopped.

    ``depot`` marks an opioid given as a depot injection/implant. Non-opioid ingredients (and,
    after stopping, every rule without an opioid-free interval) raise nothing here; the caller
    records them as identified.
    """
    if days_ago is not None:
        return _stopped(cat, info, entry=entry, matched=matched, depot=depot, days=days_ago)
    name = info.ingredient
    what = f"{entry!r} contains {name}" + (f" ({info.drug_class})" if info.drug_class else "")
    if info.is_opioid:
        code, sev, msg, ids = _opioid_taken_now(info, what, depot)
    elif info.rule == "interaction-caution":
        why = _INTERACTIONS.get(
            name,
            "the naltrexone label (section 7) lists an interaction: check it and record the "
            "reason for prescribing.",
        )
        code, sev, msg, ids = (
            f"interaction-{name}",
            "caution",
            f"{what}: {why}",
            ("label-interactions",),
        )
    elif info.rule in _TAKEN_NOW:
        code, sev, template, ids = _TAKEN_NOW[info.rule]
        msg = template.format(entry=entry, what=what)
    else:
        return []
    return [Finding(code, sev, msg, matched, sources(cat, ids, info), name, entry, False)]


def _opioid_taken_now(
    info: IngredientInfo, what: str, depot: bool
) -> tuple[str, FindingSeverity, str, tuple[str, ...]]:
    """An opioid taken now is a contraindication; the message says how long to wait after it."""
    if depot:
        return (
            "opioid-current",
            "contraindicated",
            f"{what}, given as a depot that releases buprenorphine for months. "
            f"{_DO_NOT_PRESCRIBE_OPIOID}. After the last injection wait at least "
            f"{DEPOT_DAYS[0]} days, then confirm opioid-free status before starting.",
            ("label-contraindications", "sublocade-label"),
        )
    rule = info.rule
    ids: tuple[str, ...] = ("label-contraindications", "label-opioid-free-interval")
    if rule == "opioid-maintenance":
        ids = ("label-contraindications", "label-switching")
    elif rule in ("opioid-antitussive", "opioid-antidiarrhoeal-central"):
        ids = ("label-interactions", "label-contraindications", "label-opioid-free-interval")
    return (
        "opioid-current",
        "contraindicated",
        f"{what}. {_DO_NOT_PRESCRIBE_OPIOID}; after the last dose the patient needs "
        f"{_interval_text(rule)} opioid-free days.",
        ids,
    )


def _stopped(
    cat: Catalogue, info: IngredientInfo, *, entry: str, matched: str, depot: bool, days: int
) -> list[Finding]:
    """The finding of an ingredient stopped ``days`` ago (module docstring)."""
    name = info.ingredient
    if not info.is_opioid:
        if info.rule == "non-opioid":
            return []
        return [
            Finding(
                "stopped-no-interval",
                "info",
                f"{name} stopped {_days(days)} ago: no opioid-free interval is needed after it.",
                matched,
                sources(cat, (), info),
                name,
                entry,
            )
        ]
    if depot:
        code, sev, msg = _depot_stopped(name, days)
        depot_ids = ("sublocade-label", "label-contraindications")
        return [
            Finding(
                code,
                sev,
                msg,
                matched,
                sources(cat, depot_ids, info),
                name,
                entry,
                code == "opioid-depot-washout-unconfirmed",
            )
        ]
    rule = info.rule
    low, high = _interval(rule)
    need = _interval_text(rule)
    ids = ("label-switching",) if rule == "opioid-maintenance" else ("label-opioid-free-interval",)
    if days < low:
        sev = "contraindicated"
        code = "opioid-stopped-recently"
        msg = (
            f"{name} stopped {_days(days)} ago; {need} opioid-free days are needed before "
            f"naltrexone. Wait {low - days} more day(s) and screen again."
        )
    elif days < high:
        sev, code = "caution", "opioid-stopped-window"
        msg = (
            f"{name} stopped {_days(days)} ago: inside the {need}-day opioid-free window (full "
            f"interval in {high - days} more day(s)). Confirm opioid-free status (e.g. urine "
            "screen) and record the reason if starting now."
        )
    else:
        sev, code = "info", "opioid-stopped-cleared"
        msg = f"{name} stopped {_days(days)} ago: the {need}-day opioid-free interval is complete."
    return [Finding(code, sev, msg, matched, sources(cat, ids, info), name, entry)]


def _depot_stopped(name: str, days: int) -> tuple[str, FindingSeverity, str]:
    """A depot opioid last given ``days`` ago: (code, severity, message) by :data:`DEPOT_DAYS`.

    Only the review (washout unconfirmed) can be resolved, by a recorded confirmation.
    """
    low, high = DEPOT_DAYS
    if days < low:
        return (
            "opioid-depot-stopped-recently",
            "contraindicated",
            f"{name} depot last given {_days(days)} ago: the depot is still releasing "
            f"opioid. Do not prescribe; wait at least {low - days} more day(s), then "
            "confirm opioid-free status.",
        )
    if days < high:
        return (
            "opioid-depot-washout-unconfirmed",
            "review",
            f"{name} depot last given {_days(days)} ago: buprenorphine from a depot can "
            "persist 12 months or longer after stopping (Sublocade US label): confirm "
            "opioid-free status — e.g. urine/plasma buprenorphine, naloxone challenge — "
            "and record it. Until then it blocks signing, dispensing and kit release.",
        )
    return (
        "opioid-depot-stopped-long-ago",
        "caution",
        f"{name} depot last given {_days(days)} ago (over 12 months): levels should be "
        "negligible, but confirm opioid-free status (e.g. urine screen) and record the "
        "reason for prescribing.",
    )


_CONTEXT_TEXT = {
    "allergy": ("an allergy/record", "record allergies in the allergy list"),
    "intolerance": ("an intolerance/record", "record intolerances in the allergy list"),
    "absent": (
        "a statement that it is not taken",
        "remove it from the medication list if nothing is taken",
    ),
    "test": (
        "a test (e.g. test strips)",
        "test strips can mean the patient or someone close uses opioids, so ask about opioid "
        "use; keep tests out of the medication list",
    ),
}
_ANTAGONIST_ALLERGY = frozenset({"naltrexone", "naloxone"})


def context_finding(cat: Catalogue, ctx: Context, *, entry: str) -> Finding:
    """An ``info`` "not a current medicine" finding, or a contraindication for an allergy to
    naltrexone or naloxone (the label contraindicates hypersensitivity)."""
    infos = ctx.match.ingredients if ctx.match else ()
    names = [i.ingredient for i in infos]
    matched = f"{entry!r}: {ctx.words!r} with {ctx.cue!r}"
    allergic_to = [i.ingredient for i in infos if i.rule in _ANTAGONIST_ALLERGY]
    if ctx.kind == "allergy" and allergic_to:
        return Finding(
            "naltrexone-hypersensitivity",
            "contraindicated",
            f"{entry!r} records an allergy to {allergic_to[0]}. Hypersensitivity to naltrexone "
            "is a contraindication on the label (cross-sensitivity with naloxone is unknown): "
            "do not prescribe.",
            matched,
            RULE_SOURCES["label-contraindications"],
            allergic_to[0],
            entry,
        )
    reads_as, todo = _CONTEXT_TEXT[ctx.kind]
    return Finding(
        "not-a-current-medicine",
        "info",
        f"{entry!r} reads as {reads_as}, not a medicine taken: not screened; {todo}.",
        matched,
        RULE_SOURCES["fail-closed"],
        names[0] if names else None,
        entry,
    )


def not_identified_finding(ident: Identification, *, entry: str, matched: str) -> Finding:
    """The ``review`` finding for an entry (or part of one) that cannot be identified."""
    detail = ""
    if ident.unidentified:
        words = ", ".join(repr(w) for w in ident.unidentified)
        detail = f" (not recognised: {words}"
        looks = [f"{w!r} looks like {name}" for w, name, _ in ident.near]
        detail += ("; " + "; ".join(looks) if looks else "") + ")"
    elif not ident.matches:
        detail = " (it names no medicine the catalogue lists)"
    return Finding(
        "medication-not-identified",
        "review",
        f"{entry!r} could not be identified with confidence{detail}. {_REVIEW_ACTION}",
        matched,
        RULE_SOURCES["fail-closed"],
        None,
        entry,
        True,
    )
