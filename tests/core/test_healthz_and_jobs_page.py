"""`GET /healthz/` for load balancers and monitoring, and the administrators' page of scheduled jobs."""
import datetime as dt
import json
import logging
import zoneinfo

import pytest
import time_machine
from django.test import Client

from core import health, jobs
from core.models import JobRun

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def fail_loudly():
    raise RuntimeError("Nguyễn Văn A 079012345678")  # an error text that must never leave through /healthz/


@pytest.fixture
def one_job(monkeypatch):
    schedule = {"hourly": jobs.ScheduledJob("hourly", "core.jobs.heartbeat", minute="0", hour="*")}
    monkeypatch.setattr(jobs, "SCHEDULE", schedule)
    return schedule


@pytest.mark.django_db
def test_healthz_is_200_json_without_sign_in_when_everything_is_healthy(one_job):
    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 0, 5, tzinfo=TZ), tick=False):
        jobs.run_due(dt.datetime(2026, 2, 2, 6, 0, tzinfo=TZ), one_job)
    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 30, tzinfo=TZ), tick=False):
        response = Client().get("/healthz/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json" and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert body["checks"]["jobs"]["jobs"]["hourly"] == {
        "ok": True, "last_started": "2026-02-02T06:00:05+07:00", "last_finished": "2026-02-02T06:00:05+07:00",
        "last_outcome": "ok", "failed": False, "missed": False, "expected": "2026-02-02T07:00:00+07:00",
    }


@pytest.mark.django_db
def test_healthz_is_503_when_a_job_failed_and_shows_no_error_text(one_job, monkeypatch):
    monkeypatch.setitem(one_job, "hourly", jobs.ScheduledJob("hourly", f"{__name__}.fail_loudly", minute="0"))
    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 0, 5, tzinfo=TZ), tick=False):
        jobs.run_due(dt.datetime(2026, 2, 2, 6, 0, tzinfo=TZ), one_job)
        response = Client().get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["checks"]["jobs"]["jobs"]["hourly"]["failed"]
    assert "Nguyễn" not in response.content.decode() and "079012345678" not in response.content.decode()
    assert "079012345678" in JobRun.objects.get().error  # the administrators' page has the detail


@pytest.mark.django_db
def test_healthz_is_503_when_a_run_was_missed(one_job):
    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 0, 5, tzinfo=TZ), tick=False) as traveller:
        jobs.run_due(dt.datetime(2026, 2, 2, 6, 0, tzinfo=TZ), one_job)
        traveller.move_to(dt.datetime(2026, 2, 2, 7, 20, tzinfo=TZ))  # 07:00 never ran; grace is 15 minutes
        response = Client().get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["jobs"]["jobs"]["hourly"]["missed"]


@pytest.mark.django_db
def test_a_registered_check_that_raises_makes_healthz_503_with_only_the_error_type(one_job, monkeypatch):
    def stuck_imports():
        raise ValueError("row 12: Trần Thị B")

    monkeypatch.setitem(health.CHECKS, "imports", stuck_imports)
    response = Client().get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["imports"]["ok"] is False
    assert response.json()["checks"]["imports"]["error"] == "ValueError"
    assert "Trần" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_never_redirects_in_production_mode_nor_checks_the_host(one_job, settings):
    # Production: HTTPS redirect on, a strict host list; a load balancer probes by address over plain HTTP.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["phongdich.kontum.gov.vn"]
    response = Client().get("/healthz/", HTTP_HOST="10.0.0.5")
    assert response.status_code == 200
    assert Client().get("/", HTTP_HOST="phongdich.kontum.gov.vn").status_code == 301  # everything else redirects


