from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.conf import settings

        from . import security  # noqa: F401  (registers the start-up checks of the public address and proxies)
        from .jobs import scheduled

        # Nightly backup with retention and off-site copy (docs/backup.md); off with BACKUP_SCHEDULE=0.
        if settings.BACKUP_SCHEDULE:
            scheduled("core-backup", "core.backup.scheduled_backup",
                      minute=str(settings.BACKUP_MINUTE), hour=str(settings.BACKUP_HOUR))
