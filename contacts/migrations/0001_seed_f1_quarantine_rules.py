"""Seed the COVID-19 F1 quarantine rule versions (diseases.RuleSet kind "f1_quarantine"): 5599/BYT-MT,
10696/BYT-MT, 762/BYT-DP, 1909/BYT-DP. The values and their sources live in contacts/seed_rules.py."""
from django.db import migrations


def seed(apps, schema_editor):
    from contacts.seed_rules import VERSIONS, install

    install(apps.get_model("diseases", "Disease"), apps.get_model("diseases", "RuleSet"))
    assert VERSIONS


def unseed(apps, schema_editor):
    from contacts.seed_rules import VERSIONS

    apps.get_model("diseases", "RuleSet").objects.filter(
        disease__code="covid19", kind="f1_quarantine", valid_from__in=[v["valid_from"] for v in VERSIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("diseases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
