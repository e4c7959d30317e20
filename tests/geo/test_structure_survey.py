"""The surfaces of the survey in docs/geo.md ("every list, board, export and API aggregate") that name or filter a
unit, on either structure: a record keeps the unit of its time; on today's map (a 2025 installation's default) its
row names the 2025 commune it rolls up to and a 2025 commune's filter holds the pre-2025 communes that roll up into
it; the switch shows each on its own unit. And a pre-2025 installation: its pages open on the old map, offering today's."""
import datetime as dt

import pytest
from django.utils import timezone

from geo import areas
from geo.models import Village
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def _villages(commune_a, commune_b):
    Village.objects.create(commune=commune_a, name="Thôn Một", name_folded="thon mot")
    Village.objects.create(commune=commune_b, name="Thôn Hai", name_folded="thon hai")


def test_the_village_list_on_either_structure(client_for, personas, commune_a, commune_b):
    _villages(commune_a, commune_b)
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    c = client_for(personas["admin"])
    page = c.get(f"/geo/thon/?commune={new_a.pk}")
    # A 2025 commune lists the villages of the pre-2025 commune it took over, named "Xã A (nay: Phường B)".
    assert {v.name: v.unit_label for v in page.context["page_obj"]} == {"Thôn Một": f"{commune_a.name} (nay: {new_a.name})"}
    html = page.content.decode()
    assert 'data-structure="2025"' in html and "structure=pre2025" in html
    assert all(u.structure == areas.FROM_2025 for u in page.context["communes"])  # the picker: today's communes
    old = c.get(f"/geo/thon/?commune={commune_b.pk}&structure=pre2025")
    assert {v.name: v.unit_label for v in old.context["page_obj"]} == {"Thôn Hai": commune_b.name}
    assert all(u.structure == areas.PRE_2025 for u in old.context["communes"])
    assert 'name="structure" value="pre2025"' in old.content.decode()  # the search keeps the map
    assert not c.get("/geo/thon/?commune=999999999").context["page_obj"].object_list  # a stale id: empty, no error


def test_the_villages_and_outbreaks_apis_filter_by_a_commune_of_either_structure(api_for, personas, commune_a, commune_b):
    from contacts import services

    _villages(commune_a, commune_b)
    services.create_outbreak(by=personas["commune_a"], name="Ổ dịch thôn Một", commune=commune_a, started_on=dt.date(2022, 2, 1))
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    api = api_for(personas["admin"])

    def names(url):
        body = api.get(url).json()
        return sorted(r["name"] for r in body.get("results", body))

    assert names(f"/api/villages/?commune={new_a.pk}") == ["Thôn Một"]
    assert names(f"/api/villages/?commune={commune_b.pk}") == ["Thôn Hai"]
    assert names(f"/api/outbreaks/?commune={new_a.pk}") == ["Ổ dịch thôn Một"]
    assert names(f"/api/outbreaks/?commune={commune_a.pk}") == ["Ổ dịch thôn Một"]
    assert names(f"/api/outbreaks/?commune={commune_b.pk}") == []


def test_the_population_api_of_a_2025_unit_holds_the_rows_of_the_communes_it_took_over(api_for, personas, commune_a, commune_b):
    from geo.models import PopulationEstimate

    PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="F", age_band="18-49", population=40)
    PopulationEstimate.objects.create(unit=commune_b, year=2021, sex="F", age_band="18-49", population=30)
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    api = api_for(personas["admin"])

    def units(url):
        body = api.get(url).json()
        return sorted(r["unit"] for r in body.get("results", body))

    assert units(f"/api/population/?unit={new_a.pk}&year=2021") == [commune_a.pk]  # the row keeps its unit
    assert units(f"/api/population/?unit={commune_a.pk}&year=2021") == [commune_a.pk]
    assert units(f"/api/population/?unit={new_a.parent_id}&year=2021") == sorted([commune_a.pk, commune_b.pk])


