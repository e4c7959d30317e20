"""Issue #11: the dose import's batches (vaccination.ImportBatch) have the guarantees of every other import: a batch
whose worker died (old heartbeat) is marked failed, shown so on its page with a retry for its owner, and /healthz/
is 503 while it is stuck; a crash is a failed batch in words, never a trace."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core import jobs
from vaccination.models import ImportBatch, Injection

pytestmark = pytest.mark.django_db
D = dt.date
HEADER = "STT,Số CCCD/CMND,Họ và tên,Ngày sinh,Mã xã,Tên vắc xin,Loại mũi,Mũi số,Ngày tiêm,Số lô,Cơ sở tiêm\n"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploads of the test stay in its own folder


@pytest.fixture
def doses(commune_a, person_factory):
    person_factory(commune_a, full_name="Nguyễn Văn An", date_of_birth=D(1980, 3, 4), id_number="062080000001")
    return HEADER + (
        "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,01/09/2021,FA1234,TYT Quang Trung\n"
        "2,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,2,22/09/2021,FA1235,TYT Quang Trung\n"
    )


@pytest.fixture
def no_scheduled_jobs(monkeypatch):
    monkeypatch.setattr(jobs, "SCHEDULE", {})  # /healthz/ then depends on the imports only


def _stale_batch(user, tmp_path, body: str) -> ImportBatch:
    path = tmp_path / "vaccination_imports" / "stale.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(body, encoding="utf-8")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    batch = ImportBatch.objects.create(file_name="mui-tiem.csv", file_path=str(path), created_by=user, mode="all",
                                       status="running", attempts=1, heartbeat_at=long_ago, message="Ghi mũi tiêm")
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=long_ago, started_at=long_ago)
    return batch


def test_an_upload_runs_as_a_batch_and_forgets_its_file(personas, doses, client_for, tmp_path):
    c = client_for(personas["commune_a"])
    r = c.post("/vaccination/nhap/", {"file": SimpleUploadedFile("mui-tiem.csv", doses.encode())})
    batch = ImportBatch.objects.get()
    assert r.status_code == 302 and (batch.status, batch.imported, batch.attempts) == ("done", 2, 1)
    assert batch.started_at and batch.finished_at and batch.file_sha256 and batch.file_path == ""
    assert not list((tmp_path / "vaccination_imports").iterdir())  # personal data: not kept after the import


def test_a_dose_batch_whose_worker_died_is_failed_shown_and_retried_by_its_owner(personas, doses, client_for, tmp_path,
                                                                                 no_scheduled_jobs):
    batch = _stale_batch(personas["commune_a"], tmp_path, doses)
    health = Client().get("/healthz/")
    assert health.status_code == 503 and health.json()["checks"]["dose_imports"]["stuck"] == [batch.pk]
    assert "Nguyễn" not in health.content.decode() and "mui-tiem" not in health.content.decode()

    c = client_for(personas["commune_a"])
    page = c.get(f"/vaccination/nhap/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.finished_at and "dừng giữa chừng" in page and "Nhập lại tệp này" in page
    assert 'hx-trigger' not in page  # failed: no more polling
    health = Client().get("/healthz/")
    assert health.status_code == 200 and health.json()["checks"]["dose_imports"]["failed_last_24h"] == [batch.pk]

    # Only its owner may retry it; someone else sees no button and gets a 404.
    district = client_for(personas["district_a"])
    assert "Nhập lại tệp này" not in district.get(f"/vaccination/nhap/{batch.pk}/").content.decode()
    assert district.post(f"/vaccination/nhap/{batch.pk}/thu-lai/").status_code == 404
    r = c.post(f"/vaccination/nhap/{batch.pk}/thu-lai/")
    batch.refresh_from_db()
    assert r.status_code == 302 and (batch.status, batch.attempts, batch.imported) == ("done", 2, 2)
    assert Injection.objects.count() == 2 and batch.file_path == ""
    assert c.post(f"/vaccination/nhap/{batch.pk}/thu-lai/").status_code == 404  # done: nothing to retry
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(note=f"import batch {batch.pk} retried", actor=personas["commune_a"]).exists()


def test_a_queued_dose_batch_nobody_picked_up_is_stuck_then_failed(personas, doses, tmp_path):
    from vaccination import services

    batch = _stale_batch(personas["commune_a"], tmp_path, doses)
    ImportBatch.objects.filter(pk=batch.pk).update(status="pending", started_at=None, heartbeat_at=None)
    assert services.import_health()["stuck"] == [batch.pk]
    assert services.mark_stale_imports() == [batch.pk]
    assert services.import_health() == {"ok": True, "running": 0, "queued": 0, "stuck": [], "failed_last_24h": [batch.pk]}


def test_a_fresh_heartbeat_is_not_stale(personas, doses, tmp_path):
    from vaccination import services

    batch = _stale_batch(personas["commune_a"], tmp_path, doses)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    assert services.mark_stale_imports() == [] and services.import_health()["ok"]
    batch.refresh_from_db()
    assert batch.status == "running"


def test_a_crash_is_a_failed_dose_batch_in_words_and_retry_runs_it(personas, doses, client_for, monkeypatch):
    from vaccination.bulk import DoseImporter

    real_run = DoseImporter.run

    def crash(self, data, filename):
        raise RuntimeError("connection reset by peer: SELECT secret")

    monkeypatch.setattr(DoseImporter, "run", crash)
    c = client_for(personas["commune_a"])
    c.post("/vaccination/nhap/", {"file": SimpleUploadedFile("mui-tiem.csv", doses.encode())})
    batch = ImportBatch.objects.get()
    page = c.get(f"/vaccination/nhap/{batch.pk}/").content.decode()
    assert batch.status == "failed" and "Lỗi hệ thống khi nhập" in page and "SELECT secret" not in page
    assert batch.file_path and Injection.objects.count() == 0
    monkeypatch.setattr(DoseImporter, "run", real_run)
    c.post(f"/vaccination/nhap/{batch.pk}/thu-lai/")
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("done", 2) and Injection.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_shared_heartbeat_thread_beats_a_running_dose_batch(personas, monkeypatch):
    import time

    from core import batches

    monkeypatch.setattr(batches, "HEARTBEAT_SECONDS", 0.05)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    batch = ImportBatch.objects.create(file_name="mui-tiem.csv", created_by=personas["commune_a"], status="running",
                                       heartbeat_at=long_ago)
    beat = batches.Heartbeat(ImportBatch, batch.pk, lambda: {"done_rows": 60, "total_rows": 100, "message": "Kiểm tra"})
    beat.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and ImportBatch.objects.get(pk=batch.pk).heartbeat_at == long_ago:
            time.sleep(0.05)
    finally:
        beat.stopped.set()
        beat.join(5)
    batch.refresh_from_db()
    assert batch.heartbeat_at > long_ago and (batch.done_rows, batch.message) == (60, "Kiểm tra")
    from vaccination import services

    assert services.mark_stale_imports() == [] and services.import_health()["ok"]


def test_the_dose_import_list_checks_for_dead_workers_in_a_fixed_number_of_queries(personas, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(personas["commune_a"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/vaccination/nhap/").status_code == 200
        return len(ctx.captured_queries)

    long_ago = timezone.now() - dt.timedelta(hours=1)
    for _ in range(2):
        ImportBatch.objects.create(file_name="a.csv", created_by=personas["commune_a"], status="running", heartbeat_at=long_ago)
    few = queries()
    for _ in range(10):
        ImportBatch.objects.create(file_name="a.csv", created_by=personas["commune_a"], status="running", heartbeat_at=long_ago)
    assert queries() == few and ImportBatch.objects.filter(status="failed").count() == 12
