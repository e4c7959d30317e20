"""Health regions: the Department of Health defines them in the UI (audited); a region user sees its communes and the
pre-2025 communes they absorbed, nothing else."""
import pytest

from audit.models import AuditEvent
from geo import areas
from geo.models import AdministrativeUnit, HealthRegion, Level
from tests.conftest import make_person, make_user


@pytest.fixture
def quang_ngai(kontum):
    return AdministrativeUnit.objects.get(path="/n51/")


def _successor(old):
    return old.successor_links.get(is_default=True).new_unit


def test_the_department_of_health_creates_and_edits_a_region_in_the_ui(client_for, personas, quang_ngai, commune_a, commune_b):
    c = client_for(personas["health_dept"])
    page = c.get("/geo/khu-vuc/them/")
    assert page.status_code == 200 and "Tên khu vực" in page.content.decode()
    new_a, new_b = _successor(commune_a), _successor(commune_b)
    r = c.post("/geo/khu-vuc/them/", {"name": "Khu vực Kon Tum", "centre_name": "Trung tâm Y tế khu vực Kon Tum",
                                      "communes": [new_a.pk]})
    assert r.status_code == 302
    region = HealthRegion.objects.get(name="Khu vực Kon Tum")
    assert region.province == quang_ngai and list(region.communes.all()) == [new_a]
    assert AuditEvent.objects.filter(action="create", target_type="geo.healthregion", target_id=str(region.pk)).exists()
    listing = c.get("/geo/khu-vuc/").content.decode()
    assert "Khu vực Kon Tum" in listing and "Trung tâm Y tế khu vực Kon Tum" in listing
    r = c.post(f"/geo/khu-vuc/{region.pk}/", {"name": "Khu vực Kon Tum", "communes": [new_a.pk, new_b.pk]})
    assert r.status_code == 302 and region.communes.count() == 2
    assert AuditEvent.objects.filter(action="update", target_type="geo.healthregion", target_id=str(region.pk)).exists()


def test_a_commune_belongs_to_one_region_and_the_page_says_why(client_for, personas, quang_ngai, commune_a):
    c = client_for(personas["health_dept"])
    new_a = _successor(commune_a)
    assert c.post("/geo/khu-vuc/them/", {"name": "Khu vực 1", "communes": [new_a.pk]}).status_code == 302
    r = c.post("/geo/khu-vuc/them/", {"name": "Khu vực 2", "communes": [new_a.pk]})
    assert r.status_code == 400
    assert f"{new_a.name} đã thuộc khu vực “Khu vực 1”" in r.content.decode()
    assert HealthRegion.objects.count() == 1
    r = c.post("/geo/khu-vuc/them/", {"name": "Khu vực 1", "communes": [_successor(AdministrativeUnit.objects.filter(
        path__startswith="/62/610/", level=Level.COMMUNE).order_by("code").first()).pk]})
    assert r.status_code == 400 and "đã có khu vực" in r.content.decode()


def test_only_the_department_of_health_defines_regions(client_for, personas, quang_ngai):
    for key in ("commune_a", "district_a", "leader"):
        assert client_for(personas[key]).get("/geo/khu-vuc/them/").status_code in (403, 404), key
        assert client_for(personas[key]).get("/geo/khu-vuc/").status_code == 200, key  # reading is for every health reader


def test_a_region_user_sees_the_history_of_its_communes_only(personas, quang_ngai, commune_a, commune_b):
    from core.scoping import scope, visible_units
    from geo.services import create_region
    from people.models import Person

    region = create_region(by=personas["health_dept"], province=quang_ngai, name="Khu vực A", communes=[_successor(commune_a)])
    user = make_user("khuvuc_a", "regional_health", None, region=region)
    inside, outside = make_person(commune_a, full_name="Người Trong"), make_person(commune_b, full_name="Người Ngoài")
    seen = set(scope(Person.objects.all(), user).values_list("pk", flat=True))
    assert inside.pk in seen and outside.pk not in seen
    assert visible_units(user).filter(pk=commune_a.pk).exists() and not visible_units(user).filter(pk=commune_b.pk).exists()
    assert set(areas.commune_ids_under(region)) >= {commune_a.pk, _successor(commune_a).pk}
    assert user.jurisdiction_unit is None and user.get_role_display() == "Cán bộ Trung tâm Y tế khu vực"


def test_the_demo_defines_regions_over_the_former_kon_tum(kontum):
    import io

    from core.demo import DemoContext
    from geo import demo

    ctx = DemoContext(rng=None, people_count=0, today=None, stdout=io.StringIO())
    regions = demo.build_regions(ctx)
    assert len(regions) == 2
    communes = [set(r.communes.values_list("pk", flat=True)) for r in regions]
    assert communes[0] and communes[1] and not communes[0] & communes[1]
    assert all(r.province.path == "/n51/" for r in regions)
    assert len(demo.build_regions(ctx)) == 2 and HealthRegion.objects.count() == 2  # idempotent


def test_two_regions_do_not_share_the_cached_count_of_their_lists(client_for, personas, quang_ngai, commune_a, commune_b):
    """The people list's total is cached per jurisdiction (core.pagination.jurisdiction_key): a region user has no unit,
    so the key names his region, else the first region to open the list gave its total to every other one."""
    from geo.services import create_region

    region_a = create_region(by=personas["health_dept"], province=quang_ngai, name="Khu vực A", communes=[_successor(commune_a)])
    region_b = create_region(by=personas["health_dept"], province=quang_ngai, name="Khu vực B", communes=[_successor(commune_b)])
    make_person(commune_a, full_name="Người A")
    make_person(commune_b, full_name="Người B1")
    make_person(commune_b, full_name="Người B2")
    user_a = make_user("khuvuc_a", "regional_health", None, region=region_a)
    user_b = make_user("khuvuc_b", "regional_health", None, region=region_b)
    counts = [client_for(u).get("/people/").context["page_obj"].paginator.count for u in (user_a, user_b)]
    assert counts == [1, 2]
