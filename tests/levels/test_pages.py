"""The map (choropleth or grid), the unit explanation, the calculator page, measures, and the public page."""
import datetime as dt

from django.utils import timezone

from levels import services
from levels.models import LevelDecision, Measure

from .conftest import GOOD, WEEK, enter, set_population


def _assessed(kontum, commune_a, after_cut, **values):
    set_population(commune_a, 10_000)
    enter(commune_a, **{**GOOD, **values})
    return services.assess_province(kontum, WEEK, now=after_cut)


def test_it_shows_a_grid_grouped_by_district_when_no_boundary_is_loaded(personas, client_for, kontum, commune_a, after_cut):
    _assessed(kontum, commune_a, after_cut, new_cases_per_100k_week=30)
    # A 2022 week on the map of its time (the default is today's map: tests/levels/test_structures.py).
    page = client_for(personas["health_dept"]).get(f"/levels/?week={WEEK.isoformat()}&structure=pre2025").content.decode()
    assert 'id="level-map"' not in page
    assert commune_a.parent.name in page and f'data-unit="{commune_a.id}"' in page
    assert "commune level-2" in page and "07/02/2022" in page
    district_page = client_for(personas["district_a"]).get("/levels/?structure=pre2025").content.decode()
    assert commune_a.name in district_page
    assert "Đăk Glei" not in district_page  # another district: outside the jurisdiction


def test_it_draws_a_choropleth_when_boundaries_are_loaded(personas, client_for, kontum, commune_a, after_cut):
    from geo.models import Boundary

    _assessed(kontum, commune_a, after_cut, new_cases_per_100k_week=700)
    square = {"type": "Polygon", "coordinates": [[[108, 14.3], [108.1, 14.3], [108.1, 14.4], [108, 14.4], [108, 14.3]]]}
    Boundary.objects.create(unit=commune_a, geometry=square)
    page = client_for(personas["health_dept"]).get(f"/levels/?week={WEEK.isoformat()}&structure=pre2025").content.decode()
    assert 'id="level-map"' in page and "vendor/leaflet/leaflet.js" in page
    assert f'\\"id\\": {commune_a.id}' in page or f'"id": {commune_a.id}' in page
    assert '"level": 3' in page and "#f28c28" in page  # orange, the official colour of level 3


