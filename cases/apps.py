from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from accounts.roles import CLINICAL_EDITORS, HEALTH_READERS
        from core.dashboard import register_tiles
        from core.navigation import register

        from . import receivers  # noqa: F401 (people.signals.persons_rehomed)

        register("Ca bệnh", "cases:list", roles=HEALTH_READERS, order=20)
        register("Cảnh báo F0", "cases:alerts", roles=CLINICAL_EDITORS, order=21)
        register("Không để F0 mất liên lạc", "cases:board", roles=HEALTH_READERS, order=22)
        register("Giường bệnh", "cases:beds", roles=HEALTH_READERS, order=23)
        from core.links import register_link

        # The person's record is the hub: open a case for this person from there.
        register_link("people.person", "Mở ca bệnh (F0)", "cases:create", query="person", roles=CLINICAL_EDITORS, order=20)
        from core.panels import register_panel

        from .panels import person_cases

        register_panel("people.person", "Ca bệnh", ("Ngày xác định", "Bệnh", "Tình trạng", "Nơi điều trị", "Mức độ"),
                       person_cases, roles=HEALTH_READERS, empty="Chưa từng là ca bệnh.", order=10)
        from .tiles import tiles

        register_tiles(tiles, order=20)
        from core.batches import register_import

        register_import("cases", "Nhập danh sách ca bệnh", "cases.imports.run_import_batch", page="cases:import")
