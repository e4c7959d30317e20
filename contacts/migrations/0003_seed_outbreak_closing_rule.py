"""Seed the outbreak closing rule (diseases.RuleSet kind "outbreak"): an outbreak ends after N days without a new case.

The research (shared/domain/rules-research.md) does not give the figure; 14 days (one incubation period after the
last case) is the value used in the 2021 MOH/BCĐQG guidance as commonly cited, stored confirmed=False until verified.
"""
import datetime as dt

from django.db import migrations

SOURCE = "Hướng dẫn giám sát, phòng chống COVID-19 (BYT/BCĐQG 2021) – chưa xác minh"


def seed(apps, schema_editor):
    Disease = apps.get_model("diseases", "Disease")
    RuleSet = apps.get_model("diseases", "RuleSet")
    disease, _ = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19", "icd10": "U07.1"})
    RuleSet.objects.get_or_create(
        disease=disease, kind="outbreak", valid_from=dt.date(2021, 1, 1),
        defaults={
            "name": "Kết thúc ổ dịch sau 14 ngày không có ca mới",
            "source_document": SOURCE,
            "values": {"close_after_days_without_case": {"value": 14, "source": SOURCE, "confirmed": False}},
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("diseases", "RuleSet").objects.filter(disease__code="covid19", kind="outbreak", valid_from=dt.date(2021, 1, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_contacts_outbreaks_arrivals")]
    operations = [migrations.RunPython(seed, unseed)]
