from django.apps import AppConfig


class DiseasesConfig(AppConfig):
    name = "diseases"

    def ready(self):
        from accounts.roles import HEALTH_READERS
        from core.navigation import register

        register("Quy định", "diseases:list", roles=HEALTH_READERS, order=80)
