from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataprotectionConfig(AppConfig):
    name = "dataprotection"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")

    def ready(self):
        from core.jobs import scheduled
        from core.navigation import register

        from .roles import DP_OFFICERS

        register("Bảo vệ dữ liệu cá nhân", "dataprotection:index", roles=DP_OFFICERS, order=95)
        # Weekly, Sunday 03:15 (crontab 0 = Sunday): people past their retention period are pseudonymised
        # (the dry-run report is on the page).
        scheduled("dataprotection-retention", "dataprotection.services.retention_job", minute="15", hour="3",
                  day_of_week="0")
