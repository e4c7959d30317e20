from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from core.navigation import register

        from .roles import ADMIN_USERS, USER_MANAGERS

        register("Người dùng", "accounts:users", roles=USER_MANAGERS, order=890)
        register("Dữ liệu tham chiếu", "admin:index", roles=ADMIN_USERS, order=895)