def test_it_explains_a_commune_step_by_step(personas, client_for, kontum, commune_a, after_cut):
    _assessed(kontum, commune_a, after_cut, new_cases_per_100k_week=30)
    r = client_for(personas["commune_a"]).get(f"/levels/don-vi/{commune_a.id}/{WEEK.isoformat()}/", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert "Tiêu chí 1" in html and "Tiêu chí 2" in html and "218/QĐ-BYT" in html and "chưa đối chiếu văn bản gốc" in html
    assert "propose-form" not in html  # commune staff read, the Department of Health proposes


def test_it_computes_what_if_on_the_calculator_page(personas, client_for):
    c = client_for(personas["commune_a"])
    assert c.get("/levels/tinh-thu/").status_code == 200
    r = c.post("/levels/tinh-thu/", {"date": "20/12/2021", "new_cases_per_100k_week": "177", "adult_1dose_pct": "95",
                                     "age50_full_pct": "90", "mobile_stations_ready": "true", "home_care_ready": "true"},
               HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "level-3" in html and "4800/QĐ-BYT" in html
    bad = c.post("/levels/tinh-thu/", {"date": "20/12/2021", "full_pct": "abc"}, HTTP_HX_REQUEST="true").content.decode()
    assert "không phải là số" in bad


def test_it_lets_the_department_of_health_edit_the_measures_catalogue(personas, client_for):
    m = Measure.objects.filter(level=2, category="gatherings").first()
    r = client_for(personas["health_dept"]).post("/levels/bien-phap/", {"id": m.pk, "version": m.version, "text": "Không quá 50 người", "is_active": "on"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.text == "Không quá 50 người" and m.version == 2
    assert client_for(personas["commune_a"]).post("/levels/bien-phap/", {"level": 1, "text": "x"}).status_code == 403
    client_for(personas["health_dept"]).post("/levels/bien-phap/", {"level": 4, "category": "markets", "text": "Chợ đóng cửa sau 18 giờ"})
    assert Measure.objects.filter(level=4, text="Chợ đóng cửa sau 18 giờ").exists()


def test_it_publishes_levels_and_measures_to_the_public_without_anything_personal(personas, client, kontum, commune_a, commune_b, after_cut):
    from tests.conftest import make_person

    make_person(commune_a, full_name="Trần Thị Bí Mật", phone="0912345678")
    _assessed(kontum, commune_a, after_cut, new_cases_per_100k_week=30)
    LevelDecision.objects.create(unit=commune_a, week_start=WEEK, proposed_level=2, decided_level=2, status="published",
                                 decision_number="20/QĐ-UBND", decision_date=WEEK, effective_from=timezone.now() - dt.timedelta(hours=1),
                                 proposed_by=personas["health_dept"], decided_by=personas["leader"], extra_measures="Dừng lễ hội")
    LevelDecision.objects.create(unit=commune_b, week_start=WEEK, proposed_level=4, status="proposed")  # not published
    html = client.get("/levels/cong-khai/").content.decode()
    assert commune_a.name in html and "20/QĐ-UBND" in html and "Dừng lễ hội" in html and "level-2" in html
    assert commune_b.name not in html
    csv = client.get("/levels/cong-khai/cap-do-dich.csv").content.decode("utf-8-sig")
    data = client.get("/levels/cong-khai/cap-do-dich.json").json()
    assert csv.splitlines()[0].startswith("unit_code,unit_name") and commune_a.code in csv
    assert [r["unit_code"] for r in data["levels"]] == [commune_a.code] and data["levels"][0]["level"] == 2
    for text in (html, csv, str(data)):
        for secret in ("Trần Thị Bí Mật", "0912345678", "so_y_te", "lanh_dao"):
            assert secret not in text


def test_it_shows_the_source_and_origin_of_each_step(personas, client_for, kontum, commune_a, after_cut):
    _assessed(kontum, commune_a, after_cut, new_cases_per_100k_week=30)
    html = client_for(personas["health_dept"]).get(f"/levels/don-vi/{commune_a.id}/{WEEK.isoformat()}/").content.decode()
    assert "VnExpress 4421798" in html  # the citation of the 218 coverage minimum
    assert "nhập tay" in html  # where the value came from


def test_it_explains_in_english_when_english_is_chosen(personas, client_for, kontum, commune_a, after_cut):
    _assessed(kontum, commune_a, after_cut, new_cases_per_100k_week=30)
    c = client_for(personas["health_dept"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/levels/"})
    assert "Epidemic levels by commune" in c.get("/levels/").content.decode()
    html = c.get(f"/levels/don-vi/{commune_a.id}/{WEEK.isoformat()}/").content.decode()
    assert "New community cases per 100,000 per week = 30 → band 2" in html and "Result: Level 2" in html
    assert "07/02/2022" in html  # dd/mm/yyyy in English too


def test_it_shows_home_tiles_scoped_to_the_jurisdiction(personas, client_for, kontum, commune_a, commune_b, after_cut):
    set_population(commune_b, 10_000)
    enter(commune_b, **GOOD, new_cases_per_100k_week=700)
    _assessed(kontum, commune_a, after_cut, new_cases_per_100k_week=5)
    LevelDecision.objects.create(unit=commune_a, week_start=WEEK, proposed_level=1, status="proposed")
    leader = client_for(personas["leader"]).get("/reports/dieu-hanh/so-lieu-khac/").content.decode()  # under the dashboard
    assert "Xã cấp độ 3–4 (tuần 07/02/2022)" in leader and "Cấp độ dịch chờ quyết định" in leader
    from levels.tiles import tiles

    class R:
        user = personas["commune_a"]

    [tile] = tiles(R)
    assert tile["value"] == 0  # commune B's level 3 is outside commune A's jurisdiction
    R.user = personas["health_dept"]
    assert tiles(R)[0]["value"] == 1
