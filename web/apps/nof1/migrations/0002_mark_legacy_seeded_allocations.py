"""Mark allocations stored before the CSPRNG as ``legacy-seeded-31-bit``.

Until this release an allocation and its kit codes came from one 31-bit seed, so a patient who
saw the codes could recover the allocation by trying every seed (ADR 0003). Such a stored
allocation stays exactly as it is — it is the record of what the pharmacy prepared, and nothing
is re-derived from its seed — but it gains ``"randomisation": "legacy-seeded-31-bit"`` so the
pharmacist's kit page can say that these codes do not protect the blind. Reversing removes the
mark and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

LEGACY = "legacy-seeded-31-bit"


def mark_legacy(apps: Any, schema_editor: Any) -> None:
    Allocation = apps.get_model("nof1", "Allocation")
    for allocation in Allocation.objects.all():
        if "randomisation" not in allocation.plan:
            allocation.plan = {**allocation.plan, "randomisation": LEGACY}
            allocation.save(update_fields=["plan"])


def unmark_legacy(apps: Any, schema_editor: Any) -> None:
    Allocation = apps.get_model("nof1", "Allocation")
    for allocation in Allocation.objects.all():
        if allocation.plan.get("randomisation") == LEGACY:
            allocation.plan = {k: v for k, v in allocation.plan.items() if k != "randomisation"}
            allocation.save(update_fields=["plan"])


class Migration(migrations.Migration):
    dependencies = [("nof1", "0001_initial")]

    operations = [migrations.RunPython(mark_legacy, unmark_legacy)]
