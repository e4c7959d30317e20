from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "geo"

    def ready(self):
        from accounts.roles import HEALTH_READERS
        from core.dashboard import register_tiles
        from core.navigation import register

        from .tiles import tiles

        register("Địa bàn", "geo:home", roles=HEALTH_READERS, order=80)
        register("Bản đồ", "geo:map", roles=HEALTH_READERS, order=81)
        register("Khu vực y tế", "geo:regions", roles=HEALTH_READERS, order=82)
        register_tiles(tiles, order=90)
        from core.batches import register_import

        register_import("villages", "Nhập danh sách thôn/làng", "geo.importers.run_village_batch", page="geo:village_import")
        register_import("population", "Nhập dân số", "geo.importers.run_population_batch", page="geo:population_import")
        register_import("boundaries", "Nhập ranh giới (GeoJSON)", "geo.importers.run_boundary_batch", page="geo:boundary_import")
