from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Default schedule of the weekly assessment: Mondays just after the 00:00 data cut (Kon Tum's practice, rules-research 1.3).
# Override with settings.LEVELS_ASSESSMENT_SCHEDULE = {"minute": …, "hour": …, "day_of_week": …}.
DEFAULT_SCHEDULE = {"minute": "5", "hour": "0", "day_of_week": "mon"}


class LevelsConfig(AppConfig):
    name = "levels"
    verbose_name = _("Cấp độ dịch")

    def ready(self):
        from django.conf import settings

        from accounts.roles import HEALTH_READERS
        from core.dashboard import register_tiles
        from core.jobs import scheduled
        from core.navigation import register

        from .tiles import tiles

        register("Cấp độ dịch", "levels:map", roles=HEALTH_READERS, order=60)
        register_tiles(tiles, order=60)
        schedule = {**DEFAULT_SCHEDULE, **getattr(settings, "LEVELS_ASSESSMENT_SCHEDULE", {})}
        scheduled("levels.weekly_assessment", "levels.services.weekly_assessment", **schedule)
        from core.batches import register_import

        from .rule_kinds import register as register_rule_kinds

        register_rule_kinds()  # criteria versions in the one rule base (diseases.rules)
        register_import("criteria", "Nhập số liệu tiêu chí", "levels.importers.run_criteria_batch", page="levels:entry")
