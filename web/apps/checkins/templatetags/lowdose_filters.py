from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``{{ row|get_item:name }}``: a mapping's value by a variable key (None when absent)."""
    if mapping is None or not hasattr(mapping, "get"):
        return None
    return mapping.get(key)


@register.filter
def side_effect_label(name: str) -> str:
    """``vivid_dreams`` → ``Vivid dreams``: the side effect as the form names it."""
    from lowdose.diary.checkin import SIDE_EFFECT_LABELS

    return SIDE_EFFECT_LABELS.get(name, name.replace("_", " ").capitalize())
