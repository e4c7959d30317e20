from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "geo"

    def ready(self):
        from core.dashboard import register_tiles
        from core.navigation import register
        from core.roles import HEALTH_READERS
        from core.scoping import register_units

        from .models import AdministrativeUnit, Level
        from .tiles import tiles

        register_units(AdministrativeUnit, commune_level=Level.COMMUNE)  # core.scoping may not import geo

        register("Địa bàn", "geo:home", roles=HEALTH_READERS, order=80)
        register("Bản đồ", "geo:map", roles=HEALTH_READERS, order=81)
        register_tiles(tiles, order=90)
        from core.batches import register_import

        register_import("villages", "Nhập danh sách thôn/làng", "geo.importers.run_village_batch", page="geo:village_import")
        register_import("population", "Nhập dân số", "geo.importers.run_population_batch", page="geo:population_import")
        register_import("boundaries", "Nhập ranh giới (GeoJSON)", "geo.importers.run_boundary_batch", page="geo:boundary_import")
