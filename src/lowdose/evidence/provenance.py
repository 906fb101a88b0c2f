"""Primary sources of the evidence base: DOI, PubMed and trial-registry links.

Every number of the evidence base was read somewhere (``Source.read_at``: an abstract page, a
registry mirror, a news summary). That page is *secondary* provenance — where we read it. A
clinician checks a number at its *primary* source: the article (DOI), its PubMed record (PMID)
or the trial registry record. :func:`primary_url` builds that address from the identifier alone,
so the link cannot drift from the identifier stored in ``data/sources.json``.

Identifier patterns
-------------------
=============  ==============================  ===============================================
kind           example                         primary URL
=============  ==============================  ===============================================
``doi``        ``10.1002/art.37734``           ``https://doi.org/<doi>``
``pmid``       ``19453963``                    ``https://pubmed.ncbi.nlm.nih.gov/<pmid>/``
``pmcid``      ``PMC10189400``                 ``https://pmc.ncbi.nlm.nih.gov/articles/<id>/``
``nct``        ``NCT04270877``                 ``https://clinicaltrials.gov/study/<id>``
``actrn``      ``ACTRN12623000172606``         ``https://www.anzctr.org.au/<id>.aspx``
``isrctn``     ``ISRCTN12345678``              ``https://www.isrctn.com/<id>``
``euctr``      ``2019-000702-30`` (EudraCT)    EU Clinical Trials Register search for the id
=============  ==============================  ===============================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from lowdose.errors import EvidenceInputError
from lowdose.evidence.loader import sources, trials
from lowdose.evidence.records import EffectRecord, PrimaryLink, Provenance, Source

__all__ = [
    "IDENTIFIER_KINDS",
    "PUBMED_KINDS",
    "REGISTRY_KINDS",
    "PrimaryLink",
    "Provenance",
    "added_provenance",
    "bare_identifier",
    "check_identifier",
    "identifier_kind",
    "primary_link",
    "primary_links",
    "primary_url",
    "provenance_of",
    "record_provenance",
    "trial_provenance",
]

#: (kind, pattern, URL template, words for people) — first match wins.
_PATTERNS: tuple[tuple[str, re.Pattern[str], str, str], ...] = (
    ("doi", re.compile(r"^10\.\d{4,9}/\S+$"), "https://doi.org/{}", "article (DOI)"),
    ("pmid", re.compile(r"^\d{1,9}$"), "https://pubmed.ncbi.nlm.nih.gov/{}/", "PubMed record"),
    (
        "pmcid",
        re.compile(r"^PMC\d+$"),
        "https://pmc.ncbi.nlm.nih.gov/articles/{}/",
        "PubMed Central",
    ),
    ("nct", re.compile(r"^NCT\d{8}$"), "https://clinicaltrials.gov/study/{}", "ClinicalTrials.gov"),
    (
        "actrn",
        re.compile(r"^ACTRN\d{14}$"),
        "https://www.anzctr.org.au/{}.aspx",
        "Australian New Zealand Clinical Trials Registry",
    ),
    ("isrctn", re.compile(r"^ISRCTN\d{8}$"), "https://www.isrctn.com/{}", "ISRCTN registry"),
    (
        "euctr",
        re.compile(r"^(?:EUCTR)?\d{4}-\d{6}-\d{2}(?:-[A-Z]{2})?$"),
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query={}",
        "EU Clinical Trials Register",
    ),
)

#: The identifier kinds :func:`primary_url` understands.
IDENTIFIER_KINDS: tuple[str, ...] = tuple(kind for kind, *_ in _PATTERNS)
#: The kinds that name a PubMed record, and those that name a trial-registry record.
PUBMED_KINDS: tuple[str, ...] = ("pmid", "pmcid")
REGISTRY_KINDS: tuple[str, ...] = ("nct", "actrn", "isrctn", "euctr")

#: Prefixes people paste before an identifier (a DOI link, ``doi:``, ``PMID:``): dropped.
_PASTED = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|pmid:\s*)", re.IGNORECASE)


def identifier_kind(identifier: str) -> str:
    """The kind of ``identifier`` (see the module table); an unknown form is an input error."""
    text = identifier.strip()
    for kind, pattern, _, _ in _PATTERNS:
        if pattern.match(text):
            return kind
    raise EvidenceInputError(
        f"{identifier!r} is not a DOI (10.xxxx/…), PMID (digits), PMCID (PMC…), "
        "ClinicalTrials.gov id (NCT + 8 digits), ANZCTR id (ACTRN + 14 digits), ISRCTN id or "
        "EudraCT number; give one of those.",
        field="identifier",
    )


def bare_identifier(text: str) -> str:
    """``text`` without surrounding blanks and a pasted prefix (``https://doi.org/``, ``doi:``,
    ``PMID:``); registry ids upper-cased (``nct04270877`` → ``NCT04270877``). Not checked."""
    bare = _PASTED.sub("", text.strip()).strip()
    return bare if bare.startswith("10.") else bare.upper()


_WHAT = {
    ("doi",): "a DOI (10.xxxx/…)",
    PUBMED_KINDS: "a PubMed id (PMID, digits) or PubMed Central id (PMC + digits)",
    REGISTRY_KINDS: (
        "a trial-registry id: ClinicalTrials.gov (NCT + 8 digits), ANZCTR (ACTRN + 14 digits), "
        "ISRCTN (ISRCTN + 8 digits) or EudraCT (yyyy-nnnnnn-cc)"
    ),
}


def check_identifier(text: str, kinds: tuple[str, ...], field: str) -> str:
    """The identifier in ``text`` (see :func:`bare_identifier`) if it is of one of ``kinds``
    (``("doi",)``, :data:`PUBMED_KINDS` or :data:`REGISTRY_KINDS`); an input error naming
    ``field`` and saying what to give otherwise (also when it is an identifier of another kind,
    e.g. a registry id given as the DOI)."""
    bare = bare_identifier(text)
    what = _WHAT.get(kinds, " or ".join(kinds))
    try:
        kind = identifier_kind(bare)
    except EvidenceInputError:
        raise EvidenceInputError(
            f"'{field}' {text.strip()!r} is not {what}; give it in that form.", field=field
        ) from None
    if kind not in kinds:
        words = next(w for k, _, _, w in _PATTERNS if k == kind)
        raise EvidenceInputError(
            f"'{field}' {bare!r} is not {what} but an id for the {words}; give it where that "
            "kind of id goes.",
            field=field,
        )
    return bare


def primary_url(identifier: str) -> str:
    """The address of a DOI, PMID, PMCID or trial-registry id at its primary source.

    >>> primary_url("10.1002/art.37734")
    'https://doi.org/10.1002/art.37734'
    >>> primary_url("NCT04270877")
    'https://clinicaltrials.gov/study/NCT04270877'
    """
    text = identifier.strip()
    kind = identifier_kind(text)
    template = next(t for k, _, t, _ in _PATTERNS if k == kind)
    if kind == "euctr":
        text = text.removeprefix("EUCTR")[:14]  # the EudraCT number without the country suffix
    # a DOI may hold parentheses and semicolons; keep '/' and '()' readable, escape the rest
    return template.format(quote(text, safe="/()"))


def primary_link(identifier: str) -> PrimaryLink:
    """One identifier as a :class:`PrimaryLink` (an unknown form is an input error)."""
    kind = identifier_kind(identifier)
    words = next(w for k, _, _, w in _PATTERNS if k == kind)
    return PrimaryLink(kind, identifier.strip(), primary_url(identifier), words)


def primary_links(source: Source) -> tuple[PrimaryLink, ...]:
    """The source's primary links, article first: DOI, PMID, PMCID, then registry ids."""
    ids = [source.doi, source.pmid, source.pmcid, *source.registries]
    return tuple(primary_link(i) for i in ids if i)


