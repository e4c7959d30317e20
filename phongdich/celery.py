"""Celery app: runs background and scheduled jobs when REDIS_URL is set (see core.jobs)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
app = Celery("phongdich")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    # Jobs registered by the apps (core.jobs.scheduled) run under celery beat when Redis is configured.
    from core.jobs import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
