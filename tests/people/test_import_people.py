import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from core.imports import FileRejected
from geo.models import Village
from people.importers import PersonImporter
from people.models import Person

from .helpers import csv_bytes, xlsx_bytes

HEADER = ["Họ tên", "Ngày sinh", "Năm sinh", "Giới tính", "CCCD/CMND", "Điện thoại", "Dân tộc", "Nghề nghiệp", "Nơi làm việc", "Mã xã", "Tên thôn"]


def good_rows(commune):
    return [
        ["Nguyễn Văn An", "05/03/1980", "", "Nam", "062080000123", "0905 123 456", "Kinh", "Nông dân", "", commune.code, "Thôn 1"],
        ["trần thị  bích", "", "1955", "Nữ", "", "+84 86 234 5678", "Xơ Đăng", "", "", commune.code, ""],
        ["Lê Văn Cường", "12/12/2010", "", "Nam", "", "", "Ba Na", "Học sinh", "Trường THCS Quang Trung", commune.code, ""],
    ]


@pytest.fixture
def village_a(commune_a):
    return Village.objects.create(commune=commune_a, name="Thôn 1")


def run(user, data, name="ds.csv", **kw):
    return PersonImporter(by=user, today=dt.date(2022, 2, 14), **kw).run(data, name)


def test_it_imports_people_with_normalised_fields(personas, commune_a, village_a, person_factory):
    result = run(personas["commune_a"], csv_bytes([HEADER, *good_rows(commune_a)]))
    assert result.ok and result.saved and result.imported == 3
    an = Person.objects.get(id_number="062080000123")
    assert (an.version, an.comorbidities, an.is_pregnant, an.merged_into) == (1, [], False, None) and an.created_at and an.updated_at
    assert (an.date_of_birth, an.sex, an.phone, an.ethnicity, an.village, an.commune) == (dt.date(1980, 3, 5), "M", "0905123456", "01", village_a, commune_a)
    bich = Person.objects.get(name_folded="tran thi bich")
    assert (bich.full_name, bich.birth_year, bich.date_of_birth, bich.phone, bich.ethnicity) == ("Trần Thị Bích", 1955, None, "0862345678", "14")
    # Each person's creation is in the audit trail, and the import as a whole with the ids it created.
    event = AuditEvent.objects.get(action="create", person_id=an.pk, actor=personas["commune_a"])
    assert event.at and event.changes is None and AuditEvent.objects.filter(pk=event.pk, changes__isnull=True).exists()
    assert sorted(AuditEvent.objects.get(action="import").records) == sorted(Person.objects.values_list("pk", flat=True))
    later = person_factory(commune_a, full_name="Đến Sau")  # ids keep coming from the same sequence
    assert later.pk > max(Person.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_a_file_with_one_bad_row_imports_nothing(personas, commune_a, village_a):
    rows = good_rows(commune_a)
    rows.insert(1, ["Phạm Văn Dũng", "31/02/1990", "", "Nam", "", "", "", "", "", commune_a.code, ""])
    result = run(personas["commune_a"], csv_bytes([HEADER, *rows]))
    assert not result.saved and Person.objects.count() == 0
    assert [(e.line, e.column) for e in result.errors] == [(3, "ngày sinh")]
    assert result.errors[0].message_vi == "Ngày không tồn tại: 31/02/1990" and "No such date" in result.errors[0].message_en


def test_valid_only_imports_the_other_rows(personas, commune_a, village_a):
    rows = good_rows(commune_a) + [["Hồ Thị E", "", "1990", "Không rõ", "", "", "", "", "", commune_a.code, ""]]
    result = run(personas["commune_a"], csv_bytes([HEADER, *rows]), mode="valid_only")
    assert result.saved and result.imported == 3 and Person.objects.count() == 3
    assert [(e.line, e.column) for e in result.errors] == [(5, "giới tính")]


def test_every_bad_row_is_reported_with_line_column_and_reason(personas, commune_a, village_a):
    rows = [
        ["", "", "1990", "Nam", "", "", "", "", "", commune_a.code, ""],  # no name
        ["Võ Văn F", "", "", "Nam", "", "", "", "", "", commune_a.code, ""],  # no birth date or year
        ["Võ Văn G", "", "1990", "Nam", "062190000001", "", "", "", "", commune_a.code, ""],  # CCCD 4th digit: man born 1990 → 0
        ["Võ Văn H", "", "1990", "Nam", "", "0123", "", "", "", commune_a.code, ""],  # phone
        ["Võ Văn I", "", "1990", "Nam", "", "", "Người Sao Hỏa", "", "", commune_a.code, ""],  # ethnicity
        ["Võ Văn K", "", "1990", "Nam", "", "", "", "", "", "99999", ""],  # commune
        ["Võ Văn L", "", "1990", "Nam", "", "", "", "", "", commune_a.code, "Thôn Không Có"],  # village
        ["Võ Văn M", "01/01/1991", "1990", "Nam", "", "", "", "", "", commune_a.code, ""],  # year ≠ date
    ]
    result = run(personas["commune_a"], csv_bytes([HEADER, *rows]))
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "họ tên"), (3, "ngày sinh"), (4, "CCCD/CMND"), (5, "điện thoại"), (6, "dân tộc"), (7, "mã xã"), (8, "tên thôn"), (9, "năm sinh"),
    ]
    assert all(e.message_vi and e.message_en and e.message_vi != e.message_en for e in result.errors)
    assert Person.objects.count() == 0


