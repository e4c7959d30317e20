"""Seed COVID-19 and its rule versions (home care, monitoring, warning signs, release, medicine).

The Disease row is get_or_create'd so the contacts and vaccination seeds can run in either order.
"""
from django.db import migrations

# Past versions in seed_covid19.py must never change; later versions are added in the UI (diseases.services).
from diseases.seed_covid19 import RULES, install


def seed(apps, schema_editor):
    install(apps.get_model("diseases", "Disease"), apps.get_model("diseases", "RuleSet"))


def unseed(apps, schema_editor):
    RuleSet = apps.get_model("diseases", "RuleSet")
    RuleSet.objects.filter(disease__code="covid19", kind__in={r["kind"] for r in RULES}, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("diseases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
