from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "supplies"

    def ready(self):
        from core.dashboard import register_tiles
        from core.navigation import register

        from .roles import SUPPLY_READERS

        register("Vật tư", "supplies:position", roles=SUPPLY_READERS, order=75)
        register_tiles(tiles, order=75)
        # Care entries consume stock: the care apps announce them (supplies sits above them in the layer order).
        from cases.signals import medicine_dispensed
        from testing.signals import test_recorded
        from vaccination.signals import dose_recorded

        medicine_dispensed.connect(_on_dispensed, dispatch_uid="supplies.dispensing")
        test_recorded.connect(_on_test, dispatch_uid="supplies.test")
        dose_recorded.connect(_on_dose, dispatch_uid="supplies.dose")


def _on_dispensed(sender, *, by, dispensing, case, **kwargs):
    from .hooks import consume_for_dispensing

    consume_for_dispensing(by=by, dispensing=dispensing, case=case)


def _on_test(sender, *, by, test, **kwargs):
    from .hooks import consume_for_test

    consume_for_test(by=by, test=test)


def _on_dose(sender, *, by, injection, **kwargs):
    from .hooks import consume_for_dose

    consume_for_dose(by=by, injection=injection)


def tiles(request):
    from .selectors import dashboard_tiles

    return dashboard_tiles(request)
