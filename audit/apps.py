from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self):
        from core.navigation import register

        from . import signals  # noqa: F401

        register("Nhật ký truy cập", "audit:list", roles={"sysadmin"}, order=900)
        from core.links import register_link

        # Who read or changed this person's record (administrators only, like the trail itself).
        register_link("people.person", "Lịch sử hồ sơ (nhật ký truy cập)", "audit:list", query="person", roles={"sysadmin"}, order=90)
