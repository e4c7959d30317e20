from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from . import security  # noqa: F401  (registers the start-up checks of the public address and proxies)