def test_the_same_id_is_reported_as_already_registered_not_duplicated(personas, commune_a, village_a, person_factory):
    existing = person_factory(commune_a, full_name="Nguyễn Văn An", id_kind="cccd", id_number="062080000123", birth_year=1980)
    importer = PersonImporter(by=personas["commune_a"], today=dt.date(2022, 2, 14))
    result = importer.run(csv_bytes([HEADER, *good_rows(commune_a)]), "ds.csv")
    assert result.saved and result.imported == 2 and result.skipped_duplicates == 1
    assert Person.objects.filter(id_number="062080000123").count() == 1
    assert importer.skipped[0].line == 2 and f"#{existing.pk}" in importer.skipped[0].message_vi


def test_an_id_registered_in_another_commune_is_not_revealed(personas, commune_a, commune_b, village_a, person_factory):
    person_factory(commune_b, full_name="Nguyễn Văn An", id_kind="cccd", id_number="062080000123", birth_year=1980)
    importer = PersonImporter(by=personas["commune_a"], today=dt.date(2022, 2, 14))
    importer.run(csv_bytes([HEADER, *good_rows(commune_a)]), "ds.csv")
    assert "ngoài địa bàn" in importer.skipped[0].message_vi and "#" not in importer.skipped[0].message_vi


def test_same_folded_name_year_and_commune_is_a_proposed_duplicate(personas, commune_a, village_a, person_factory):
    person_factory(commune_a, full_name="Trần Thị Bích", birth_year=1955, sex="F")
    rows = good_rows(commune_a) + [["Tran Thi Bich", "", "1955", "Nữ", "", "", "", "", "", commune_a.code, ""]]
    importer = PersonImporter(by=personas["commune_a"], today=dt.date(2022, 2, 14))
    result = importer.run(csv_bytes([HEADER, *rows]), "ds.csv")
    assert result.saved and result.imported == 2
    assert [s.line for s in importer.skipped] == [3, 5]
    assert "Có thể trùng" in importer.skipped[0].message_vi and "Possible duplicate" in importer.skipped[0].message_en
    assert Person.objects.filter(name_folded="tran thi bich").count() == 1


def test_an_id_twice_in_the_file_is_an_error(personas, commune_a, village_a):
    rows = good_rows(commune_a)
    rows.append(["Nguyễn Văn Ân", "05/03/1980", "", "Nam", "062080000123", "", "", "", "", commune_a.code, ""])
    result = run(personas["commune_a"], csv_bytes([HEADER, *rows]))
    assert [(e.line, e.column) for e in result.errors] == [(5, "CCCD/CMND")] and not result.saved


@pytest.mark.parametrize("bom", [True, False])
def test_it_reads_utf8_with_or_without_bom(personas, commune_a, village_a, bom):
    result = run(personas["commune_a"], csv_bytes([HEADER, *good_rows(commune_a)], bom=bom))
    assert result.imported == 3 and Person.objects.filter(full_name="Lê Văn Cường").exists()


