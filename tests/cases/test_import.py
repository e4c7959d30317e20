import datetime as dt

import pytest

from cases.imports import CaseLineListImporter
from cases.models import Case
from people.models import Person
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
HEADER = "Họ và tên,Năm sinh,Giới tính,CCCD/CMND,Điện thoại,Mã xã,Địa chỉ,Ngày xác định,Loại xét nghiệm,Nơi phát hiện,Nơi điều trị\n"


def run(user, body, mode="all"):
    return CaseLineListImporter(by=user, mode=mode).run((HEADER + body).encode("utf-8"), "ds.csv")


def test_it_imports_a_line_list_matching_people_already_registered(personas, commune_a):
    existing = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980)
    result = run(personas["commune_a"], "Nguyễn Văn An,1980,Nam,,,23281,,05/02/2022,Test nhanh,Cộng đồng,Tại nhà\n"
                                        "A Thị Blí,1975,Nữ,,0905000111,23281,Thôn 1,06/02/2022,RT-PCR,Khu cách ly,Tập trung\n")
    assert result.ok and result.imported == 2
    assert Case.objects.get(person=existing).confirmed_on == dt.date(2022, 2, 5)
    new = Case.objects.get(person__full_name="A Thị Blí")
    assert (new.detected_in, new.care_setting, new.test_kind) == ("quarantine", "centralised", "rt_pcr")
    assert Person.objects.count() == 2


def test_it_reports_every_bad_row_and_saves_nothing(personas):
    result = run(personas["commune_a"], "Nguyễn Văn An,1980,Nam,,,23281,,31/02/2022,Test nhanh,,\n"
                                        ",1980,X,,,99999,,05/02/2022,PCR?,,\n")
    assert not result.saved and Case.objects.count() == 0
    assert {(3, "Họ và tên"), (3, "Giới tính"), (3, "Mã xã"), (3, "Loại xét nghiệm")} <= {(e.line, e.column) for e in result.errors}
    assert any(e.line == 2 and "31/02/2022" in e.message_vi for e in result.errors)


def test_it_skips_a_case_already_registered(personas, commune_a):
    body = "Nguyễn Văn An,1980,Nam,,,23281,,05/02/2022,Test nhanh,,\n"
    run(personas["commune_a"], body)
    again = run(personas["commune_a"], body)
    assert again.imported == 0 and again.skipped_duplicates == 1 and Case.objects.count() == 1


def test_it_imports_from_the_command_line_as_a_named_user(personas, tmp_path):
    from django.core.management import call_command

    f = tmp_path / "ds.csv"
    f.write_text(HEADER + "Nguyễn Văn An,1980,Nam,,,23281,,05/02/2022,RT-PCR,,\n", encoding="utf-8")
    call_command("import_cases", str(f), user="tram_a")
    assert Case.objects.get().created_by == personas["commune_a"]


# -- jurisdiction (issue #11): every row is scoped through core.scoping ------------------------------------------------
def test_a_row_for_a_commune_outside_the_users_jurisdiction_is_refused(personas, commune_b):
    result = run(personas["commune_a"], f"A Thị Blí,1975,Nữ,,,{commune_b.code},,06/02/2022,RT-PCR,,\n")
    assert not result.saved and Case.objects.count() == 0 and Person.objects.count() == 0
    assert [(e.line, e.column) for e in result.errors] == [(2, "Mã xã")]
    assert "ngoài địa bàn" in result.errors[0].message_vi and "outside your jurisdiction" in result.errors[0].message_en


def test_an_id_number_of_another_communes_resident_names_nobody_and_links_nothing(personas, commune_b):
    other = make_person(commune_b, full_name="Y Bí Mật", birth_year=1980, id_number="062080000123", phone="0905999888")
    result = run(personas["commune_a"], "Nguyễn Văn An,1980,Nam,062080000123,,23281,,05/02/2022,RT-PCR,,\n", mode="valid_only")
    assert result.imported == 0 and Case.objects.count() == 0 and not Case.objects.filter(person=other).exists()
    [error] = result.errors
    assert (error.line, error.column) == (2, "CCCD/CMND")
    assert "thuộc một người ngoài địa bàn quản lý của bạn" in error.message_vi
    assert "belongs to a person outside your jurisdiction" in error.message_en
    shown = str(error)
    assert not any(s in shown for s in ("Y Bí Mật", "0905999888", "062080000123", f"#{other.pk}"))


def test_an_id_number_inside_the_jurisdiction_still_attaches_the_case_to_that_person(personas, commune_a):
    mine = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980, id_number="062080000123")
    result = run(personas["commune_a"], "Nguyễn Văn An,1980,Nam,062080000123,,23281,,05/02/2022,RT-PCR,,\n")
    assert result.ok and Case.objects.get().person == mine and Person.objects.count() == 1


def test_the_province_imports_for_any_commune(personas, commune_b):
    result = run(personas["health_dept"], f"A Thị Blí,1975,Nữ,,,{commune_b.code},,06/02/2022,RT-PCR,,\n")
    assert result.ok and Case.objects.get().commune == commune_b


def test_identity_fields_are_checked_by_the_registrys_rules(personas, commune_a):
    make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980)
    result = run(personas["commune_a"], "Nguyễn Văn An,1980,Nam,06208000012,,23281,,05/02/2022,RT-PCR,,\n"
                                        "Nguyễn Văn 4n,1980,Nam,,,23281,,05/02/2022,RT-PCR,,\n"
                                        "A Thị Blí,1975,Nữ,,0123,23281,,06/02/2022,RT-PCR,,\n", mode="valid_only")
    assert result.imported == 0 and Case.objects.count() == 0
    assert [(e.line, e.column) for e in result.errors] == [(2, "CCCD/CMND"), (3, "Họ và tên"), (4, "Điện thoại")]
