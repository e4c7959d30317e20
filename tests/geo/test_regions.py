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
    r = c.post(f"/geo/khu-vuc/{region.pk}/", {"name": "Khu vực Kon Tum", "communes": [new_a.pk, new_b.pk], "version": 1})
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


# --- the Department of Health manages regions in the UI and the API -------------------------------------------------
@pytest.fixture
def dept_2025(quang_ngai):
    """The Department of Health of today's province (the installation's, 2025 structure)."""
    return make_user("so_y_te_qn", "health_dept", quang_ngai)


def _communes(quang_ngai, n):
    return list(quang_ngai.children.filter(level=Level.COMMUNE).order_by("code")[:n])


def test_renaming_and_removing_a_commune_is_audited_with_before_and_after(client_for, dept_2025, quang_ngai):
    a, b, c3 = _communes(quang_ngai, 3)
    web = client_for(dept_2025)
    assert web.post("/geo/khu-vuc/them/", {"name": "Khu vực 1", "communes": [a.pk, b.pk]}).status_code == 302
    region = HealthRegion.objects.get()
    page = web.get(f"/geo/khu-vuc/{region.pk}/").content.decode()
    assert 'name="version" value="1"' in page
    r = web.post(f"/geo/khu-vuc/{region.pk}/", {"name": "Khu vực Đăk Tô", "communes": [b.pk], "version": 1})
    assert r.status_code == 302
    region.refresh_from_db()
    assert (region.name, region.version, list(region.communes.all())) == ("Khu vực Đăk Tô", 2, [b])
    ev = AuditEvent.objects.filter(action="update", target_type="geo.healthregion", target_id=str(region.pk)).latest("at")
    assert ev.changes["name"] == ["Khu vực 1", "Khu vực Đăk Tô"]
    assert ev.changes["communes"] == [",".join(sorted([a.code, b.code])), b.code]
    # The commune removed is free again for another region.
    assert web.post("/geo/khu-vuc/them/", {"name": "Khu vực 2", "communes": [a.pk, c3.pk]}).status_code == 302


def test_a_concurrent_edit_is_refused_never_silently_overwritten(client_for, api_for, dept_2025, quang_ngai):
    from geo.services import create_region

    a, b = _communes(quang_ngai, 2)
    region = create_region(by=dept_2025, province=quang_ngai, name="Khu vực 1", communes=[a])
    first, second = client_for(dept_2025), client_for(make_user("so_y_te_qn2", "health_dept", quang_ngai))
    # Both opened the page at version 1; the first saves, the second's save is refused and says why.
    assert first.post(f"/geo/khu-vuc/{region.pk}/", {"name": "Tên của người thứ nhất", "communes": [a.pk], "version": 1}).status_code == 302
    r = second.post(f"/geo/khu-vuc/{region.pk}/", {"name": "Tên của người thứ hai", "communes": [b.pk], "version": 1})
    assert r.status_code == 400 and "vừa được người khác sửa" in r.content.decode()
    region.refresh_from_db()
    assert region.name == "Tên của người thứ nhất" and list(region.communes.all()) == [a]
    # The API answers 409 with the same rule; without a version it is a 400, not an unchecked overwrite.
    api = api_for(dept_2025)
    r = api.post(f"/api/health-regions/{region.pk}/", {"name": "X", "communes": [b.pk], "version": 1}, format="json")
    assert r.status_code == 409
    assert api.post(f"/api/health-regions/{region.pk}/", {"name": "X", "communes": [b.pk]}, format="json").status_code == 400
    region.refresh_from_db()
    assert region.name == "Tên của người thứ nhất"
    # The second user's page had an error (no name): it is shown again with the version HE read, so correcting and
    # resubmitting it is still refused rather than overwriting the first user's save.
    r = second.post(f"/geo/khu-vuc/{region.pk}/", {"name": "", "communes": [b.pk], "version": 1})
    assert r.status_code in (200, 400) and 'name="version" value="1"' in r.content.decode()
    r = second.post(f"/geo/khu-vuc/{region.pk}/", {"name": "Tên sửa lại", "communes": [b.pk], "version": 1})
    assert "vừa được người khác sửa" in r.content.decode()
    region.refresh_from_db()
    assert region.name == "Tên của người thứ nhất"


