from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo tình hình")

    def ready(self):
        import os

        from django.conf import settings

        from core.jobs import scheduled
        from core.navigation import register
        from core.roles import HEALTH_READERS

        from .roles import FEEDBACK_ANSWERERS, REPORT_READERS

        register("Báo cáo tình hình", "reports:list", roles=REPORT_READERS, order=80)
        register("Phản ánh, kiến nghị", "reports:feedback_list", roles=FEEDBACK_ANSWERERS, order=81)
        register("Báo cáo Thông tư 54", "reports:tt54", roles=HEALTH_READERS, order=82)
        register("Bảng điều hành", "reports:dashboard", roles=REPORT_READERS, order=5)
        # The Steering Committee lands on the dashboard's curves, the other tiles under them (issue 13 §4).
        from core.dashboard import register_home
        from core.roles import Role

        register_home("reports:dashboard", roles={Role.LEADERSHIP})
        # The daily report: data cut at 07:00 (ReportSetup.cut_time), generated at PHONGDICH_REPORT_AT (default
        # 07:30, local time), ready well before the 14:00 reporting deadline.
        at = getattr(settings, "PHONGDICH_REPORT_AT", None) or os.environ.get("PHONGDICH_REPORT_AT", "07:30")
        hour, minute = (str(int(x)) for x in at.split(":"))
        scheduled("reports-daily", "reports.services.daily_job", minute=minute, hour=hour)
        # Circular 54 summary reports of the province: the week just ended (Monday) and the month just ended (1st).
        scheduled("reports-tt54-weekly", "reports.services.circular54_weekly_job", minute="0", hour="8", day_of_week="mon")
        scheduled("reports-tt54-monthly", "reports.services.circular54_monthly_job", minute="30", hour="8", day_of_month="1")
