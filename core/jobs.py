"""Background and scheduled jobs: one schedule, two runners, every run recorded.

The schedule (`SCHEDULE`, filled by the apps with `scheduled(...)` in their AppConfig.ready) is the only one:
- with REDIS_URL set, one `celery -A phongdich beat` process reads it (`beat_schedule()`) and Celery workers run
  the jobs (`run_job`);
- without Redis, `phongdich run_scheduler` runs the same schedule in-process (`run_due`, `run_forever`).
Crontab fields are parsed and matched by celery's `crontab` in both cases (`*`, `*/n`, ranges, lists, names such as
`mon` or `mon-fri`); when both day fields are restricted, both must match (celery's rule, not classic cron's OR).

Every scheduled and background run goes through `record_run`, which writes a `core.JobRun` row (job, start, end,
outcome, error, host). `job_status()` reads them back for `/healthz/` and the administrators' page: a failed last
run, or no run although the schedule said there should have been one (after a grace period), is a problem.
"""
import datetime as dt
import importlib
import logging
import os
import socket
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

log = logging.getLogger(__name__)


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@contextmanager
def record_run(job: str):
    """Record one run of `job` (a schedule name or a function path). A failure is recorded and re-raised."""
    from .logs import request_id
    from .models import JobRun

    run = JobRun.objects.create(job=job[:200], host=socket.gethostname()[:100], pid=os.getpid())
    token = request_id.set(f"job-{run.pk}")  # the run's log lines carry its id, as a request's do
    try:
        yield run
    except BaseException as exc:
        run.outcome = JobRun.Outcome.FAILED
        run.error = "".join(traceback.format_exception(exc))[-4000:]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at"])
        raise
    finally:
        request_id.reset(token)
    run.outcome = JobRun.Outcome.OK
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "finished_at"])


def call_recorded(job: str, path: str, kwargs: dict | None = None):
    with record_run(job):
        return _resolve(path)(**(kwargs or {}))


@shared_task(name="phongdich.run_job")
def run_job(path: str, kwargs: dict, job: str | None = None):
    # `job` is the schedule name when celery beat sent it; background jobs are recorded under their path.
    return call_recorded(job or path, path, kwargs)


def enqueue(path: str, *, background: bool = True, **kwargs):
    """Run the function at dotted `path` with JSON-serialisable kwargs, in the background when possible."""
    if settings.REDIS_URL:
        return run_job.delay(path, kwargs)
    if not background or settings.TESTING:
        return call_recorded(path, path, kwargs)

    def target():
        try:
            call_recorded(path, path, kwargs)
        except Exception:  # recorded as a failed JobRun; keep the thread from dying silently
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
    day_of_month: str = "*"
    month_of_year: str = "*"

    def schedule(self) -> crontab:
        return self._crontab

    @cached_property
    def _crontab(self) -> crontab:
        return crontab(minute=self.minute, hour=self.hour, day_of_week=self.day_of_week,
                       day_of_month=self.day_of_month, month_of_year=self.month_of_year)

    def matches(self, when: dt.datetime) -> bool:
        """Is `when` (local time, minute precision) one of this job's run times? Fields parsed by celery."""
        c = self.schedule()
        # crontab's day_of_week: 0 = Sunday … 6 = Saturday; isoweekday(): 1 = Monday … 7 = Sunday.
        return (when.minute in c.minute and when.hour in c.hour and when.isoweekday() % 7 in c.day_of_week
                and when.day in c.day_of_month and when.month in c.month_of_year)

    def next_after(self, when: dt.datetime) -> dt.datetime:
        """The first run time strictly after `when` (an aware datetime), in local time."""
        when = timezone.localtime(when).replace(second=0, microsecond=0)
        remaining = self.schedule().remaining_delta(when, tz=when.tzinfo)
        # remaining_delta answers (last_run_at, delta, now): last_run_at + delta is the next run after last_run_at.
        start, delta = remaining[0], remaining[1]
        nxt = timezone.localtime(start + delta) if delta else None
        if nxt is None or nxt <= when or not self.matches(nxt):  # step minute by minute as a fallback (celery's answer is exact in practice)
            nxt = when + dt.timedelta(minutes=1)
            for _ in range(366 * 24 * 60):
                if self.matches(nxt):
                    break
                nxt += dt.timedelta(minutes=1)
        return nxt


SCHEDULE: dict[str, ScheduledJob] = {}


