"""`phongdich supplies_setup`: the standard catalogue and one store per facility of the province (idempotent)."""
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the standard supplies catalogue and a store per facility of the province (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--province", default=None,
                            help="GSO code on the installation's structure (default PHONGDICH_PROVINCE_CODE)")

    def handle(self, *args, **opts):
        from geo.areas import installation_province_code, installation_structure
        from geo.models import AdministrativeUnit, Level
        from supplies.setup import create_catalogue, create_stores

        code = opts["province"] or installation_province_code()
        province = AdministrativeUnit.objects.filter(level=Level.PROVINCE, code=code, structure=installation_structure()).first()
        if province is None:
            self.stderr.write(f"Không có tỉnh mã {code}: chạy load_admin_units trước / no province {code}: run load_admin_units first")
            return
        items = create_catalogue()
        stores = create_stores(province)
        self.stdout.write(f"{len(items)} vật tư / items; " + ", ".join(f"{k}: {len(v)}" for k, v in stores.items()))
