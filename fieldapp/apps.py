from django.apps import AppConfig


class FieldappConfig(AppConfig):
    name = "fieldapp"
    verbose_name = "Ứng dụng thực địa"