def test_a_pre_2025_commune_or_another_province_s_is_refused_and_the_message_says_why(client_for, api_for, dept_2025,
                                                                                      quang_ngai, commune_a):
    from core.errors import Invalid
    from geo.services import create_region

    # Not offered on the page…
    page = client_for(dept_2025).get("/geo/khu-vuc/them/").content.decode()
    assert f'value="{commune_a.pk}"' not in page
    # …and refused when posted anyway (page, API, service), in Vietnamese and English.
    r = client_for(dept_2025).post("/geo/khu-vuc/them/", {"name": "Khu vực cũ", "communes": [commune_a.pk]})
    assert r.status_code == 400 and not HealthRegion.objects.exists()
    with pytest.raises(Invalid) as exc:
        create_region(by=dept_2025, province=quang_ngai, name="Khu vực cũ", communes=[commune_a])
    assert "trước 01/07/2025" in exc.value.vi and "Pre-2025" in exc.value.en
    other = AdministrativeUnit.objects.create(structure="2025", level=Level.PROVINCE, code="99", name="Tỉnh Khác",
                                              path="/n99/")
    far = AdministrativeUnit.objects.create(structure="2025", level=Level.COMMUNE, code="99001", name="Xã Xa",
                                            parent=other, path="/n99/n99001/")
    with pytest.raises(Invalid) as exc:
        create_region(by=dept_2025, province=quang_ngai, name="Khu vực xa", communes=[far])
    assert "Xã Xa" in exc.value.vi and "Not in" in exc.value.en
    r = api_for(dept_2025).post("/api/health-regions/", {"name": "Khu vực xa", "communes": [far.pk]}, format="json")
    assert r.status_code == 400 and not HealthRegion.objects.exists()
    # A region of a former (pre-2025) province is refused too.
    with pytest.raises(Invalid):
        create_region(by=dept_2025, province=commune_a.parent.parent, name="Khu vực tỉnh cũ", communes=[commune_a])


def test_the_form_says_which_region_already_holds_a_commune(client_for, dept_2025, quang_ngai):
    from geo.services import create_region

    a, b = _communes(quang_ngai, 2)
    create_region(by=dept_2025, province=quang_ngai, name="Khu vực Bắc", communes=[a])
    page = client_for(dept_2025).get("/geo/khu-vuc/them/").content.decode()
    assert f"{a.name} (thuộc Khu vực Bắc)" in page and f"{b.name} (thuộc" not in page
    r = client_for(dept_2025).post("/geo/khu-vuc/them/", {"name": "Khu vực Nam", "communes": [a.pk, b.pk]})
    assert r.status_code == 400 and "đã thuộc khu vực “Khu vực Bắc”" in r.content.decode()
    assert HealthRegion.objects.count() == 1


def test_a_region_with_users_cannot_be_deleted_under_them(client_for, api_for, dept_2025, quang_ngai):
    from geo.services import create_region

    a, b = _communes(quang_ngai, 2)
    region = create_region(by=dept_2025, province=quang_ngai, name="Khu vực 1", communes=[a])
    staff = make_user("kv_nguoi_dung", "regional_health", None, region=region)
    web = client_for(dept_2025)
    page = web.get(f"/geo/khu-vuc/{region.pk}/").content.decode()
    assert "kv_nguoi_dung" in page and "Xóa khu vực" not in page
    r = web.post(f"/geo/khu-vuc/{region.pk}/xoa/", {"version": 1}, follow=True)
    assert "là địa bàn của 1 người dùng (kv_nguoi_dung)" in r.content.decode()
    r = api_for(dept_2025).post(f"/api/health-regions/{region.pk}/delete/", {"version": 1}, format="json")
    assert r.status_code == 400 and "kv_nguoi_dung" in r.json()["message_en"]
    staff.refresh_from_db()
    assert staff.region_id == region.pk and HealthRegion.objects.filter(pk=region.pk).exists()
    # Once the user works elsewhere, the region can go (audited), and its communes are free again.
    staff.region = create_region(by=dept_2025, province=quang_ngai, name="Khu vực 2", communes=[b])
    staff.save()
    assert web.post(f"/geo/khu-vuc/{region.pk}/xoa/", {"version": 1}).status_code == 302
    assert not HealthRegion.objects.filter(pk=region.pk).exists()
    assert AuditEvent.objects.filter(action="delete", target_type="geo.healthregion", target_id=str(region.pk)).exists()
    assert client_for(make_user("tram_x", "commune_health", a)).post(
        f"/geo/khu-vuc/{staff.region_id}/xoa/", {"version": 1}).status_code in (403, 404)
    assert HealthRegion.objects.filter(pk=staff.region_id).exists()


def test_the_region_list_counts_communes_and_users(client_for, dept_2025, quang_ngai):
    from geo.services import create_region

    region = create_region(by=dept_2025, province=quang_ngai, name="Khu vực 1", communes=_communes(quang_ngai, 3))
    make_user("kv_1", "regional_health", None, region=region)
    make_user("kv_2", "regional_health", None, region=region)
    page = client_for(dept_2025).get("/geo/khu-vuc/").content.decode()
    assert '<td class="num">3</td><td class="num">2</td>' in page


