"""The beds board without districts (issue #12 §2): on the 2025 map beds are totalled per health region (a facility in
the region of its commune, derived from the unit it stands on), on the pre-2025 map per district of that time."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from facilities.models import BedCapacity, Facility
from geo.models import AdministrativeUnit, Level, UnitCorrespondence
from geo.services import create_region
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _successor(old):
    return old.successor_links.get(is_default=True).new_unit


def _site(name, unit, ordinary=10, oxygen=0):
    f = Facility.objects.create(name=name, kind="centralised_facility", unit=unit)
    BedCapacity.objects.create(facility=f, bed_type="ordinary", total=ordinary)
    if oxygen:
        BedCapacity.objects.create(facility=f, bed_type="oxygen", total=oxygen)
    return f


def _cell(page, attr, key, bed_type):
    found = re.search(rf'data-{attr}="{key}" data-type="{bed_type}"><strong>(\d+)</strong> / (\d+)', page)
    return (int(found[1]), int(found[2])) if found else None


@pytest.fixture
def map_2025(kontum, commune_a, commune_b, personas):
    """Two regions over the former Kon Tum: A = the 2025 communes that took over district 608 (commune A's), B = commune
    B's successor; a provincial user of the 2025 province (Quảng Ngãi), who sees both structures' records."""
    quang_ngai = AdministrativeUnit.objects.get(path="/n51/")
    city = commune_a.parent
    new_city = set(UnitCorrespondence.objects.filter(is_default=True, old_unit__parent=city).values_list("new_unit_id", flat=True))
    region_a = create_region(by=personas["health_dept"], province=quang_ngai, name="Khu vực Kon Tum",
                             communes=AdministrativeUnit.objects.filter(pk__in=new_city))
    region_b = create_region(by=personas["health_dept"], province=quang_ngai, name="Khu vực Đăk Glei",
                             communes=[_successor(commune_b)])
    outside = (AdministrativeUnit.objects.filter(path__startswith="/n51/", level=Level.COMMUNE)
               .exclude(regions__isnull=False).order_by("code").first())
    return {"province": quang_ngai, "a": region_a, "b": region_b, "outside": outside,
            "dept": make_user("so_y_te_qn", "health_dept", quang_ngai)}


def test_on_the_2025_map_beds_are_totalled_per_health_region_with_a_not_in_any_region_group(
        map_2025, client_for, commune_a, commune_b, open_case, personas):
    a, b = map_2025["a"], map_2025["b"]
    on_new = _site("Khu điều trị phường mới", _successor(commune_a), ordinary=20)   # a 2025 commune of region A
    on_old = _site("Khu điều trị xã cũ", commune_a, ordinary=30, oxygen=5)           # pre-2025 commune → its successor's region
    centre = _site("Trung tâm Y tế huyện cũ", commune_a.parent, ordinary=7)          # a former district centre → region A
    _site("Khu điều trị Đăk Glei", commune_b, ordinary=4)                            # → region B
    _site("Bệnh viện tỉnh", map_2025["province"], ordinary=100)                      # provincial: no region
    _site("Khu điều trị ngoài khu vực", map_2025["outside"], ordinary=3)             # a commune in no region
    services.admit(by=personas["health_dept"], case=open_case(), facility=on_old, bed_type="oxygen")
    page = client_for(map_2025["dept"]).get("/cases/giuong-benh/").content.decode()
    assert "Theo khu vực y tế" in page and 'data-structure="2025"' in page
    assert _cell(page, "region", a.pk, "ordinary") == (57, 57)
    assert _cell(page, "region", a.pk, "oxygen") == (4, 5)
    assert _cell(page, "region", b.pk, "ordinary") == (4, 4)
    assert _cell(page, "region", 0, "ordinary") == (103, 103)
    assert "Không thuộc khu vực y tế nào" in page
    # The not-in-any-region group comes last; each facility row names its region.
    assert page.index("Khu vực Đăk Glei</td>") < page.index("Khu vực Kon Tum</td>") < page.index("Không thuộc khu vực y tế nào")
    assert re.search(r"<td>Khu vực Kon Tum</td><td>Trung tâm Y tế huyện cũ</td>", page)
    assert re.search(r"<td>—</td><td>Bệnh viện tỉnh</td>", page)
    assert on_new and centre


def test_on_the_pre_2025_map_beds_keep_the_districts_of_that_time(map_2025, client_for, commune_a, commune_b):
    _site("Khu điều trị phường mới", _successor(commune_a), ordinary=20)  # 2025 facility → its first predecessor's district
    _site("Khu điều trị xã cũ", commune_a, ordinary=30)
    _site("Khu điều trị Đăk Glei", commune_b, ordinary=4)
    page = client_for(map_2025["dept"]).get("/cases/giuong-benh/?structure=pre2025").content.decode()
    assert "Theo huyện" in page and 'data-structure="pre2025"' in page and "data-region=" not in page
    first = (UnitCorrespondence.objects.filter(is_default=True, new_unit=_successor(commune_a))
             .order_by("old_unit__code").first().old_unit)
    if first.parent_id == commune_a.parent_id:
        assert _cell(page, "district", commune_a.parent_id, "ordinary") == (50, 50)
    else:  # the 2025 commune took over a commune of another district first: it counts there
        assert _cell(page, "district", commune_a.parent_id, "ordinary") == (30, 30)
        assert _cell(page, "district", first.parent_id, "ordinary")[1] >= 20
    assert _cell(page, "district", commune_b.parent_id, "ordinary") == (4, 4)


def test_a_region_user_sees_the_beds_of_his_region_only_and_a_commune_user_as_before(
        map_2025, client_for, commune_a, commune_b, personas):
    _site("Khu điều trị xã cũ", commune_a, ordinary=30)
    _site("Khu điều trị Đăk Glei", commune_b, ordinary=4)
    _site("Bệnh viện tỉnh", map_2025["province"], ordinary=100)
    regional = make_user("khuvuc_b", "regional_health", None, region=map_2025["b"])
    page = client_for(regional).get("/cases/giuong-benh/").content.decode()
    assert "Khu điều trị Đăk Glei" in page and "Khu điều trị xã cũ" not in page and "Bệnh viện tỉnh" not in page
    assert _cell(page, "region", map_2025["b"].pk, "ordinary") == (4, 4) and _cell(page, "region", map_2025["a"].pk, "ordinary") is None
    page = client_for(personas["commune_a"]).get("/cases/giuong-benh/").content.decode()
    assert "Khu điều trị xã cũ" in page and "Khu điều trị Đăk Glei" not in page


def test_a_facility_on_a_divided_commune_counts_in_its_default_successors_region_only(
        map_2025, client_for, personas, commune_b):
    """Commune B is divided (as the correspondence records a split: a second, non-default successor in another
    region): its facility counts in region B (its default successor's) only."""
    from core.scoping import scope

    other = map_2025["outside"]
    UnitCorrespondence.objects.create(old_unit=commune_b, new_unit=other, is_default=False)
    r2 = create_region(by=personas["health_dept"], province=map_2025["province"], name="Khu vực 2", communes=[other])
    site = _site("Khu điều trị xã bị chia", commune_b, ordinary=9)
    page = client_for(map_2025["dept"]).get("/cases/giuong-benh/").content.decode()
    assert _cell(page, "region", map_2025["b"].pk, "ordinary") == (9, 9) and _cell(page, "region", r2.pk, "ordinary") is None
    # The other successor's region user may see the facility (the history of his place, core.scoping) but its beds
    # are not his region's: not on his board.
    user = make_user("khuvuc_2", "regional_health", None, region=r2)
    assert scope(Facility.objects.filter(pk=site.pk), user).exists()
    page = client_for(user).get("/cases/giuong-benh/").content.decode()
    assert "Khu điều trị xã bị chia" not in page and "Chưa khai báo số giường." in page


@pytest.mark.parametrize("structure", ["2025", "pre2025"])
def test_the_board_runs_a_bounded_number_of_queries_whatever_the_number_of_facilities(
        map_2025, client_for, commune_a, commune_b, open_case, personas, structure):
    client = client_for(map_2025["dept"])
    olds = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code")[:12])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/giuong-benh/?structure={structure}").status_code == 200
        return len(ctx)

    for i, unit in enumerate(olds[:2]):
        _site(f"Cơ sở {i}", unit, ordinary=5, oxygen=2)
    _site("Cơ sở mới 0", _successor(olds[0]), ordinary=5)
    few = count()
    for i, unit in enumerate(olds[2:], start=2):
        _site(f"Cơ sở {i}", unit, ordinary=5, oxygen=2)
    for unit in olds[1:6]:
        _site(f"Cơ sở mới {unit.code}", _successor(unit), ordinary=5)
    _site("Trung tâm huyện", commune_b.parent, ordinary=5)
    services.admit(by=personas["health_dept"], case=open_case(), facility=Facility.objects.get(name="Cơ sở 3"), bed_type="oxygen")
    assert count() == few


def test_an_installation_on_the_pre_2025_structure_shows_districts_by_default(old_structure, client_for, personas, commune_a):
    _site("Khu điều trị xã cũ", commune_a, ordinary=30)
    page = client_for(personas["leader"]).get("/cases/giuong-benh/").content.decode()
    assert "Theo huyện" in page and _cell(page, "district", commune_a.parent_id, "ordinary") == (30, 30)


def test_a_region_user_sees_the_former_district_health_centre_his_region_took_over(map_2025, client_for, commune_a):
    """A former district health centre stands on the pre-2025 district unit: the region that took over most of that
    district's communes sees it (core.scoping through geo.areas.under_q), on the board and in the facility lists;
    another region does not."""
    from core.scoping import scope

    centre = _site("Trung tâm Y tế huyện cũ", commune_a.parent, ordinary=7)
    user_a = make_user("khuvuc_a", "regional_health", None, region=map_2025["a"])
    user_b = make_user("khuvuc_b2", "regional_health", None, region=map_2025["b"])
    page = client_for(user_a).get("/cases/giuong-benh/").content.decode()
    assert "Trung tâm Y tế huyện cũ" in page and _cell(page, "region", map_2025["a"].pk, "ordinary") == (7, 7)
    assert scope(Facility.objects.filter(pk=centre.pk), user_a).exists()
    assert "Trung tâm Y tế huyện cũ" not in client_for(user_b).get("/cases/giuong-benh/").content.decode()
    assert not scope(Facility.objects.filter(pk=centre.pk), user_b).exists()
