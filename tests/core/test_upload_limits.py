"""Issue #11: uploads are bounded. Too large a request is refused in words before it is read; an XLSX that would
expand beyond its budget (a "zip bomb") is refused before openpyxl opens it; a file may not hold too many rows."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.imports import FileRejected
from core.models import ImportBatch
from people.importers import PersonImporter
from people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_an_upload_over_the_limit_is_refused_in_words_before_it_is_read(personas, client_for, settings):
    settings.PHONGDICH_UPLOAD_MAX_MB = 1
    c = client_for(personas["commune_a"])
    big = SimpleUploadedFile("ds.csv", b"Ho ten,Nam sinh,Gioi tinh\n" + b"x" * (3 * 1024 * 1024))
    r = c.post("/people/nhap/", {"file": big})
    page = r.content.decode()
    assert r.status_code == 413 and "Tệp quá lớn: tối đa 1 MB" in page and "The file is too large: 1 MB at most" in page
    big.seek(0)
    # The page posts with HTMX, which swaps only successful answers: the refusal lands where the report would be.
    r = c.post("/people/nhap/", {"file": big}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="import-rejected"' in r.content.decode()
    assert not ImportBatch.objects.exists() and not Person.objects.exists()


def test_the_import_layer_checks_the_size_again(personas, settings):
    from core.batches import start_import

    settings.PHONGDICH_UPLOAD_MAX_MB = 1
    batch = start_import(kind="people", by=personas["commune_a"], upload=SimpleUploadedFile("ds.csv", b"x" * (1024 * 1024 + 1)))
    assert batch.status == "rejected" and "Tệp quá lớn" in batch.report["rejected_vi"] and not batch.file_path


def zip_bomb(expanded_mb: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", b" " * (expanded_mb * 1024 * 1024))
    return buf.getvalue()


def test_an_xlsx_that_expands_beyond_its_budget_is_refused_before_it_is_opened(personas, client_for, settings):
    settings.PHONGDICH_XLSX_MAX_EXPANDED_MB = 8
    bomb = zip_bomb(4)  # shared strings: over a quarter of the budget
    assert len(bomb) < 100_000
    with pytest.raises(FileRejected) as exc:
        PersonImporter(by=personas["commune_a"]).run(bomb, "ds.xlsx")
    assert "giải nén vượt quá 8 MB" in exc.value.message_vi and "expands beyond 8 MB" in exc.value.message_en
    r = client_for(personas["commune_a"]).post("/people/nhap/", {"file": SimpleUploadedFile("ds.xlsx", bomb)})
    assert r.status_code == 200 and "giải nén vượt quá 8 MB" in r.content.decode()
    assert ImportBatch.objects.get().status == "rejected"


def test_a_file_with_too_many_rows_is_refused(personas, settings):
    settings.PHONGDICH_IMPORT_MAX_ROWS = 3
    data = ("Họ tên,Năm sinh,Giới tính,Mã xã\n" + "Nguyễn Văn An,1980,Nam,23281\n" * 4).encode()
    with pytest.raises(FileRejected) as exc:
        PersonImporter(by=personas["commune_a"]).run(data, "ds.csv")
    assert "hơn 3 dòng" in exc.value.message_vi and "more than 3 data rows" in exc.value.message_en


def test_cells_right_of_the_header_are_not_kept(personas, commune_a):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Họ tên", "Năm sinh", "Giới tính", "Mã xã"])
    ws.append(["Nguyễn Văn An", 1980, "Nam", "23281", *(["rác"] * 500)])
    buf = io.BytesIO()
    wb.save(buf)
    from core.imports import read_rows

    header, body = read_rows(buf.getvalue(), "ds.xlsx")
    assert len(header) == 4 and [len(cells) for _, cells in body] == [4]
