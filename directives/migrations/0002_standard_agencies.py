"""The province's usual agencies (and the other ways directives name them), so directives can be matched to them."""
from django.db import migrations


def add(apps, schema_editor):
    from core.text import fold
    from directives.catalog import STANDARD_AGENCIES

    Agency = apps.get_model("accounts", "Agency")
    for name, short, kind, aliases in STANDARD_AGENCIES:
        agency = Agency.objects.filter(name=name).first()
        if agency is None:
            Agency.objects.create(name=name, short_name=short, kind=kind, aliases=aliases, name_folded=fold(name))
        elif not agency.aliases:
            agency.aliases = aliases
            agency.save(update_fields=["aliases"])


class Migration(migrations.Migration):
    dependencies = [("directives", "0001_directives_tasks"), ("accounts", "0002_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
