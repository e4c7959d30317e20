from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self):
        from accounts.roles import HEALTH_READERS
        from core.navigation import register

        register("Người dân", "people:list", roles=HEALTH_READERS, order=10)