def scheduled(name: str, path: str, *, minute="0", hour="*", day_of_week="*", day_of_month="*",
              month_of_year="*") -> None:
    """Register a periodic job (called from an AppConfig.ready). Invalid fields fail at start-up, not at midnight."""
    job = ScheduledJob(name, path, str(minute), str(hour), str(day_of_week), str(day_of_month), str(month_of_year))
    job.schedule()  # parse now: a typo raises here
    SCHEDULE[name] = job


def beat_schedule() -> dict:
    """The schedule for celery beat (one beat process only: each entry is sent once, whatever the worker count)."""
    return {
        job.name: {"task": "phongdich.run_job", "schedule": job.schedule(), "args": (job.path, {}),
                   "kwargs": {"job": job.name}}
        for job in SCHEDULE.values()
    }


# The in-process runner (no Redis) -----------------------------------------------------------------------------


def run_due(now: dt.datetime, schedule: dict[str, ScheduledJob] | None = None) -> list[str]:
    """Run every job due in the minute of `now`, each recorded; a failing job never stops the others."""
    now = timezone.localtime(now)
    ran = []
    for job in list((schedule or SCHEDULE).values()):
        if not job.matches(now):
            continue
        ran.append(job.name)
        try:
            call_recorded(job.name, job.path)
        except Exception:  # recorded in JobRun with its traceback; the scheduler lives on
            log.exception("scheduled job %s failed", job.name)
        finally:
            # As at the end of a request: drop a broken or expired connection so the next job gets a fresh one.
            # Never inside a caller's transaction (that would close it under the caller's feet).
            if not connection.in_atomic_block:
                close_old_connections()
    return ran


def run_forever(*, schedule=None, sleep=time.sleep, until: dt.datetime | None = None) -> None:
    """Check the schedule once a minute, never running a minute twice. A late tick (a busy or suspended machine)
    catches up the minutes in between, up to the grace period; older ones are left for /healthz/ to report missed.
    `until` and `sleep` exist for the simulated-month test."""
    last = None
    while until is None or timezone.now() < until:
        now = timezone.localtime().replace(second=0, microsecond=0)
        minute = now if last is None else max(last + dt.timedelta(minutes=1), now - grace())
        while minute <= now:
            try:
                run_due(minute, schedule)
            except Exception:  # e.g. the database is down for a moment: log, and try the next minute
                log.exception("scheduler tick %s failed", minute)
            last = minute
            minute += dt.timedelta(minutes=1)
        current = timezone.localtime()
        sleep(60 - current.second - current.microsecond / 1e6 + 0.01)


# Status for /healthz/ and the administrators' page ----------------------------------------------------------------


def grace() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "PHONGDICH_JOB_GRACE_MINUTES", 15))


def job_status(now: dt.datetime | None = None) -> list[dict]:
    """One entry per scheduled job: its last run, the next expected one, and whether it failed or was missed."""
    from django.db.models import Max, Min

    from .models import JobRun

    now = now or timezone.now()
    names = list(SCHEDULE)
    last_ids = JobRun.objects.filter(job__in=names).values("job").annotate(last=Max("id")).values_list("last", flat=True)
    last = {r.job: r for r in JobRun.objects.filter(id__in=list(last_ids))}
    # The scheduler's first recorded run: before it, a job that never ran was not yet due (a fresh installation).
    since = JobRun.objects.filter(job__in=names).aggregate(first=Min("started_at"))["first"]
    out = []
    for name, job in sorted(SCHEDULE.items()):
        run = last.get(name)
        reference = run.started_at if run else since
        expected = job.next_after(reference) if reference else None
        missed = bool(expected and expected + grace() < now)
        failed = bool(run and run.outcome == JobRun.Outcome.FAILED)
        out.append({
            "job": name,
            "schedule": " ".join([job.minute, job.hour, job.day_of_month, job.month_of_year, job.day_of_week]),
            "last_run": run,
            "expected": expected,
            "next": job.next_after(now),
            "failed": failed,
            "missed": missed,
            "ok": not (failed or missed),
        })
    return out


def heartbeat() -> None:
    """A scheduled job that proves the scheduler runs (every few minutes) and prunes old run records."""
    from .models import JobRun

    keep = dt.timedelta(days=getattr(settings, "PHONGDICH_JOB_RUNS_KEEP_DAYS", 90))
    JobRun.objects.filter(started_at__lt=timezone.now() - keep).delete()
