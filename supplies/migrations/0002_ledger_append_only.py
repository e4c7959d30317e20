from django.db import migrations

from supplies.migrations_sql import forbid_changes


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_ledger")]
    operations = [migrations.RunPython(forbid_changes, migrations.RunPython.noop)]
