from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self):
        from core.auditing import register_recorder
        from core.navigation import register

        from . import signals  # noqa: F401
        from .services import record

        register_recorder(record)  # core's own writers record through core.auditing (core may not import audit)

        register("Nhật ký truy cập", "audit:list", roles={"sysadmin"}, order=900)
        from core.links import register_link

        # Who read or changed this person's record (administrators only, like the trail itself).
        register_link("people.person", "Lịch sử hồ sơ (nhật ký truy cập)", "audit:list", query="person", roles={"sysadmin"}, order=90)
