from django.apps import AppConfig


class DiseasesConfig(AppConfig):
    name = "diseases"

    def ready(self):
        from core.navigation import register
        from core.roles import HEALTH_READERS

        register("Quy định", "diseases:list", roles=HEALTH_READERS, order=80)
