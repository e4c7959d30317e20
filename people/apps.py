from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self):
        from core.dashboard import register_tiles
        from core.navigation import register
        from core.roles import HEALTH_READERS, PERSON_EDITORS

        register("Người dân", "people:list", roles=HEALTH_READERS, order=10)
        register("Nhập danh sách", "people:import", roles=PERSON_EDITORS, order=11)
        register_tiles(people_tiles, order=10)
        from core.batches import register_import

        register_import("people", "Nhập danh sách người dân", "people.importers.run_import_batch", page="people:import")


def people_tiles(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from core.roles import HEALTH_READERS

    from .views import visible_people

    if not request.user.has_role(HEALTH_READERS):
        return []
    return [{"label": _("Người dân trong địa bàn"), "value": f"{visible_people(request.user).count():,}".replace(",", "."), "url": reverse("people:list"), "tone": ""}]
