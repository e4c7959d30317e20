"""Seed vaccine products, schedules, dose policies and the "fully vaccinated" rule versions (rules-research.md §5)."""
from django.db import migrations


def forward(apps, schema_editor):
    from vaccination.seed import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0001_products_schedules_injections"),
        ("diseases", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
