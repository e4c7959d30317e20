"""In-process scheduler for installations without Redis/Celery: runs the jobs registered in core.jobs.SCHEDULE.

`--background` starts a detached child process and returns at once (used by `make run`).
With REDIS_URL set, use `celery -A phongdich beat` and `celery -A phongdich worker` instead.
"""
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.jobs import SCHEDULE, _resolve


class Command(BaseCommand):
    help = "Run scheduled jobs in-process (the fallback when REDIS_URL is not set)."

    def add_arguments(self, parser):
        parser.add_argument("--background", action="store_true")
        parser.add_argument("--once", action="store_true", help="run the jobs due in the current minute and exit")

    def handle(self, *args, **opts):
        if settings.REDIS_URL and not opts["once"]:
            self.stdout.write("REDIS_URL is set: run `celery -A phongdich worker -B` instead.")
            return
        if opts["background"]:
            subprocess.Popen([sys.executable, "manage.py", "run_scheduler"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            self.stdout.write(f"scheduler started ({len(SCHEDULE)} jobs)")
            return
        while True:
            now = timezone.localtime()
            for job in SCHEDULE.values():
                if _matches(job, now):
                    try:
                        _resolve(job.path)()
                    except Exception as exc:  # keep the scheduler alive; the job logs its own failure
                        self.stderr.write(f"{job.name}: {exc}")
            if opts["once"]:
                return
            time.sleep(60 - timezone.localtime().second)


def _matches(job, now) -> bool:
    def field_ok(spec: str, value: int) -> bool:
        if spec == "*":
            return True
        return any(int(part) == value for part in spec.split(","))

    # crontab day_of_week: 0 = Sunday … 6 = Saturday; Python weekday(): 0 = Monday.
    return field_ok(job.minute, now.minute) and field_ok(job.hour, now.hour) and field_ok(job.day_of_week, (now.weekday() + 1) % 7)
