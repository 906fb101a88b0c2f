"""The moments a trial's state is derived from: stopped (with who and why), the first emergency
unblinding; and the design assistant's assumptions (its figures are cached, not stored)."""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("nof1", "0002_mark_legacy_seeded_allocations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="nof1trial",
            name="design_assumptions",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="nof1trial",
            name="stopped_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="nof1trial",
            name="stopped_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="nof1trial",
            name="stop_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="nof1trial",
            name="emergency_unblinded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