# --- users of a region: assigned in the user-management pages and the API -------------------------------------------
def test_the_department_of_health_gives_a_user_a_region_in_the_ui_and_the_api(client_for, api_for, dept_2025, quang_ngai):
    from accounts.models import User
    from geo.services import create_region

    region = create_region(by=dept_2025, province=quang_ngai, name="Khu vực Kon Tum", communes=_communes(quang_ngai, 2))
    web = client_for(dept_2025)
    form = web.get("/accounts/nguoi-dung/them/").content.decode()
    assert "Khu vực y tế" in form and f'<option value="{region.pk}">Khu vực Kon Tum</option>' in form
    r = web.post("/accounts/nguoi-dung/them/", {"username": "kv_moi", "full_name": "Cán Bộ Khu Vực",
                                               "role": "regional_health", "region": region.pk})
    assert r.status_code == 200, r.content.decode()[:500]
    user = User.objects.get(username="kv_moi")
    assert user.region == region and user.jurisdiction_region == region
    ev = AuditEvent.objects.filter(action="create", target_type="accounts.user", target_id=str(user.pk)).get()
    assert ev.changes["region"] == [None, "Khu vực Kon Tum"]
    # The Department of Health sees and manages him (he has no unit): list, detail, API.
    assert "kv_moi" in web.get("/accounts/nguoi-dung/").content.decode()
    assert "Khu vực Kon Tum" in web.get(f"/accounts/nguoi-dung/{user.pk}/").content.decode()
    api = api_for(dept_2025)
    assert api.get(f"/api/users/{user.pk}/").json()["region"] == region.pk
    # A regional role needs a region, and a region is only for the regional role.
    r = web.post("/accounts/nguoi-dung/them/", {"username": "kv_thieu", "full_name": "Thiếu", "role": "regional_health"})
    assert "cần một khu vực y tế" in r.content.decode() and not User.objects.filter(username="kv_thieu").exists()
    a = _communes(quang_ngai, 1)[0]
    r = api.post("/api/users/", {"username": "tram_kv", "full_name": "Trạm", "role": "commune_health", "unit": a.pk,
                                 "region": region.pk}, format="json")
    assert r.status_code == 400 and not User.objects.filter(username="tram_kv").exists()
    r = api.post("/api/users/", {"username": "kv_api", "full_name": "Khu Vực API", "role": "regional_health",
                                 "region": region.pk}, format="json")
    assert r.status_code == 201 and r.json()["user"]["region"] == region.pk
    # Moving a region user back to a commune role drops the region.
    r = api.patch(f"/api/users/{user.pk}/", {"role": "commune_health", "unit": a.pk}, format="json")
    assert r.status_code == 200, r.content
    user.refresh_from_db()
    assert (user.role, user.region_id, user.unit_id) == ("commune_health", None, a.pk)


def test_a_region_outside_the_manager_s_area_cannot_be_given(api_for, quang_ngai, commune_a, commune_b):
    """The health department of a former district (pre-2025 unit) may not give a region that reaches beyond it."""
    from geo.services import create_region

    region = create_region(by=None, province=quang_ngai, name="Khu vực lớn", communes=_communes(quang_ngai, 5))
    officer = make_user("so_y_te_huyen", "health_dept", commune_a.parent)
    r = api_for(officer).post("/api/users/", {"username": "kv_x", "full_name": "X", "role": "regional_health",
                                              "region": region.pk}, format="json")
    assert r.status_code == 400 and "region" in r.content.decode()


def test_role_choices_follow_the_installation_s_structure(client_for, api_for, dept_2025, personas, settings, commune_a):
    """2025 (default): the regional role is offered, the district one is not (refused if posted, with the reason);
    an existing district user keeps his role when edited. pre-2025: the reverse, and the district role works."""
    from accounts.models import User

    web = client_for(dept_2025)
    form = web.get("/accounts/nguoi-dung/them/").content.decode()
    assert 'value="regional_health"' in form and 'value="district_health"' not in form
    web.post("/accounts/nguoi-dung/them/", {"username": "huyen_moi", "full_name": "Huyện", "role": "district_health",
                                           "unit": commune_a.parent_id})
    r = api_for(personas["admin"]).post("/api/users/", {"username": "huyen_moi", "full_name": "Huyện",
                                                        "role": "district_health", "unit": commune_a.parent_id}, format="json")
    assert r.status_code == 400 and "Từ 01/07/2025 không còn cấp huyện" in r.json()["message_vi"]
    assert "no districts" in r.json()["message_en"] and not User.objects.filter(username="huyen_moi").exists()
    district = personas["district_a"]
    page = client_for(personas["admin"]).get(f"/accounts/nguoi-dung/{district.pk}/").content.decode()
    assert 'value="district_health" selected' in page
    settings.PHONGDICH_STRUCTURE, settings.PHONGDICH_PROVINCE_CODE = "pre2025", "62"
    form = client_for(personas["health_dept"]).get("/accounts/nguoi-dung/them/").content.decode()
    assert 'value="district_health"' in form and 'value="regional_health"' not in form
    r = client_for(personas["health_dept"]).post("/accounts/nguoi-dung/them/", {
        "username": "huyen_moi", "full_name": "Huyện", "role": "district_health", "unit": commune_a.parent_id})
    assert r.status_code == 200 and "Từ 01/07/2025" not in r.content.decode()


