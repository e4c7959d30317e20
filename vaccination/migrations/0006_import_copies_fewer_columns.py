"""The bulk import COPYs only the columns a dose carries; the bookkeeping columns take database defaults (PostgreSQL:
parsing a timestamp, a JSON value and three empty strings per row was a third of the COPY). The ORM always writes
every column itself, so these defaults never change what it stores. The person index goes: the unique dose index
(person, kind, number) already leads with the person, and a person has a handful of doses to sort."""
from django.db import migrations

DEFAULTS = {"created_at": "now()", "updated_at": "now()", "version": "1", "warnings": "'[]'::jsonb",
            "override_reason": "''", "vaccinator_name": "''", "source": "'import'"}


def set_defaults(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite imports insert every column
    alters = ", ".join(f"ALTER COLUMN {c} SET DEFAULT {v}" for c, v in DEFAULTS.items())
    schema_editor.execute(f"ALTER TABLE vaccination_injection {alters}")


def drop_defaults(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    alters = ", ".join(f"ALTER COLUMN {c} DROP DEFAULT" for c in DEFAULTS)
    schema_editor.execute(f"ALTER TABLE vaccination_injection {alters}")


class Migration(migrations.Migration):

    dependencies = [
        ("vaccination", "0005_staff_references_checked_set_based"),
    ]

    operations = [
        migrations.RunPython(set_defaults, drop_defaults),
        migrations.RemoveIndex(model_name="injection", name="vacc_inj_person_idx"),
    ]
