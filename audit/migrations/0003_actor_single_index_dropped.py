import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from audit.migrations_sql import forbid_changes


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        # SQLite rebuilds the table to alter a column, which drops its triggers: the append-only ones are put back.
        migrations.RunPython(forbid_changes, migrations.RunPython.noop),
    ]
