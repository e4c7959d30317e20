from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self):
        from core.navigation import register

        from . import signals  # noqa: F401

        register("Nhật ký truy cập", "audit:list", roles={"sysadmin"}, order=900)
