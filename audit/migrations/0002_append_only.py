from django.db import migrations

from audit.migrations_sql import forbid_changes


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forbid_changes, migrations.RunPython.noop)]
