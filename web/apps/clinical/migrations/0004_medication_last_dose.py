from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clinical", "0003_prescription_custom_steps")]

    operations = [
        migrations.RenameField(model_name="medication", old_name="stopped_on", new_name="last_dose"),
    ]
