"""The state is derived from the moments (migration 0004), so the stored ``status`` goes.

Reversing adds the column back with its old choices; 0004 then fills it from the moments.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("nof1", "0004_trial_state_from_moments")]

    operations = [
        migrations.RemoveField(model_name="nof1trial", name="status"),
    ]

