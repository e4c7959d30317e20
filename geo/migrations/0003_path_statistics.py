"""Finer planner statistics on AdministrativeUnit.path (PostgreSQL).

Every jurisdiction filter is `path LIKE '/62/608/%'`. With the default statistics PostgreSQL estimated one unit under
a district (there are 22 communes) and sorted all of the district's 173,000 doses before taking the first 50 of the
doses list (237 ms); with a histogram fine enough to see a district it walks the list's index instead (26 ms). The
same holds for the people, tests and cases lists. SQLite has no such setting: nothing to do there.
"""
from django.db import migrations

TARGET = 5000


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE geo_administrativeunit ALTER COLUMN path SET STATISTICS {TARGET}")
        schema_editor.execute("ANALYZE geo_administrativeunit")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE geo_administrativeunit ALTER COLUMN path SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_health_regions")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
