"""WSGI entry for bench/cases_board.py: production settings, but static files without a collectstatic manifest."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402

settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
