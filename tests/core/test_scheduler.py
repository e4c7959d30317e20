"""One schedule, two runners: the in-process scheduler runs exactly the runs the schedule says, through a simulated
month, with every crontab field form; a failing job is recorded and the scheduler keeps going; celery beat gets the
same schedule."""
import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from core import jobs
from core.jobs import ScheduledJob, run_forever
from core.models import JobRun

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CALLS: list[tuple[str, dt.datetime]] = []


def record_call(name):
    CALLS.append((name, timezone.localtime().replace(second=0, microsecond=0)))


def every_quarter_in_office_hours():
    record_call("quarters")


def weekday_mornings():
    record_call("weekdays")


def monday_after_midnight():
    record_call("monday")


def first_and_fifteenth():
    record_call("days")


def only_in_march():
    record_call("march")


def broken():
    record_call("broken")
    raise RuntimeError("disk full")


# Every field form: *, */n, ranges, lists, names, name ranges, day of month and month of year.
MONTH_SCHEDULE = {
    j.name: j for j in [
        ScheduledJob("quarters", f"{__name__}.every_quarter_in_office_hours", minute="*/15", hour="8-9",
                     day_of_week="sat"),
        ScheduledJob("weekdays", f"{__name__}.weekday_mornings", minute="0,30", hour="7", day_of_week="mon-fri"),
        ScheduledJob("monday", f"{__name__}.monday_after_midnight", minute="5", hour="0", day_of_week="mon"),
        ScheduledJob("days", f"{__name__}.first_and_fifteenth", minute="0", hour="12", day_of_month="1,15"),
        ScheduledJob("march", f"{__name__}.only_in_march", minute="59", hour="23", month_of_year="mar"),
        ScheduledJob("broken", f"{__name__}.broken", minute="0", hour="*/6", day_of_week="*"),
    ]
}


