"""Seed COVID-19 and its rule versions (home care, monitoring, warning signs, release, medicine).

The Disease row is get_or_create'd so the contacts and vaccination seeds can run in either order.
"""
import datetime as dt

from django.db import migrations

# Past versions in seed_covid19.py must never change; later versions are added in the UI (diseases.services).
from diseases.seed_covid19 import RULES


def seed(apps, schema_editor):
    Disease = apps.get_model("diseases", "Disease")
    RuleSet = apps.get_model("diseases", "RuleSet")
    covid, _ = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19", "icd10": "U07.1"})
    for r in RULES:
        RuleSet.objects.get_or_create(
            disease=covid, kind=r["kind"], valid_from=dt.date.fromisoformat(r["valid_from"]),
            defaults={"name": r["name"], "source_document": r["source_document"], "values": r["values"]},
        )


def unseed(apps, schema_editor):
    RuleSet = apps.get_model("diseases", "RuleSet")
    RuleSet.objects.filter(disease__code="covid19", kind__in={r["kind"] for r in RULES}, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("diseases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
