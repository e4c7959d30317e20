"""Criteria versions 4800/QĐ-BYT and 218/QĐ-BYT and the measures catalogue of 128/NQ-CP (levels/criteria_data.py)."""
from django.db import migrations


def seed(apps, schema_editor):
    from levels.criteria_data import MEASURE_SOURCE, MEASURES, VERSIONS

    CriteriaVersion = apps.get_model("levels", "CriteriaVersion")
    Measure = apps.get_model("levels", "Measure")
    for data in VERSIONS:
        CriteriaVersion.objects.update_or_create(code=data["code"], defaults={k: v for k, v in data.items() if k != "code"})
    if not Measure.objects.exists():
        Measure.objects.bulk_create([
            Measure(level=level, category=cat, text=text, confirmed=confirmed, source=MEASURE_SOURCE, order=i)
            for i, (level, cat, text, confirmed) in enumerate(MEASURES)
        ])


class Migration(migrations.Migration):
    dependencies = [("levels", "0001_epidemic_levels")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