def local(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.mark.django_db
def test_the_scheduler_runs_exactly_the_scheduled_runs_through_a_month_and_survives_a_failing_job():
    CALLS.clear()
    start, end = local(2026, 2, 1, 0, 0, 10), local(2026, 3, 2, 0, 0)  # February 2026 + 1 March
    with time_machine.travel(start, tick=False) as traveller:
        run_forever(schedule=MONTH_SCHEDULE, sleep=lambda seconds: traveller.shift(seconds), until=end)

    def runs(name):
        return [when for job, when in CALLS if job == name]

    saturdays = [local(2026, 2, d) for d in (7, 14, 21, 28)]
    assert runs("quarters") == [s.replace(hour=h, minute=m) for s in saturdays for h in (8, 9) for m in (0, 15, 30, 45)]
    weekdays = [d for d in range(1, 29) if local(2026, 2, d).isoweekday() <= 5] + [None]
    assert runs("weekdays") == [local(2026, 2, d, 7, m) for d in weekdays if d for m in (0, 30)]
    assert len(runs("weekdays")) == 40
    assert runs("monday") == [local(2026, 2, d, 0, 5) for d in (2, 9, 16, 23)]
    assert runs("days") == [local(2026, 2, 1, 12), local(2026, 2, 15, 12), local(2026, 3, 1, 12)]
    assert runs("march") == [local(2026, 3, 1, 23, 59)]
    # Every 6 hours, although each run failed: the scheduler kept going, and every failure is on record.
    assert runs("broken") == [local(2026, 2, 1) + dt.timedelta(hours=6 * i) for i in range(29 * 4)]
    failed = JobRun.objects.filter(job="broken")
    assert failed.count() == 116 and set(failed.values_list("outcome", flat=True)) == {"failed"}
    assert "disk full" in failed.first().error
    ok = JobRun.objects.exclude(job="broken")
    assert ok.count() == 32 + 40 + 4 + 3 + 1
    assert set(ok.values_list("outcome", flat=True)) == {"ok"}
    assert all(r.finished_at >= r.started_at and r.host for r in ok)


@pytest.mark.django_db
def test_a_late_tick_catches_up_the_minutes_in_between_without_running_one_twice():
    CALLS.clear()
    schedule = {"weekdays": MONTH_SCHEDULE["weekdays"]}
    sleeps = iter([600, 60, 60])  # the machine was suspended for 10 minutes over 07:30

    with time_machine.travel(local(2026, 2, 2, 7, 25, 0), tick=False) as traveller:
        def sleep(_seconds):
            traveller.shift(next(sleeps))
        run_forever(schedule=schedule, sleep=sleep, until=local(2026, 2, 2, 7, 37))
    # The 07:30 run happened late, once, when the machine came back at 07:35.
    assert [when for _, when in CALLS] == [local(2026, 2, 2, 7, 35)]
    assert JobRun.objects.filter(job="weekdays").count() == 1


@pytest.mark.django_db
def test_after_a_long_stop_the_scheduler_does_not_replay_hours_of_old_runs():
    CALLS.clear()
    schedule = {"quarters": MONTH_SCHEDULE["quarters"]}
    sleeps = iter([3 * 3600, 60, 60])  # down from 07:00 to 10:00 on a Saturday, over the 08:00–09:45 runs

    with time_machine.travel(local(2026, 2, 7, 7, 0, 0), tick=False) as traveller:
        run_forever(schedule=schedule, sleep=lambda _s: traveller.shift(next(sleeps)), until=local(2026, 2, 7, 10, 2))
    # Only the 09:45 run, within the 15-minute grace period, is caught up (late, at 10:00); the older ones are not
    # replayed in a burst: /healthz/ and the jobs page report them missed instead.
    assert [when for _, when in CALLS] == [local(2026, 2, 7, 10, 0)]


def test_a_schedule_with_a_typo_fails_at_start_up_not_at_midnight():
    with pytest.raises(ValueError):
        jobs.scheduled("typo", "core.jobs.heartbeat", minute="5", hour="0", day_of_week="mnday")
    assert "typo" not in jobs.SCHEDULE


def test_celery_beat_gets_the_same_schedule_once_per_job():
    beat = jobs.beat_schedule()
    assert set(beat) == set(jobs.SCHEDULE)
    levels = beat["levels.weekly_assessment"]
    assert levels["task"] == "phongdich.run_job"
    assert levels["args"] == ("levels.services.weekly_assessment", {}) and levels["kwargs"] == {"job": "levels.weekly_assessment"}
    # The same crontab the in-process runner matches against.
    assert levels["schedule"] == jobs.SCHEDULE["levels.weekly_assessment"].schedule()
    assert levels["schedule"].day_of_week == {1}


@pytest.mark.django_db
def test_the_celery_task_records_its_run_under_the_schedule_name():
    jobs.run_job("core.jobs.heartbeat", {}, job="core-heartbeat")
    run = JobRun.objects.get()
    assert (run.job, run.outcome) == ("core-heartbeat", "ok")
    with pytest.raises(RuntimeError):
        jobs.run_job(f"{__name__}.broken", {})
    assert JobRun.objects.get(job=f"{__name__}.broken").outcome == "failed"


@pytest.mark.django_db
def test_a_failed_or_missed_run_shows_in_the_job_status(monkeypatch):
    schedule = {j.name: j for j in [
        ScheduledJob("hourly", "core.jobs.heartbeat", minute="0", hour="*"),
        ScheduledJob("daily", "core.jobs.heartbeat", minute="30", hour="7"),
        ScheduledJob("bad", f"{__name__}.broken", minute="0", hour="*/6"),
    ]}
    monkeypatch.setattr(jobs, "SCHEDULE", schedule)
    with time_machine.travel(local(2026, 2, 2, 6, 0, 5), tick=False) as traveller:
        jobs.run_due(timezone.now(), schedule)  # hourly and bad run at 06:00
        status = {s["job"]: s for s in jobs.job_status()}
        assert not status["hourly"]["missed"] and status["hourly"]["ok"]
        assert status["bad"]["failed"] and not status["bad"]["ok"]
        assert status["daily"]["ok"]  # not yet due (07:30)
        traveller.move_to(local(2026, 2, 2, 7, 14))  # 07:00 run is late, but within the 15-minute grace
        assert {s["job"]: s["ok"] for s in jobs.job_status()}["hourly"]
        traveller.move_to(local(2026, 2, 2, 7, 16))
        status = {s["job"]: s for s in jobs.job_status()}
        assert status["hourly"]["missed"] and status["hourly"]["expected"] == local(2026, 2, 2, 7, 0)
        traveller.move_to(local(2026, 2, 2, 7, 50))
        # The daily job never ran: since the scheduler was up at 06:00, its 07:30 run was missed.
        status = {s["job"]: s for s in jobs.job_status()}
        assert status["daily"]["missed"] and status["daily"]["expected"] == local(2026, 2, 2, 7, 30)


def test_a_second_in_process_scheduler_refuses_to_start(settings, tmp_path):
    import fcntl

    from django.core.management import CommandError, call_command

    settings.VAR_DIR = tmp_path
    settings.REDIS_URL = None
    with open(tmp_path / "scheduler.lock", "w") as held:  # the first scheduler holds the lock
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(CommandError, match="another scheduler is already running"):
            call_command("run_scheduler")
