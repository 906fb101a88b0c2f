"""Make every stored trial's moments say what its old ``status`` said, before the column goes.

The state is derived from the moments (``lowdose.outcomes.trial_states``):

* ``designed`` stays designed (no kits yet); ``running`` (old: kits prepared, plan not locked)
  becomes ``kits_prepared`` — the clinician locks the plan next, and the patient starts then;
* ``locked`` with its kits prepared becomes ``locked``/``running``/``finished`` by the dates;
  ``locked`` *before* its kits (the dead end this release removes) becomes ``designed`` with its
  lock kept: the pharmacist records the kits prepared and the trial continues from ``locked``;
* ``unblinded`` stays unblinded (a missing moment is taken from the lock or the design);
* a trial with an emergency unblinding is ``emergency_unblinded`` from the first one: revealing a
  kit now ends the blind.

The design assistant's assumptions are copied out of stored figures, which stay where they are.
Reversing writes ``status`` back from the moments (an emergency or a stop leaves the old status
the moments imply; the old model had no such state).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

ASSUMED = ("effect", "sd", "sd_source", "ar1", "ar1_source", "reps")


def moments_from_status(apps: Any, schema_editor: Any) -> None:
    Nof1Trial = apps.get_model("nof1", "Nof1Trial")
    EmergencyUnblinding = apps.get_model("nof1", "EmergencyUnblinding")
    for trial in Nof1Trial.objects.all():
        changed = []
        if trial.status == "running" and trial.kits_prepared_at is None:
            trial.kits_prepared_at = trial.created_at
            changed.append("kits_prepared_at")
        if trial.status == "unblinded" and trial.unblinded_at is None:
            trial.unblinded_at = trial.locked_at or trial.created_at
            changed.append("unblinded_at")
        first = EmergencyUnblinding.objects.filter(trial=trial).order_by("at").first()
        if first is not None and trial.emergency_unblinded_at is None:
            trial.emergency_unblinded_at = first.at
            changed.append("emergency_unblinded_at")
        figures = trial.operating_characteristics or {}
        if trial.design_assumptions is None and all(k in figures for k in ASSUMED):
            trial.design_assumptions = {
                **{k: figures[k] for k in ASSUMED},
                "seed": 0,
                "outcome": trial.outcome,
                "mcid": figures.get("mcid", trial.mcid),
            }
            changed.append("design_assumptions")
        if changed:
            trial.save(update_fields=changed)


def status_from_moments(apps: Any, schema_editor: Any) -> None:
    Nof1Trial = apps.get_model("nof1", "Nof1Trial")
    for trial in Nof1Trial.objects.all():
        if trial.unblinded_at is not None:
            status = "unblinded"
        elif trial.locked_at is not None:
            status = "locked"
        elif trial.kits_prepared_at is not None:
            status = "running"
        else:
            status = "designed"
        if trial.status != status:
            trial.status = status
            trial.save(update_fields=["status"])


class Migration(migrations.Migration):
    dependencies = [("nof1", "0003_trial_state_moments")]

    operations = [migrations.RunPython(moments_from_status, status_from_moments)]
