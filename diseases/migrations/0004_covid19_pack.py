"""The rest of the COVID-19 pack (diseases/pack_files/covid19.yaml): the hospital-only era from the first case in
Vietnam (23/01/2020), case definition, isolation and reporting deadlines. Creates only what is missing."""
from django.db import migrations


def install(apps, schema_editor):
    from diseases.packs import install_missing

    install_missing("covid19", apps.get_model("diseases", "Disease"), apps.get_model("diseases", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("diseases", "0003_unified_rule_base")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