def provenance_of(source: Source) -> Provenance:
    """The primary links and the read-at pages of one source."""
    return Provenance(source.key, source.citation, primary_links(source), source.read_at)


def added_provenance(
    source: str, citation: str, identifiers: Iterable[str], read_at: Iterable[str] = ()
) -> Provenance:
    """The provenance of a trial added outside the shipped data (a clinician's): primary links
    from its identifiers (DOI, PMID, PMCID, registry ids; blanks skipped), and the pages its
    numbers were read at. Fails closed: an identifier of unknown form, or none at all, is an
    input error (field ``identifier``), so every pooled number links to a primary source."""
    primary = tuple(primary_link(i) for i in identifiers if i.strip())
    if not primary:
        raise EvidenceInputError(
            f"{citation or source}: give the trial's DOI, PubMed id (PMID) or trial-registry id "
            "(e.g. NCT04270877), so its numbers link to their primary source; a page where they "
            "were read is not enough.",
            field="identifier",
        )
    return Provenance(source, citation, primary, tuple(u for u in read_at if u))


def record_provenance(record: EffectRecord) -> Provenance | None:
    """Where a pooled record can be checked: its own provenance (a clinician's trial), or its
    shipped trial's; None for a pooled N-of-1 series (this clinic's data, not a publication)."""
    if record.provenance is not None:
        return record.provenance
    return trial_provenance(record.trial_id) if record.origin == "published" else None


def trial_provenance(trial_id: str) -> Provenance | None:
    """The provenance of a shipped trial, or None for a record added outside the shipped data
    (a clinician's trial or a pooled N-of-1 series carries its own source)."""
    trial = trials().get(trial_id)
    if trial is None:
        return None
    return provenance_of(sources()[trial.source])
