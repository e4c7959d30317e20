"""Background and scheduled jobs.

With REDIS_URL set, `enqueue` sends the job to Celery and the schedule runs under celery beat.
Without it (the default), jobs run in-process: in a thread for web requests, inline in tests and commands,
and `phongdich run_scheduler` (started by `make run`) runs the schedule.
"""
import importlib
import logging
import threading
from dataclasses import dataclass

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@shared_task(name="phongdich.run_job")
def run_job(path: str, kwargs: dict):
    return _resolve(path)(**kwargs)


def enqueue(path: str, *, background: bool = True, **kwargs):
    """Run the function at dotted `path` with JSON-serialisable kwargs, in the background when possible."""
    if settings.REDIS_URL:
        return run_job.delay(path, kwargs)
    if not background or settings.TESTING:
        return _resolve(path)(**kwargs)

    def target():
        try:
            _resolve(path)(**kwargs)
        except Exception:  # the job records its own failure; keep the thread from dying silently
            log.exception("background job %s failed", path)
        finally:
            close_old_connections()

    thread = threading.Thread(target=target, daemon=True, name=f"job:{path}")
    thread.start()
    return thread


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    path: str
    # crontab fields in the installation's time zone (Asia/Ho_Chi_Minh)
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"

    def schedule(self):
        return crontab(minute=self.minute, hour=self.hour, day_of_week=self.day_of_week)


SCHEDULE: dict[str, ScheduledJob] = {}


def scheduled(name: str, path: str, *, minute="0", hour="*", day_of_week="*") -> None:
    """Register a periodic job (called from an AppConfig.ready)."""
    SCHEDULE[name] = ScheduledJob(name, path, minute, hour, day_of_week)


def beat_schedule() -> dict:
    return {
        job.name: {"task": "phongdich.run_job", "schedule": job.schedule(), "args": (job.path, {})}
        for job in SCHEDULE.values()
    }
