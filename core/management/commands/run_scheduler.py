"""In-process scheduler for installations without Redis/Celery: runs the schedule of core.jobs (the same one
celery beat runs with Redis), recording every run in core.JobRun.

`--background` starts a detached child process and returns at once (used by `make run`); its output goes to
var/scheduler.log. With REDIS_URL set, run one `celery -A phongdich beat` and the workers instead.
"""
import fcntl
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.jobs import SCHEDULE, run_due, run_forever


class Command(BaseCommand):
    help = "Run scheduled jobs in-process (the fallback when REDIS_URL is not set)."

    def add_arguments(self, parser):
        parser.add_argument("--background", action="store_true", help="start a detached scheduler and return")
        parser.add_argument("--once", action="store_true", help="run the jobs due in the current minute and exit")
        parser.add_argument("--force", action="store_true", help="run even though REDIS_URL is set (jobs twice!)")

    def handle(self, *args, **opts):
        if settings.REDIS_URL and not (opts["once"] or opts["force"]):
            raise CommandError("REDIS_URL is set: scheduled jobs run under one `celery -A phongdich beat` process "
                               "(see docs/deploy.md); running this too would run every job twice.")
        if opts["once"]:
            ran = run_due(timezone.now())
            self.stdout.write(f"ran: {', '.join(ran) or '—'}")
            return
        if opts["background"]:
            log = open(settings.VAR_DIR / "scheduler.log", "ab")  # noqa: SIM115 — handed to the child process
            child = subprocess.Popen([sys.executable, "manage.py", "run_scheduler"], stdout=log, stderr=log,
                                     start_new_session=True, cwd=settings.BASE_DIR)
            self.stdout.write(f"scheduler started (pid {child.pid}, {len(SCHEDULE)} jobs), "
                              f"log: {settings.VAR_DIR / 'scheduler.log'}")
            return
        # One scheduler per installation: a second one (a second `make run`, a unit started twice) would run every
        # job twice. The lock is released when the process ends, however it ends.
        lock = open(settings.VAR_DIR / "scheduler.lock", "w")  # noqa: SIM115 — held for the process's lifetime
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandError(f"another scheduler is already running ({settings.VAR_DIR / 'scheduler.lock'}).")
        self.stdout.write(f"scheduler running {len(SCHEDULE)} jobs: {', '.join(sorted(SCHEDULE))}")
        run_forever()
