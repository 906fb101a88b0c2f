"""``{% kept_history patient %}``: the records kept from another record, on any page that shows a
patient's treatment (the Treatment page), as the signed-in reader may see them."""

from __future__ import annotations

from typing import Any

from django import template

from apps.accounts.models import Patient, User
from apps.fhir.models import history_shown_to

register = template.Library()


@register.inclusion_tag("fhir/_history.html", takes_context=True)
def kept_history(context: template.Context, patient: Patient) -> dict[str, Any]:
    user = context.get("user")
    is_patient = not isinstance(user, User) or user.is_patient  # unknown reader: the narrower view
    return {"history": history_shown_to(is_patient, patient)}