def test_the_public_levels_name_each_unit_on_the_map_asked(client, personas, commune_a):
    from levels.models import LevelDecision

    week = dt.date(2022, 1, 31)
    LevelDecision.objects.create(unit=commune_a, week_start=week, proposed_level=2, decided_level=2, status="published",
                                 decision_number="21/QĐ-UBND", decision_date=week,
                                 effective_from=timezone.now() - dt.timedelta(hours=1))
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    today_label = f"{commune_a.name} (nay: {new_a.name})"
    page = client.get("/levels/cong-khai/").content.decode()
    assert today_label in page and 'data-structure="2025"' in page and "structure=pre2025" in page
    assert today_label not in client.get("/levels/cong-khai/?structure=pre2025").content.decode()
    data = client.get("/levels/cong-khai/cap-do-dich.json").json()
    # The decision stays on its unit (code of its time); the label names it on the map asked for.
    assert data["structure"] == "2025"
    assert [(r["unit_code"], r["unit_structure"], r["unit_label"]) for r in data["levels"]] == [(commune_a.code, "pre2025", today_label)]
    old = client.get("/levels/cong-khai/cap-do-dich.json?structure=pre2025").json()
    assert [r["unit_label"] for r in old["levels"]] == [commune_a.name]
    csv = client.get("/levels/cong-khai/cap-do-dich.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("unit_structure,unit_label") and today_label in csv


def test_the_vaccination_search_names_the_commune_of_today(client_for, personas, commune_a):
    make_person(commune_a, full_name="Y Blông Tìm", birth_year=1970)
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    page = client_for(personas["admin"]).get("/vaccination/?q=blong tim")
    assert [p.unit_label for p in page.context["people"]] == [f"{commune_a.name} (nay: {new_a.name})"]


# Every page with the switch, on an installation still on the pre-2025 map (Kon Tum, 62).
SWITCH_PAGES = [
    "/cases/", "/cases/khong-lien-lac/?by=commune", "/cases/giuong-benh/", "/people/", "/contacts/o-dich/",
    "/testing/mau-gop/", "/vaccination/mui-tiem/", "/vaccination/di-tung-nha/",
    "/geo/ban-do/", "/geo/thon/", "/levels/", "/levels/cong-khai/", "/reports/dieu-hanh/", "/reports/thong-tu-54/",
]
# One unit's figures (coverage): today's unit of a pre-2025 jurisdiction is wider than it (Kon Tum → Quảng Ngãi), so
# the page stays on the user's own unit (docs/geo.md); it opens on the old map and offers the switch.
ONE_UNIT_PAGES = ["/vaccination/bao-phu/"]


@pytest.mark.parametrize("url", SWITCH_PAGES + ONE_UNIT_PAGES)
def test_a_pre2025_installation_opens_on_the_old_map_and_offers_todays(settings, client_for, personas, url):
    settings.PHONGDICH_STRUCTURE = "pre2025"
    settings.PHONGDICH_PROVINCE_CODE = "62"
    c = client_for(personas["admin"])
    r = c.get(url, follow=True)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-structure="pre2025"' in html and "structure=2025" in html
    if url in ONE_UNIT_PAGES:
        return
    today = c.get(url + ("&" if "?" in url else "?") + "structure=2025", follow=True)
    assert today.status_code == 200 and 'data-structure="2025"' in today.content.decode()


def test_a_former_district_on_todays_map_is_drawn_as_the_communes_it_went_to(settings, client_for, personas, commune_a):
    settings.PHONGDICH_STRUCTURE = "pre2025"
    settings.PHONGDICH_PROVINCE_CODE = "62"
    c = client_for(personas["district_a"])  # a pre-2025 district: its 2025 counterpart is the whole province
    page = c.get("/geo/ban-do/?structure=2025")
    html = page.content.decode()
    assert page.context["unit"] == commune_a.parent and 'data-structure="2025"' in html
    assert "theo địa giới hiện hành có địa bàn của" in html
    features = c.get(page.context["data_url"]).json()["features"]
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    ids = {f["properties"]["id"] for f in features}
    assert new_a.pk in ids and commune_a.pk not in ids
    assert {f["properties"]["level"] for f in features} == {"commune"}
    # Its own map: the district's pre-2025 communes.
    own = c.get(c.get("/geo/ban-do/").context["data_url"]).json()["features"]
    assert commune_a.name in {f["properties"].get("name") for f in own}
