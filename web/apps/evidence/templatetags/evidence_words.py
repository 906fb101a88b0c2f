"""Template filters of the evidence pages (a builtin library: ``TEMPLATES`` in settings)."""

from __future__ import annotations

from django import template

from apps.evidence.models import KINDS
from lowdose.evidence import outcomes, sources
from lowdose.evidence.provenance import primary_links, provenance_of

register = template.Library()


@register.filter
def design_words(kind: str) -> str:
    """A trial design's code (``rct_crossover``) in words (``randomised crossover``)."""
    return dict(KINDS).get(kind, "other design")


@register.filter
def outcome_words(key: str) -> str:
    """An outcome's key (``pain_nrs``) as the pages name it (its label)."""
    known = outcomes().get(key)
    return known.label if known is not None else key.replace("_", " ")


@register.filter
def source_href(key: str) -> str:
    """Where a number of source ``key`` is checked: its primary address (DOI, PubMed, registry)
    when the source has one, else its entry in the page's source list."""
    src = sources().get(key)
    url = provenance_of(src).primary_url if src is not None else None
    return url or f"#src-{key}"


@register.filter
def source_words(key: str) -> str:
    """What the primary link of source ``key`` opens, in words ("article (DOI)", …)."""
    src = sources().get(key)
    links = primary_links(src) if src is not None else ()
    return links[0].words if links else "source"
