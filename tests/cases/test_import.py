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
