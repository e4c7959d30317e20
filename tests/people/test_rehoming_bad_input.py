"""Bad input around the 2025 reorganisation: a record keeps the unit of its time (geo.eras), in the service behind the
forms and the API, in import rows; CCCD numbers and addresses of both structures are accepted."""
import datetime as dt

import pytest

from cases.imports import CaseLineListImporter
from cases.models import Case
from cases.services import open_case
from core.errors import Invalid
from geo.eras import check_unit_on
from geo.models import AdministrativeUnit, UnitCorrespondence
from people.rules import check_cccd
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
HEADER = "Họ và tên,Năm sinh,Giới tính,CCCD/CMND,Điện thoại,Mã xã,Địa chỉ,Ngày xác định,Loại xét nghiệm,Nơi phát hiện,Nơi điều trị\n"


@pytest.fixture
def new_commune(commune_b):
    return UnitCorrespondence.objects.get(old_unit=commune_b).new_unit


def test_a_record_before_the_reorganisation_cannot_go_on_a_2025_unit(new_commune):
    with pytest.raises(Invalid) as exc:
        check_unit_on(new_commune, dt.date(2022, 2, 5), what_vi="Ca bệnh", what_en="A case")
    assert exc.value.field == "commune"
    assert "05/02/2022" in exc.value.vi and "trước 01/07/2025" in exc.value.vi and "chuyển địa bàn" in exc.value.vi
    assert "before 01/07/2025" in exc.value.en and "re-homing" in exc.value.en
    check_unit_on(new_commune, dt.date(2025, 7, 1))


def test_the_reverse_is_refused_only_on_an_installation_on_the_2025_structure(commune_b, settings):
    settings.PHONGDICH_STRUCTURE = "pre2025"
    check_unit_on(commune_b, dt.date(2026, 1, 5))  # an installation still on the old structure records there
    settings.PHONGDICH_STRUCTURE = "2025"
    with pytest.raises(Invalid) as exc:
        check_unit_on(commune_b, dt.date(2026, 1, 5))
    assert "05/01/2026" in exc.value.vi and "dissolved" in exc.value.en
    check_unit_on(commune_b, dt.date(2025, 6, 30))


def test_a_case_of_2022_for_a_rehomed_person_stays_on_his_former_commune(personas, commune_b, new_commune):
    p = make_person(commune_b)
    p.former_commune, p.commune = commune_b, new_commune
    p.save()
    case = open_case(by=personas["health_dept"], person=p, confirmed_on=dt.date(2022, 3, 1))
    assert case.commune == commune_b
    Case.objects.filter(pk=case.pk).update(status=Case.Status.RECOVERED)
    today = open_case(by=personas["health_dept"], person=p, confirmed_on=dt.date(2026, 1, 5))
    assert today.commune == new_commune


def test_the_case_service_refuses_a_2025_unit_for_a_2022_case(personas, commune_b, new_commune):
    p = make_person(commune_b)
    with pytest.raises(Invalid) as exc:
        open_case(by=personas["health_dept"], person=p, confirmed_on=dt.date(2022, 3, 1), commune=new_commune)
    assert exc.value.field == "commune" and "01/03/2022" in exc.value.vi
    assert not Case.objects.exists()


def test_an_import_row_dated_2022_naming_a_2025_commune_says_why(personas):
    ba_to = AdministrativeUnit.objects.get(structure="2025", level="commune", code="21484")  # no pre-2025 commune has it here
    result = CaseLineListImporter(by=personas["admin"], mode="all").run(
        (HEADER + f"A Thị Blí,1975,Nữ,,,{ba_to.code},,06/02/2022,RT-PCR,,\n").encode(), "ds.csv")
    assert not result.saved and not Case.objects.exists()
    [err] = result.errors
    assert (err.line, err.column) == (2, "Mã xã")
    assert "06/02/2022" in err.message_vi and "before 01/07/2025" in err.message_en


def test_cccd_numbers_of_both_structures_are_accepted():
    # Issued in Kon Tum before 2025 (062, a province that no longer exists) and in Quảng Ngãi since (051).
    assert check_cccd("062080001234", sex="M", birth_year=1980) == "062080001234"
    assert check_cccd("051180001234", sex="F", birth_year=1980) == "051180001234"
    with pytest.raises(Invalid):
        check_cccd("099080001234")


def test_the_address_parser_reads_both_structures(personas):
    from people.importers import PersonImporter

    importer = PersonImporter.__new__(PersonImporter)
    importer.parsed_addresses = {}
    old = importer._parse_address("Thôn 1, Xã Ngọc Bay, Thành phố Kon Tum, Tỉnh Kon Tum")
    new = importer._parse_address("Thôn 3, Xã Ba Tơ, Tỉnh Quảng Ngãi")
    assert old["structure"] == "pre2025" and old["ward_code"]
    assert (new["structure"], new["ward_code"]) == ("2025", "21484")
