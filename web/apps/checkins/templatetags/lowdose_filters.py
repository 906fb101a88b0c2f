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