def test_it_reads_windows_1258(personas, commune_a, village_a):
    data = csv_bytes([HEADER, *good_rows(commune_a)], encoding="cp1258")
    data.decode("cp1258")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = run(personas["commune_a"], data)
    assert result.imported == 3
    assert set(Person.objects.values_list("full_name", flat=True)) == {"Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường"}


def test_it_rejects_an_unrecognised_encoding_with_a_clear_message(personas, commune_a):
    data = bytes(range(128, 256)) * 20
    with pytest.raises(FileRejected) as exc:
        run(personas["commune_a"], data)
    assert "UTF-8" in exc.value.message_vi and "UTF-8" in exc.value.message_en


def test_it_reads_xlsx_with_numbers_and_dates_as_cells(personas, commune_a, village_a):
    rows = [[dt.datetime(1980, 3, 5) if c == "05/03/1980" else c for c in r] for r in good_rows(commune_a)]
    rows[0][4] = 62080000123  # a CCCD typed as a number loses its leading zero
    rows[0][9] = int(commune_a.code)
    result = run(personas["commune_a"], xlsx_bytes([HEADER, *rows]), name="ds.xlsx")
    assert result.imported == 3 and Person.objects.filter(id_number="062080000123", date_of_birth=dt.date(1980, 3, 5)).exists()


def test_the_commune_is_found_from_the_address(personas, commune_a, village_a):
    data = csv_bytes([["Họ tên", "Năm sinh", "Giới tính", "Địa chỉ"],
                      ["Đinh Văn N", "1970", "Nam", '"Thôn 1, 12 Lê Lợi, phường Quang Trung, thành phố Kon Tum, tỉnh Kon Tum"'],
                      ["Đinh Văn O", "1971", "Nam", '"Quang Trung, Kon Tum, Kon Tum"']])
    result = run(personas["commune_a"], data)
    assert result.imported == 2, result.errors
    n = Person.objects.get(name_folded="dinh van n")
    assert (n.commune, n.village, n.street) == (commune_a, village_a, "12 Lê Lợi")


def test_a_commune_user_cannot_import_into_another_commune(personas, commune_a, commune_b):
    rows = [["Y Bla", "", "1990", "Nữ", "", "", "", "", "", commune_b.code, ""]]
    result = run(personas["commune_a"], csv_bytes([HEADER, *rows]))
    assert not result.saved and Person.objects.count() == 0
    assert result.errors[0].column == "mã xã" and "ngoài địa bàn" in result.errors[0].message_vi
    address = csv_bytes([["Họ tên", "Năm sinh", "Giới tính", "Địa chỉ"], ["Y Blo", "1990", "Nữ", '"Xã Đăk Cấm, Thành phố Kon Tum, Kon Tum"']])
    result = run(personas["commune_a"], address)
    assert not result.saved and "ngoài địa bàn" in result.errors[0].message_vi
    with pytest.raises(FileRejected):
        run(personas["commune_a"], csv_bytes([["Họ tên", "Năm sinh", "Giới tính"], ["Y Ble", "1990", "Nữ"]]), default_commune=commune_b)


def test_the_district_may_import_into_its_communes_and_the_default_commune_fills_gaps(personas, commune_a, commune_a2):
    data = csv_bytes([["Họ tên", "Năm sinh", "Giới tính", "Mã xã"], ["A Một", "1990", "Nam", commune_a2.code], ["A Hai", "1991", "Nam", ""]])
    result = run(personas["district_a"], data, default_commune=commune_a)
    assert result.imported == 2
    assert Person.objects.get(full_name="A Một").commune == commune_a2 and Person.objects.get(full_name="A Hai").commune == commune_a


