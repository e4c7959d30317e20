from django.db import connection
from django.test.utils import CaptureQueriesContext

from geo.importers import PopulationImporter
from geo.models import AdministrativeUnit, PopulationEstimate
from geo.services import population, population_table
from tests.people.helpers import csv_bytes, xlsx_bytes


def _rows(commune, year=2021, scale=1):
    out = []
    for sex in ("Nam", "Nữ"):
        for i, band in enumerate(["0-4", "5-11", "12-17", "18-49", "50-64", "65+"]):
            out.append([commune.code, year, sex, band, (i + 1) * 100 * scale])
    return out


HEADER = ["Mã xã", "Năm", "Giới tính", "Nhóm tuổi", "Dân số"]


def test_it_imports_population_and_rolls_up_to_district_and_province(personas, kontum, commune_a, commune_a2, commune_b):
    data = csv_bytes([HEADER, *_rows(commune_a), *_rows(commune_a2, scale=2), *_rows(commune_b, scale=3)])
    result = PopulationImporter(by=personas["health_dept"]).run(data, "danso.csv")
    assert result.ok and result.imported == 36
    one = 2 * (100 + 200 + 300 + 400 + 500 + 600)
    assert population(commune_a, 2021) == one
    assert population(commune_a.parent, 2021) == 3 * one
    assert population(kontum, 2021) == 6 * one
    assert population(kontum, 2021, age_bands=["0-4", "5-11"], sex="F") == 6 * 300
    assert population(kontum, 2020) == 0


def test_population_is_one_query(personas, kontum, commune_a):
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(commune_a)]), "d.csv")
    with CaptureQueriesContext(connection) as ctx:
        population(kontum, 2021, age_bands=["65+"])
    assert len(ctx.captured_queries) == 1


def test_a_2025_commune_shows_the_population_of_the_communes_it_absorbed(personas, commune_a):
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(commune_a)]), "d.csv")
    new = commune_a.successor_links.get(is_default=True).new_unit
    assert population(new, 2021) >= population(commune_a, 2021) > 0
    table = population_table(new.parent, 2021)
    assert table["total"]["total"] == population(commune_a, 2021)
    assert next(r for r in table["rows"] if r["unit"] == new)["total"] == population(commune_a, 2021)


def test_it_reports_every_bad_row_and_imports_nothing(personas, commune_a):
    rows = _rows(commune_a)
    rows[1][2] = "Khác"
    rows[2][3] = "3-9"
    rows[3][4] = "-5"
    rows[4][1] = "21"
    rows[6] = list(rows[0])  # same key as line 2
    result = PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *rows]), "d.csv")
    assert not result.saved and PopulationEstimate.objects.count() == 0
    assert [(e.line, e.column) for e in result.errors] == [(3, "giới tính"), (4, "nhóm tuổi"), (5, "dân số"), (6, "năm"), (8, None)]
    assert all(e.message_vi and e.message_en for e in result.errors)


def test_valid_only_imports_the_good_rows(personas, commune_a):
    rows = _rows(commune_a)
    rows[0][4] = "nhiều"
    result = PopulationImporter(by=personas["health_dept"], mode="valid_only").run(csv_bytes([HEADER, *rows]), "d.csv")
    assert result.saved and result.imported == 11 and PopulationEstimate.objects.count() == 11


def test_reimporting_a_year_replaces_the_figures(personas, commune_a):
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(commune_a)]), "d.csv")
    PopulationImporter(by=personas["health_dept"]).run(xlsx_bytes([HEADER, *_rows(commune_a, scale=10)]), "d.xlsx")
    assert PopulationEstimate.objects.count() == 12
    assert population(commune_a, 2021) == 10 * 2 * 2100


def test_a_commune_user_cannot_import_population_of_another_commune(personas, commune_a, commune_b):
    result = PopulationImporter(by=personas["commune_a"]).run(csv_bytes([HEADER, *_rows(commune_b)]), "d.csv")
    assert not result.saved and len(result.errors) == 12 and PopulationEstimate.objects.count() == 0


