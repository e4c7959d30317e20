from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.conf import settings

        from core.roles import JOB_READERS

        from . import security  # noqa: F401  (registers the start-up checks of the public address and proxies)
        from .jobs import scheduled
        from .navigation import register

        # Nightly backup with retention and off-site copy (docs/backup.md); off with BACKUP_SCHEDULE=0.
        if settings.BACKUP_SCHEDULE:
            scheduled("core-backup", "core.backup.scheduled_backup",
                      minute=str(settings.BACKUP_MINUTE), hour=str(settings.BACKUP_HOUR))
        register("Công việc định kỳ", "core:jobs", roles=JOB_READERS, order=950)
        # Proves the scheduler (celery beat or run_scheduler) is alive: /healthz/ reports it missed when it stops.
        scheduled("core-heartbeat", "core.jobs.heartbeat", minute=getattr(settings, "PHONGDICH_HEARTBEAT_MINUTES", "*/5"))