@pytest.mark.django_db
def test_a_signed_in_administrator_without_second_factor_still_gets_healthz(one_job, personas):
    c = Client()
    c.force_login(personas["admin"])  # no verified second factor: every page sends him to set it up
    assert c.get("/").status_code == 302
    assert c.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_request_ids_are_returned_honoured_and_in_every_log_record(one_job, caplog):
    c = Client()
    response = c.get("/healthz/", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert response["X-Request-ID"] == "lb-1234.abc"
    generated = c.get("/healthz/")["X-Request-ID"]
    assert len(generated) == 32 and generated != "lb-1234.abc"
    assert c.get("/healthz/", HTTP_X_REQUEST_ID="bad id\nInjected: 1")["X-Request-ID"] != "bad id\nInjected: 1"

    from core.logs import RequestIdFilter, json_formatter

    def view_that_logs(request):
        logging.getLogger("phongdich.test").warning("processing %s", "x")
        from django.http import HttpResponse

        return HttpResponse("ok")

    from django.test import RequestFactory

    from core.logs import RequestIdMiddleware

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("phongdich.test")
    logger.addHandler(handler)
    try:
        RequestIdMiddleware(view_that_logs)(RequestFactory().get("/x", HTTP_X_REQUEST_ID="req-42"))
    finally:
        logger.removeHandler(handler)
    assert records[0].request_id == "req-42"
    line = json.loads(json_formatter().format(records[0]))
    assert line["message"] == "processing x" and line["request_id"] == "req-42"
    assert line["level"] == "WARNING" and line["logger"] == "phongdich.test" and "time" in line


@pytest.mark.django_db
def test_the_jobs_page_shows_failed_and_missed_runs_to_administrators_only(one_job, personas, client_for, monkeypatch):
    monkeypatch.setitem(one_job, "broken", jobs.ScheduledJob("broken", f"{__name__}.fail_loudly", minute="0"))
    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 0, 5, tzinfo=TZ), tick=False) as traveller:
        jobs.run_due(dt.datetime(2026, 2, 2, 6, 0, tzinfo=TZ), one_job)
        traveller.move_to(dt.datetime(2026, 2, 2, 7, 20, tzinfo=TZ))
        for who in ("admin", "health_dept"):
            page = client_for(personas[who]).get("/jobs/")
            assert page.status_code == 200
            html = page.content.decode()
            assert "2 công việc cần xử lý" in html
            assert "lần chạy gần nhất thất bại" in html and "không chạy đúng lịch" in html
            assert "02/02/2026 06:00" in html and "02/02/2026 07:00" in html  # last run, missed run (dd/mm/yyyy)
            assert "RuntimeError" in html
        english = client_for(personas["admin"])
        english.cookies["django_language"] = "en"
        assert "Scheduled jobs" in english.get("/jobs/").content.decode()
        for who in ("commune_a", "leader", "care_a"):
            assert client_for(personas[who]).get("/jobs/").status_code == 403
        assert Client().get("/jobs/").status_code == 302


@pytest.mark.django_db
def test_the_jobs_page_and_healthz_use_a_fixed_number_of_queries(personas, client_for, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    schedule = {f"job{i}": jobs.ScheduledJob(f"job{i}", "core.jobs.heartbeat", minute=str(i)) for i in range(3)}
    monkeypatch.setattr(jobs, "SCHEDULE", schedule)
    c = client_for(personas["admin"])

    def counts():
        with CaptureQueriesContext(connection) as page:
            assert c.get("/jobs/").status_code == 200
        with CaptureQueriesContext(connection) as probe:
            Client().get("/healthz/")
        return len(page), len(probe)

    JobRun.objects.bulk_create(JobRun(job=f"job{i % 3}", outcome="ok", host="a") for i in range(6))
    few = counts()
    more = {f"job{i}": jobs.ScheduledJob(f"job{i}", "core.jobs.heartbeat", minute=str(i)) for i in range(12)}
    monkeypatch.setattr(jobs, "SCHEDULE", more)
    JobRun.objects.bulk_create(JobRun(job=f"job{i % 12}", outcome="failed", host="b") for i in range(150))
    assert counts() == few  # 4× the jobs, 25× the runs: the same queries


def test_run_scheduler_refuses_to_run_next_to_celery_beat(settings):
    from django.core.management import CommandError, call_command

    settings.REDIS_URL = "redis://127.0.0.1:6379/1"
    with pytest.raises(CommandError, match="would run every job twice"):
        call_command("run_scheduler")


@pytest.mark.django_db
def test_a_jobs_log_lines_carry_the_run_id(caplog, monkeypatch):
    from core.logs import RequestIdFilter

    def logging_job():
        logging.getLogger("phongdich.job").warning("working")

    monkeypatch.setattr(f"{__name__}.logging_job", logging_job, raising=False)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="phongdich.job"):
        jobs.call_recorded("demo-job", f"{__name__}.logging_job")
    [record] = [r for r in caplog.records if r.name == "phongdich.job"]
    assert record.request_id == f"job-{JobRun.objects.get(job='demo-job').pk}"


@pytest.mark.django_db
def test_healthz_is_503_while_an_import_is_stuck_and_names_only_its_batch_id(one_job, personas):
    from core.models import ImportBatch

    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 0, 5, tzinfo=TZ), tick=False):
        jobs.run_due(dt.datetime(2026, 2, 2, 6, 0, tzinfo=TZ), one_job)
        batch = ImportBatch.objects.create(kind="people", file_name="Danh sách Nguyễn Văn A.xlsx", created_by=personas["commune_a"],
                                           status=ImportBatch.Status.RUNNING, heartbeat_at=dt.datetime(2026, 2, 2, 6, 0, tzinfo=TZ))
    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 5, tzinfo=TZ), tick=False):
        assert Client().get("/healthz/").status_code == 200  # its worker is still beating
    with time_machine.travel(dt.datetime(2026, 2, 2, 6, 30, tzinfo=TZ), tick=False):
        response = Client().get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["imports"]["stuck"] == [batch.pk]
    assert "Nguyễn" not in response.content.decode()
