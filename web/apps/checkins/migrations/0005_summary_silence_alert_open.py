"""The panel summary says whether a "no check-in" alert is open, so a new check-in knows without
reading the alerts whether it has one to close. Existing rows are filled from the open alerts.
A patient without a row is read the old way (:mod:`apps.checkins.followup`)."""

from typing import Any

from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    alert = apps.get_model("alerts", "Alert")
    summary = apps.get_model("checkins", "PatientSummary")
    silent = alert.objects.filter(kind="no_checkin", resolved_at__isnull=True).values("patient_id")
    summary.objects.filter(patient_id__in=silent).update(silence_alert_open=True)


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0004_patient_summary"),
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="patientsummary",
            name="silence_alert_open",
            field=models.BooleanField(
                default=False,
                help_text='An open "no check-in" alert (the next check-in closes it)',
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
