from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.conf import settings

        from accounts.roles import JOB_READERS

        from .jobs import scheduled
        from .navigation import register

        register("Công việc định kỳ", "core:jobs", roles=JOB_READERS, order=950)
        # Proves the scheduler (celery beat or run_scheduler) is alive: /healthz/ reports it missed when it stops.
        scheduled("core-heartbeat", "core.jobs.heartbeat", minute=getattr(settings, "PHONGDICH_HEARTBEAT_MINUTES", "*/5"))
