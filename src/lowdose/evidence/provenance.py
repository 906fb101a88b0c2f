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
from dataclasses import dataclass
from urllib.parse import quote

from lowdose.errors import EvidenceInputError
from lowdose.evidence.loader import sources, trials
from lowdose.evidence.records import Source
from lowdose.serial import Plain

__all__ = [
    "IDENTIFIER_KINDS",
    "PrimaryLink",
    "Provenance",
    "identifier_kind",
    "primary_link",
    "primary_links",
    "primary_url",
    "provenance_of",
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


@dataclass(frozen=True)
class PrimaryLink(Plain):
    """One identifier of a source and its primary address."""

    kind: str
    identifier: str
    url: str
    words: str


def primary_link(identifier: str) -> PrimaryLink:
    """One identifier as a :class:`PrimaryLink` (an unknown form is an input error)."""
    kind = identifier_kind(identifier)
    words = next(w for k, _, _, w in _PATTERNS if k == kind)
    return PrimaryLink(kind, identifier.strip(), primary_url(identifier), words)


def primary_links(source: Source) -> tuple[PrimaryLink, ...]:
    """The source's primary links, article first: DOI, PMID, PMCID, then registry ids."""
    ids = [source.doi, source.pmid, source.pmcid, *source.registries]
    return tuple(primary_link(i) for i in ids if i)


@dataclass(frozen=True)
class Provenance(Plain):
    """Where a trial's numbers can be checked (primary) and where they were read (secondary)."""

    source: str
    citation: str
    primary: tuple[PrimaryLink, ...]
    read_at: tuple[str, ...]

    @property
    def primary_url(self) -> str | None:
        """The first primary link (the article when there is one), or None."""
        return self.primary[0].url if self.primary else None

    _also = ("primary_url",)


def provenance_of(source: Source) -> Provenance:
    """The primary links and the read-at pages of one source."""
    return Provenance(source.key, source.citation, primary_links(source), source.read_at)


def trial_provenance(trial_id: str) -> Provenance | None:
    """The provenance of a shipped trial, or None for a record added outside the shipped data
    (a clinician's trial or a pooled N-of-1 series carries its own source)."""
    trial = trials().get(trial_id)
    if trial is None:
        return None
    return provenance_of(sources()[trial.source])
