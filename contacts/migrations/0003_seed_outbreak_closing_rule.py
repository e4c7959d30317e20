"""Seed the outbreak closing rule (diseases.RuleSet kind "outbreak"); values and source in contacts/seed_rules.py."""
from django.db import migrations


def seed(apps, schema_editor):
    from contacts.seed_rules import install

    install(apps.get_model("diseases", "Disease"), apps.get_model("diseases", "RuleSet"))


def unseed(apps, schema_editor):
    from contacts.seed_rules import OUTBREAK_RULE

    apps.get_model("diseases", "RuleSet").objects.filter(disease__code="covid19", kind="outbreak",
                                                        valid_from=OUTBREAK_RULE["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_contacts_outbreaks_arrivals")]
    operations = [migrations.RunPython(seed, unseed)]
