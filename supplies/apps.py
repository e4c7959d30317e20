from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "supplies"

    def ready(self):
        from core.dashboard import register_tiles
        from core.navigation import register

        from .roles import SUPPLY_READERS

        register("Vật tư", "supplies:position", roles=SUPPLY_READERS, order=75)
        register_tiles(tiles, order=75)


def tiles(request):
    from .selectors import dashboard_tiles

    return dashboard_tiles(request)