def test_role_labels_name_today_s_bodies_in_both_languages(personas, client_for):
    from django.utils import translation

    from accounts.roles import Role

    assert Role.REGIONAL_HEALTH.label == "Cán bộ Trung tâm Y tế khu vực"
    with translation.override("en"):
        assert "regional" in str(Role.REGIONAL_HEALTH.label).lower()
        assert "district" in str(Role.DISTRICT_HEALTH.label).lower()


# --- a region user's pages on the living demo ------------------------------------------------------------------------
def test_a_region_user_s_pages_and_lists_show_his_region_only_on_the_living_demo(kontum, settings, client_for, api_for):
    """The demo's `khuvuc` (first demo region): every list answers rows of his region's communes (and of the pre-2025
    communes they absorbed) only, with rows left outside it; his menu's pages open (home, checks due, levels,
    coverage, door-to-door, reports, re-homing review)."""
    from django.core.management import call_command

    from accounts.models import User
    from cases.models import Case
    from contacts.models import Contact
    from people.models import Person
    from testing.models import Test
    from vaccination.models import Injection

    settings.PHONGDICH_DEMO = True
    call_command("demo", people=300, stdout=open("/dev/null", "w"))
    user = User.objects.get(username="khuvuc")
    region = user.region
    inside = set(areas.commune_ids_under(region, counting=False))
    api = api_for(user)
    for url, model, field in (("/api/people/", Person, "commune"), ("/api/cases/", Case, "commune"),
                              ("/api/contacts/", Contact, "person__commune"), ("/api/tests/", Test, "person__commune"),
                              ("/api/vaccination/injections/", Injection, "commune")):
        body = api.get(url).json()
        ids = {r["id"] for r in body["results"]}
        communes = set(model.objects.filter(pk__in=ids).values_list(field, flat=True))
        assert communes <= inside, f"{url}: rows outside the region"
        outside = model.objects.exclude(**{f"{field}__in": inside}).count()
        assert outside, f"{url}: the demo has no row outside the region, the check would be vacuous"
        assert body["count"] == model.objects.filter(**{f"{field}__in": inside}).count() or model is Person, url
    assert Person.objects.filter(commune__in=inside).exists() and Case.objects.filter(commune__in=inside).exists()
    web = client_for(user)
    for url in ("/", "/cases/khong-lien-lac/", "/levels/", "/vaccination/bao-phu/", "/vaccination/di-tung-nha/",
                "/reports/thong-tu-54/", "/people/chuyen-dia-ban/xem-xet/", "/geo/khu-vuc/"):
        assert web.get(url).status_code == 200, url
    # His home's coverage tile and the vaccination page's figure are his region's (a region is his area, not a unit).
    page = web.get("/vaccination/").content.decode()
    assert region.name in page and "18+ đã tiêm ít nhất 1 mũi" in page
    assert "Tiêm đủ liều 18+" in web.get("/").content.decode()


def test_the_district_role_keeps_working_on_a_pre_2025_installation(old_structure, personas, client_for, api_for,
                                                                    commune_a, commune_b):
    """Kon Tum on the old structure: the district officer sees his district's people and cases (lists, the board of
    home cases, the API) and nothing of another district."""
    import datetime as dt

    from cases.services import open_case

    inside = make_person(commune_a, full_name="Người Huyện Trong")
    outside = make_person(commune_b, full_name="Người Huyện Ngoài")
    today = dt.date.today()
    for p in (inside, outside):
        open_case(by=personas["health_dept"], person=p, confirmed_on=today - dt.timedelta(days=2))
    district = personas["district_a"]
    web = client_for(district)
    for url in ("/people/", "/cases/"):
        page = web.get(url).content.decode()
        assert "Người Huyện Trong" in page and "Người Huyện Ngoài" not in page, url
    board = web.get("/cases/khong-lien-lac/")
    assert board.status_code == 200 and "Người Huyện Ngoài" not in board.content.decode()
    ids = {r["id"] for r in api_for(district).get("/api/people/").json()["results"]}
    assert inside.pk in ids and outside.pk not in ids
    assert district.get_role_display() == "Cán bộ y tế huyện"
