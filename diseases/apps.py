from django.apps import AppConfig


class DiseasesConfig(AppConfig):
    name = "diseases"
