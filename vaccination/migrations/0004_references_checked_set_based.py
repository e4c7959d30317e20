"""Injection references without per-row database FK checks (verified set-based by services and the importer);
the per-person summary keyed by a plain person id (derived data, rebuilt here)."""
import django.db.models.deletion
from django.db import migrations, models


def rebuild(apps, schema_editor):
    from vaccination.services import refresh_summary

    refresh_summary(person_filter_sql="SELECT DISTINCT person_id FROM vaccination_injection")


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0003_fewer_indexes_for_bulk_import"),
        ("geo", "0001_initial"),
        ("people", "0002_trigram_search"),
    ]

    operations = [
        migrations.AlterField("injection", "person", models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="injections", to="people.person", verbose_name="Người được tiêm")),
        migrations.AlterField("injection", "commune", models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.administrativeunit", verbose_name="Xã/phường")),
        migrations.AlterField("injection", "product", models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="injections", to="vaccination.product", verbose_name="Vắc xin")),
        migrations.AlterField("injection", "schedule", models.ForeignKey(blank=True, null=True, db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="vaccination.schedule")),
        migrations.AlterField("injection", "batch", models.ForeignKey(blank=True, null=True, db_constraint=False, db_index=False, on_delete=django.db.models.deletion.SET_NULL, related_name="injections", to="vaccination.importbatch")),
        migrations.DeleteModel("PersonVaccination"),
        migrations.CreateModel(
            name="PersonVaccination",
            fields=[
                ("person_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("birth_date", models.DateField()),
                ("first_on", models.DateField(null=True)),
                ("primary_done_on", models.DateField(null=True)),
                ("additional_on", models.DateField(null=True)),
                ("booster1_on", models.DateField(null=True)),
                ("last_on", models.DateField(null=True)),
                ("dose_count", models.PositiveSmallIntegerField(default=0)),
                ("commune", models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.administrativeunit")),
            ],
            options={"indexes": [models.Index(fields=["commune", "birth_date"], name="vacc_pv_commune_idx")]},
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
