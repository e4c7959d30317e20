"""Issue #11: a row the database cannot store (NUL, control characters, impossible bytes, over-long text) is a row
error with its line and a vi/en reason, never a 500 or a raw database message. Runs on SQLite and PostgreSQL."""
import pytest

from cases.imports import CaseLineListImporter
from cases.models import Case
from core.imports import FileRejected
from people.importers import PersonImporter
from people.models import Person

pytestmark = pytest.mark.django_db

PEOPLE = "Họ tên,Năm sinh,Giới tính,Nghề nghiệp,Mã xã,Tên xã\n"


def people(user, body: bytes, mode="valid_only"):
    return PersonImporter(by=user, mode=mode).run(PEOPLE.encode() + body, "ds.csv")


def test_a_nul_byte_in_a_name_is_a_row_error_and_the_other_rows_import(personas, commune_a):
    result = people(personas["commune_a"], "Nguyễn Văn An,1980,Nam,,23281,\nTrần\x00 Thị Bích,1955,Nữ,,23281,\n"
                                           "Lê Văn Cường,1970,Nam,,23281,\n".encode())
    assert result.saved and result.imported == 2 and Person.objects.count() == 2
    [error] = result.errors
    assert (error.line, error.column) == (3, "Họ tên")
    assert "NUL" in error.message_vi and "NUL" in error.message_en and "\x00" not in str(error)


def test_a_nul_byte_in_a_lookup_column_never_reaches_the_database(personas, commune_a):
    # The commune name is looked up in bulk before the rows are cleaned: PostgreSQL would refuse the query.
    result = people(personas["commune_a"], "Nguyễn Văn An,1980,Nam,,,Quang\x00Trung\n".encode(), mode="all")
    assert not result.saved and [(e.line, e.column) for e in result.errors] == [(2, "Tên xã")]


def test_control_characters_and_over_long_values_are_row_errors(personas, commune_a):
    result = people(personas["commune_a"], f"Nguyễn Văn An,1980,Nam,{'x' * 121},23281,\nTrần Thị\x1b Bích,1955,Nữ,,23281,\n".encode(),
                    mode="all")
    assert not result.saved and Person.objects.count() == 0
    assert [(e.line, e.column) for e in result.errors] == [(2, "Nghề nghiệp"), (3, "Họ tên")]
    assert "120" in result.errors[0].message_vi and "120" in result.errors[0].message_en


def test_impossible_bytes_in_a_utf8_file_are_reported_on_their_row(personas, commune_a):
    body = "Nguyễn Văn An,1980,Nam,,23281,\n".encode() + b"Tr\xe1\xba n Th\xff,1955,N\xe1\xbb\xaf,,23281,\n"
    result = people(personas["commune_a"], body)
    assert result.imported == 1 and [(e.line, e.column) for e in result.errors] == [(3, "Họ tên")]


def test_an_unclosed_quote_running_past_the_field_limit_rejects_the_file_with_a_message(personas):
    with pytest.raises(FileRejected) as exc:
        people(personas["commune_a"], b'Nguy\xe1\xbb\x85n,1980,Nam,"' + b"x" * 200_000 + b"\n")
    assert "dòng" in exc.value.message_vi and "line" in exc.value.message_en


def test_the_case_line_list_refuses_a_nul_byte_per_row(personas, commune_a):
    header = "Họ và tên,Năm sinh,Giới tính,CCCD/CMND,Điện thoại,Mã xã,Địa chỉ,Ngày xác định,Loại xét nghiệm\n"
    body = "A Thị Blí,1975,Nữ,,,23281,Thôn\x00 1,06/02/2022,RT-PCR\nY Đơn,1975,Nữ,,,23281,,06/02/2022,RT-PCR\n"
    result = CaseLineListImporter(by=personas["commune_a"], mode="valid_only").run((header + body).encode(), "ds.csv")
    assert result.imported == 1 and Case.objects.count() == 1
    assert [(e.line, e.column) for e in result.errors] == [(2, "Địa chỉ")]


def test_the_dose_import_refuses_a_nul_byte_per_row(commune_a, person_factory):
    import datetime as dt

    from geo.importers import Operator
    from vaccination.bulk import DoseImporter
    from vaccination.models import Injection

    person_factory(commune_a, full_name="Nguyễn Văn An", date_of_birth=dt.date(1980, 3, 4), id_number="062080000001")
    text = ("Số CCCD/CMND,Họ và tên,Ngày sinh,Tên vắc xin,Mũi số,Ngày tiêm,Số lô\n"
            "062080000001,Nguyễn Văn An,04/03/1980,Pfizer,1,01/09/2021,FA\x001\n"
            "062080000001,Nguyễn\x00 Văn An,04/03/1980,Pfizer,2,22/09/2021,FA2\n")
    result = DoseImporter(by=Operator(), mode="valid_only", today=dt.date(2022, 2, 14)).run(text.encode(), "doses.csv")
    assert result.total_rows == 2 and result.imported == 0 and Injection.objects.count() == 0
    assert {(e["line"], e["code"]) for e in result.errors} == {(2, "unstorable"), (3, "unstorable")}
    assert all("NUL" in e["message_vi"] and "NUL" in e["message_en"] for e in result.errors)
