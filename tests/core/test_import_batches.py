"""Issue #11: every import runs as a recorded background batch with progress and a final report; a batch whose worker
died is marked failed and its owner can retry it; the page shows the first errors and the CSV has them all."""
import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Case
from core import batches
from core.models import ImportBatch

pytestmark = pytest.mark.django_db
HEADER = "Họ và tên,Năm sinh,Giới tính,CCCD/CMND,Điện thoại,Mã xã,Địa chỉ,Ngày xác định,Loại xét nghiệm\n"
GOOD = "A Thị Blí,1975,Nữ,,,23281,,06/02/2022,RT-PCR\n"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploads and error reports of the test stay in its own folder


def upload(client, body: str, mode="all"):
    return client.post("/cases/nhap/", {"file": SimpleUploadedFile("ds.csv", (HEADER + body).encode()), "mode": mode})


def test_an_upload_is_recorded_as_a_batch_and_its_page_shows_the_report(personas, commune_a, client_for):
    c = client_for(personas["commune_a"])
    r = upload(c, GOOD)
    batch = ImportBatch.objects.get()
    assert r.status_code == 200 and 'id="import-result"' in r.content.decode() and "Đã nhập 1 dòng." in r.content.decode()
    assert (batch.kind, batch.status, batch.imported, batch.rows_total, batch.created_by) == ("cases", "done", 1, 1, personas["commune_a"])
    assert batch.started_at and batch.finished_at and batch.attempts == 1 and Case.objects.count() == 1
    assert batch.file_path == ""  # the upload (personal data) is not kept after its import
    page = c.get(f"/nhap/{batch.pk}/").content.decode()
    assert "Đã nhập 1 dòng." in page and "hx-get" not in page  # finished: no more polling
    assert "ds.csv" in c.get("/nhap/").content.decode()
    # Another commune's worker cannot see it (404, not 403).
    assert client_for(personas["commune_b"]).get(f"/nhap/{batch.pk}/").status_code == 404


def test_a_running_batch_is_polled_with_htmx(personas, client_for):
    batch = ImportBatch.objects.create(kind="cases", file_name="ds.csv", created_by=personas["commune_a"],
                                       status="running", heartbeat_at=timezone.now(), rows_total=10_000, rows_done=2_500)
    c = client_for(personas["commune_a"])
    page = c.get(f"/nhap/{batch.pk}/").content.decode()
    assert f'hx-get="/nhap/{batch.pk}/"' in page and 'hx-trigger="every 2s"' in page and "2500/10000" in page
    partial = c.get(f"/nhap/{batch.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("<div id=\"import-batch\"") and "<html" not in partial


def test_the_page_shows_the_first_errors_and_the_csv_has_them_all(personas, commune_a, client_for, monkeypatch):
    monkeypatch.setattr(batches, "ERRORS_SHOWN", 2)
    c = client_for(personas["commune_a"])
    body = "".join(f"Người {i},1975,Nữ,,,23281,,06/02/2022,RT-PCR\n" for i in range(5))  # digits in names: 5 bad rows
    page = upload(c, body).content.decode()
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected" and batch.error_count == 5 and len(batch.errors) == 2
    assert "Hiển thị 2 dòng lỗi đầu tiên trên tổng số 5." in page and page.count("Họ tên không hợp lệ") == 2
    r = c.get(f"/nhap/{batch.pk}/loi.csv")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert r.status_code == 200 and rows[0] == ["Dòng/Line", "Cột/Column", "Lý do", "Reason"]
    assert [row[0] for row in rows[1:]] == ["2", "3", "4", "5", "6"]
    assert client_for(personas["commune_b"]).get(f"/nhap/{batch.pk}/loi.csv").status_code == 404


def test_a_refused_file_is_reported_in_words(personas, client_for):
    c = client_for(personas["commune_a"])
    r = c.post("/cases/nhap/", {"file": SimpleUploadedFile("ds.pdf", b"%PDF-1.4"), "mode": "all"})
    assert r.status_code == 200 and 'id="import-rejected"' in r.content.decode() and "Dùng CSV hoặc XLSX" in r.content.decode()
    assert ImportBatch.objects.get().status == "rejected"


def _stale_batch(user, tmp_path, body=GOOD) -> ImportBatch:
    path = tmp_path / "imports" / "stale.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEADER + body, encoding="utf-8")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    batch = ImportBatch.objects.create(kind="cases", file_name="ds.csv", file_path=str(path), created_by=user,
                                       options={"mode": "all"}, status="running", attempts=1, heartbeat_at=long_ago)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=long_ago, started_at=long_ago)
    return batch


def test_a_batch_whose_worker_died_is_marked_failed_and_its_owner_retries_it(personas, commune_a, client_for, tmp_path):
    batch = _stale_batch(personas["commune_a"], tmp_path)
    assert batches.health_check() == {"ok": False, "running": 1, "queued": 0, "stuck": [batch.pk], "failed_last_24h": []}
    c = client_for(personas["commune_a"])
    page = c.get(f"/nhap/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    assert batch.status == "failed" and 'id="import-failed"' in page and "Nhập lại tệp này" in page
    assert batches.health_check() == {"ok": True, "running": 0, "queued": 0, "stuck": [], "failed_last_24h": [batch.pk]}
    # Only its owner may retry it.
    assert client_for(personas["district_a"]).post(f"/nhap/{batch.pk}/thu-lai/").status_code == 404
    r = c.post(f"/nhap/{batch.pk}/thu-lai/")
    batch.refresh_from_db()
    assert r.status_code == 302 and (batch.status, batch.attempts, batch.imported) == ("done", 2, 1) and Case.objects.count() == 1
    assert c.post(f"/nhap/{batch.pk}/thu-lai/").status_code == 404  # done: nothing to retry


def test_a_crash_is_a_failed_batch_with_words_not_a_trace(personas, commune_a, client_for, monkeypatch):
    from cases import imports

    def crash(self, rows, result):
        raise RuntimeError("connection reset by peer: SELECT secret")

    monkeypatch.setattr(imports.CaseLineListImporter, "save_rows", crash)
    c = client_for(personas["commune_a"])
    page = upload(c, GOOD).content.decode()
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and "Lỗi hệ thống khi nhập" in page and "SELECT secret" not in page
    assert batch.file_path and Case.objects.count() == 0
    monkeypatch.undo()
    c.post(f"/nhap/{batch.pk}/thu-lai/")
    batch.refresh_from_db()
    assert batch.status == "done" and Case.objects.count() == 1


def test_health_check_holds_no_personal_data(personas, tmp_path):
    _stale_batch(personas["commune_a"], tmp_path)
    report = batches.health_check()
    assert set(report) == {"ok", "running", "queued", "stuck", "failed_last_24h"}
    assert all(isinstance(v, bool | int) or all(isinstance(i, int) for i in v) for v in report.values())
