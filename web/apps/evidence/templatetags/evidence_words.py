"""Template filters of the evidence pages (a builtin library: ``TEMPLATES`` in settings)."""

from __future__ import annotations

from django import template

from apps.evidence.models import KINDS

register = template.Library()


@register.filter
def design_words(kind: str) -> str:
    """A trial design's code (``rct_crossover``) in words (``randomised crossover``)."""
    return dict(KINDS).get(kind, "other design")
