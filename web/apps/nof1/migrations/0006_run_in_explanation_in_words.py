"""Stored run-in explanations named the washout function by its Python name; say it in words."""

from __future__ import annotations

from typing import Any

from django.db import migrations

OLD = "(lowdose.pk.washout_hours)"
NEW = "(lowdose's receptor-occupancy model, fitted to PET studies)"


def forwards(apps: Any, schema_editor: Any) -> None:
    trial_model = apps.get_model("nof1", "Nof1Trial")
    for trial in trial_model.objects.all():
        derivation = dict(trial.run_in_derivation or {})
        text = derivation.get("explanation", "")
        if isinstance(text, str) and OLD in text:
            derivation["explanation"] = text.replace(OLD, NEW)
            trial.run_in_derivation = derivation
            trial.save(update_fields=["run_in_derivation"])


class Migration(migrations.Migration):
    dependencies = [("nof1", "0005_remove_nof1trial_status")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