def test_a_crash_mid_import_leaves_nothing_behind(personas, commune_a, village_a, monkeypatch):
    rows = [[f"Người Thứ {chr(65 + i)}", "", str(1950 + i), "Nam", "", "", "", "", "", commune_a.code, ""] for i in range(10)]
    calls = []

    def flaky_insert(self, batch):
        calls.append(len(batch))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        Person.objects.bulk_create(batch)

    monkeypatch.setattr(PersonImporter, "_insert", flaky_insert)
    monkeypatch.setattr(PersonImporter, "batch_size", 3)
    with pytest.raises(RuntimeError):
        run(personas["commune_a"], csv_bytes([HEADER, *rows]))
    assert calls == [3, 3, 3]
    assert Person.objects.count() == 0 and not AuditEvent.objects.filter(action__in=["create", "import"]).exists()


def test_lookups_are_done_in_bulk_not_per_row(personas, commune_a, village_a):
    words = ["An", "Bình", "Cúc", "Dũng", "Em", "Giang", "Hà", "Khoa", "Lan", "Minh", "Nga", "Oanh", "Phúc", "Quế", "Sơn"]

    def rows(n):
        return [[f"Nguyễn {words[i % 15]} {words[i // 15]}", "", str(1950 + i % 50), "Nam" if i % 2 else "Nữ", "", "", "Kinh", "", "", commune_a.code, "Thôn 1"] for i in range(n)]

    counts = []
    for n in (5, 200):
        Person.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            result = run(personas["commune_a"], csv_bytes([HEADER, *rows(n)]))
        assert result.imported == n
        counts.append(len(ctx.captured_queries))
    # A fixed number of look-ups; inserts go in batches (SQLite caps the rows of one INSERT).
    assert counts[1] - counts[0] < 200 / 10, counts


def test_the_import_page_lists_every_bad_row(personas, commune_a, village_a, client_for):
    rows = good_rows(commune_a) + [["Hồ Thị E", "", "1990", "Không rõ", "", "", "", "", "", commune_a.code, ""]]
    c = client_for(personas["commune_a"])
    assert c.get("/people/nhap/").status_code == 200
    r = c.post("/people/nhap/", {"file": SimpleUploadedFile("ds.csv", csv_bytes([HEADER, *rows]))})
    html = r.content.decode()
    assert 'id="import-errors"' in html and "Giới tính phải là Nam hoặc Nữ" in html and "Sex must be" in html
    assert Person.objects.count() == 0
    r = c.post("/people/nhap/", {"file": SimpleUploadedFile("ds.csv", csv_bytes([HEADER, *rows])), "valid_only": "on"})
    assert Person.objects.count() == 3
    r = c.post("/people/nhap/", {"file": SimpleUploadedFile("ds.csv", csv_bytes([HEADER, *rows])), "valid_only": "on"})
    html = r.content.decode()
    assert Person.objects.count() == 3 and 'id="import-skipped"' in html and "Đã có trong sổ đăng ký" in html and "Có thể trùng" in html
    r = c.post("/people/nhap/", {"file": SimpleUploadedFile("ds.csv", bytes(range(128, 256)) * 20)})
    assert 'id="import-rejected"' in r.content.decode()


def test_leadership_cannot_import(personas, client_for):
    assert client_for(personas["leader"]).get("/people/nhap/").status_code == 403


def test_the_command_imports_and_refuses_bad_files(personas, commune_a, village_a, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes([HEADER, *good_rows(commune_a)]))
    call_command("import_people", str(path), "--user", "tram_a")
    assert Person.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, ["X", "", "", "Nam", "", "", "", "", "", commune_a.code, ""]]))
    with pytest.raises(CommandError):
        call_command("import_people", str(bad))


def test_an_address_written_in_the_2025_structure_finds_the_2025_commune(personas, kontum):
    from geo.models import AdministrativeUnit

    new = AdministrativeUnit.objects.get(structure="2025", level="commune", name="Phường Đăk Cấm")
    data = csv_bytes([["Họ tên", "Năm sinh", "Giới tính", "Địa chỉ"], ["A Tân", "2000", "Nam", '"Tổ 3, phường Đăk Cấm, tỉnh Quảng Ngãi"']])
    result = run(personas["admin"], data)
    assert result.imported == 1, result.errors
    assert Person.objects.get().commune == new
    # …and users of the pre-2025 units may not put people there.
    Person.objects.all().delete()
    result = run(personas["commune_a"], data)
    assert not result.saved and "ngoài địa bàn" in result.errors[0].message_vi


