"""``{% vapid_public_key %}``: the key a page's script subscribes with ("" when Web Push is off)."""

from __future__ import annotations

from django import template

from apps.webapp.push import public_key

register = template.Library()


@register.simple_tag
def vapid_public_key() -> str:
    return public_key()