def test_the_units_page_shows_children_with_population_and_2025_successors(personas, kontum, commune_a, client_for):
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(commune_a)]), "d.csv")
    c = client_for(personas["leader"])
    assert c.get("/geo/").status_code == 302
    html = c.get(f"/geo/don-vi/{commune_a.parent_id}/?year=2021").content.decode()
    new = commune_a.successor_links.get(is_default=True).new_unit
    assert commune_a.name in html and "4.200" in html and new.name in html
    assert f'data-geojson="/geo/ban-do/{commune_a.parent_id}/du-lieu.geojson?year=2021"' in html
    table = population_table(commune_a.parent, 2021)
    assert table["total"]["total"] == 4200 and len(table["rows"]) == commune_a.parent.children.count()
    province_html = c.get(f"/geo/don-vi/{kontum.pk}/").content.decode()
    assert commune_a.parent.name in province_html
    new_html = c.get(f"/geo/don-vi/{new.pk}/").content.decode()
    assert 'id="unit-history"' in new_html and commune_a.name in new_html


def test_the_population_api_rolls_up(personas, kontum, commune_a, api_for):
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(commune_a)]), "d.csv")
    api = api_for(personas["leader"])
    body = api.get(f"/api/units/{kontum.pk}/population/?year=2021&age_band=65%2B").json()
    assert body["population"] == 1200 and body["by_band"]["0-4"] == 200
    rows = api.get(f"/api/population/?unit={commune_a.parent_id}&year=2021").json()
    assert len(rows.get("results", rows)) == 12
    # A commune user sees the denominators of his commune only.
    other = AdministrativeUnit.objects.get(path="/62/608/23284/")
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(other)]), "d.csv")
    mine = api_for(personas["commune_a"]).get("/api/population/").json()
    assert {r["unit"] for r in mine.get("results", mine)} == {commune_a.pk}


def test_a_2025_province_page_shows_history_on_todays_units(personas, commune_a, client_for):
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(commune_a)]), "d.csv")
    new = commune_a.successor_links.get(is_default=True).new_unit
    html = client_for(personas["leader"]).get(f"/geo/don-vi/{new.parent_id}/").content.decode()
    assert new.name in html and "4.200" in html and commune_a.name in html


def test_bad_query_values_answer_400_not_500(personas, kontum, client_for, api_for):
    api = api_for(personas["leader"])
    huge = 10**15
    assert api.get(f"/api/units/{kontum.pk}/population/?year=abc").status_code == 400
    assert api.get(f"/api/units/{kontum.pk}/population/?year={huge}").status_code == 400
    assert api.get(f"/api/units/{kontum.pk}/population/?year=2021&age_band=1-2").status_code == 400
    assert api.get(f"/api/population/?year={huge}").status_code == 400
    assert api.get(f"/api/population/?unit={huge}").status_code == 404
    assert api.get(f"/api/units/{huge}/").status_code == 404
    assert api.get(f"/api/villages/?commune={huge}").status_code == 200
    assert client_for(personas["leader"]).get(f"/geo/don-vi/{kontum.pk}/?year={huge}").status_code == 200


def test_units_are_found_by_a_name_typed_without_diacritics(personas, kontum, client_for):
    html = client_for(personas["commune_a"]).get("/geo/tim/?q=dak cam").content.decode()
    assert "Xã Đăk Cấm" in html and "Thành phố Kon Tum" in html


def test_the_home_page_shows_the_population_of_the_users_unit(personas, commune_a, client_for):
    PopulationImporter(by=personas["health_dept"]).run(csv_bytes([HEADER, *_rows(commune_a)]), "d.csv")
    html = client_for(personas["commune_a"]).get("/").content.decode()
    assert f"Dân số {commune_a.name} (2021)" in html and "4.200" in html
    assert "Dân số " not in client_for(personas["agency"]).get("/").content.decode()  # no unit, no tile