def test_an_id_registered_meanwhile_saves_nothing_and_says_so(personas, commune_a, village_a, client_for, monkeypatch, person_factory):
    original = PersonImporter.check_rows

    def check_then_someone_else_registers(self, rows):
        errors = original(self, rows)
        person_factory(commune_a, full_name="Người Khác", id_kind="cccd", id_number="062080000123", birth_year=1980)
        return errors

    monkeypatch.setattr(PersonImporter, "check_rows", check_then_someone_else_registers)
    r = client_for(personas["commune_a"]).post("/people/nhap/", {"file": SimpleUploadedFile("ds.csv", csv_bytes([HEADER, *good_rows(commune_a)]))})
    assert 'id="import-rejected"' in r.content.decode() and "nhập lại" in r.content.decode()
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Người Khác"]


def test_an_all_digit_id_number_of_the_wrong_length_is_not_taken_for_a_passport(personas, commune_a):
    from people.importers import PersonImporter

    data = "Họ tên,Năm sinh,Giới tính,CCCD/CMND,Mã xã\nNguyễn Văn An,1980,Nam,06208000012,23281\n".encode()
    result = PersonImporter(by=personas["commune_a"]).run(data, "ds.csv")
    assert [(e.line, e.column) for e in result.errors] == [(2, "CCCD/CMND")] and not result.saved
    assert "12 hoặc 9 chữ số" in result.errors[0].message_vi


def test_twins_in_the_file_are_matched_to_an_imported_earlier_line_only(personas, commune_a, village_a):
    # Line 2 (born 01/01/1960) is imported; line 3 (no date) matches it and is skipped; line 4 (another date)
    # matches only the skipped line 3, so it is a different person and is imported; line 5 matches line 2 again.
    rows = [["Đinh Văn Hùng", d, "" if d else "1960", "Nam", "", "", "", "", "", commune_a.code, ""]
            for d in ("01/01/1960", "", "02/02/1960", "01/01/1960")]
    importer = PersonImporter(by=personas["commune_a"], today=dt.date(2022, 2, 14))
    result = importer.run(csv_bytes([HEADER, *rows]), "ds.csv")
    assert result.saved and result.imported == 2 and not result.errors
    assert [(s.line, s.message_en) for s in importer.skipped] == [
        (3, "Possible duplicate of line 2 (same name, year of birth, commune): not imported."),
        (5, "Possible duplicate of line 2 (same name, year of birth, commune): not imported."),
    ]
    assert sorted(str(d) for d in Person.objects.filter(name_folded="dinh van hung").values_list("date_of_birth", flat=True)) == [
        "1960-01-01", "1960-02-02"]


def test_an_id_repeated_and_registered_reports_each_line_once_with_its_reason(personas, commune_a, village_a, person_factory):
    registered = person_factory(commune_a, full_name="Nguyễn Văn An", birth_year=1980, sex="M", id_number="062080000123")
    rows = good_rows(commune_a)
    rows.append(["Nguyễn Văn Ân", "05/03/1980", "", "Nam", "062080000123", "", "", "", "", commune_a.code, ""])
    importer = PersonImporter(by=personas["commune_a"], today=dt.date(2022, 2, 14), mode="valid_only")
    result = importer.run(csv_bytes([HEADER, *rows]), "ds.csv")
    # Line 5 repeats line 2's number: an error; line 2 is already registered: skipped, with the record shown.
    assert [(e.line, e.message_en) for e in result.errors] == [(5, "Same ID number as line 2.")]
    assert [(s.line, s.message_en) for s in importer.skipped] == [
        (2, f"Already registered (record #{registered.pk}): not imported again.")]
    assert result.saved and result.imported == 2


def test_the_staging_table_is_gone_after_the_import(personas, commune_a, village_a):
    run(personas["commune_a"], csv_bytes([HEADER, *good_rows(commune_a)]))
    with pytest.raises(Exception), connection.cursor() as cur:  # noqa: B017 (SQLite and PostgreSQL raise differently)
        with transaction.atomic():
            cur.execute("SELECT COUNT(*) FROM people_import_stage")
