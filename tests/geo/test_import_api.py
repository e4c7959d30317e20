"""The village and population imports over the API (core/api_imports.py): the pages' background import, the same
row checks, each refused row with its line and reason in Vietnamese and English, nothing imported unless valid_only."""
from django.core.files.uploadedfile import SimpleUploadedFile

from geo.models import PopulationEstimate, Village
from tests.people.helpers import csv_bytes

POPULATION_HEADER = ["Mã xã", "Năm", "Giới tính", "Nhóm tuổi", "Dân số"]


def _file(rows, name="t.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


def test_villages_are_imported_as_on_their_page_and_the_batch_is_the_uploaders(personas, api_for, commune_a):
    api = api_for(personas["commune_a"])
    r = api.post("/api/villages/import/", {"file": _file([["Mã xã", "Tên thôn", "Loại"], [commune_a.code, "Thôn 1", "Thôn"],
                                                          [commune_a.code, "Làng Kon Klor", "Làng"]])}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["imported"] == 2 and r.json()["kind"] == "villages"
    assert set(Village.objects.filter(commune=commune_a).values_list("name", flat=True)) == {"Thôn 1", "Làng Kon Klor"}
    assert api.get(f"/api/villages/import/{r.json()['id']}/").json()["status"] == "done"
    assert api_for(personas["commune_b"]).get(f"/api/villages/import/{r.json()['id']}/").status_code == 404
    # The population import's batches are another kind: this id is not one of them.
    assert api.get(f"/api/population/import/{r.json()['id']}/").status_code == 404


def test_a_bad_village_row_imports_nothing_and_names_its_line_and_reason(personas, api_for, commune_a, commune_b):
    rows = [["mã xã", "tên thôn", "loại"], [commune_a.code, "Thôn 1", "Thôn"], ["99999", "Thôn 2", "Thôn"],
            [commune_a.code, "Thôn 3", "Phố cổ"], [commune_b.code, "Thôn 4", "Thôn"]]
    r = api_for(personas["commune_a"]).post("/api/villages/import/", {"file": _file(rows)}, format="multipart")
    assert r.status_code == 400, r.content
    body = r.json()
    errors = {e["line"]: e for e in body["errors"]}
    assert set(errors) == {3, 4, 5}
    assert "Không có xã nào mã 99999" in errors[3]["message_vi"] and "No commune has the code 99999" in errors[3]["message_en"]
    assert "Loại không hợp lệ" in errors[4]["message_vi"] and errors[4]["message_en"]
    assert errors[5]["message_vi"] and errors[5]["message_en"]  # another commune: outside the importer's area
    assert "Dòng 3" in body["message_vi"] and "Line 3" in body["message_en"]
    assert not Village.objects.exists() and body["batch"]["saved"] is False
    # valid_only: the good row, the others reported.
    again = api_for(personas["commune_a"]).post("/api/villages/import/", {"file": _file(rows), "valid_only": True},
                                                format="multipart")
    assert again.status_code == 201, again.content
    assert again.json()["imported"] == 1 and again.json()["error_count"] == 3
    assert list(Village.objects.values_list("name", flat=True)) == ["Thôn 1"]


def test_only_geo_editors_import(personas, api_for, commune_a):
    rows = [["Mã xã", "Tên thôn"], [commune_a.code, "Thôn 9"]]
    for url in ("/api/villages/import/", "/api/population/import/"):
        assert api_for(personas["leader"]).post(url, {"file": _file(rows)}, format="multipart").status_code == 403
        missing = api_for(personas["commune_a"]).post(url, {}, format="multipart")
        assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    assert not Village.objects.exists()


def test_population_is_imported_as_on_its_page(personas, api_for, commune_a):
    rows = [POPULATION_HEADER] + [[commune_a.code, 2021, sex, band, 100] for sex in ("Nam", "Nữ")
                                  for band in ("0-4", "5-11", "12-17", "18-49", "50-64", "65+")]
    api = api_for(personas["health_dept"])
    r = api.post("/api/population/import/", {"file": _file(rows, "danso.csv")}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["imported"] == 12 and PopulationEstimate.objects.filter(unit=commune_a, year=2021).count() == 12
    assert api.get(f"/api/population/import/{r.json()['id']}/").json()["status"] == "done"


def test_a_bad_population_row_imports_nothing_and_names_its_line_and_reason(personas, api_for, commune_a):
    rows = [POPULATION_HEADER, [commune_a.code, 2021, "Nam", "0-4", 100], [commune_a.code, 2021, "Khác", "5-11", 100],
            [commune_a.code, 2021, "Nữ", "3-9", 100], [commune_a.code, 2021, "Nữ", "65+", -5]]
    r = api_for(personas["health_dept"]).post("/api/population/import/", {"file": _file(rows)}, format="multipart")
    assert r.status_code == 400, r.content
    errors = {e["line"]: e for e in r.json()["errors"]}
    assert set(errors) == {3, 4, 5}
    assert all(e["message_vi"] and e["message_en"] and e["message_vi"] != e["message_en"] for e in errors.values())
    assert (errors[3]["field"], errors[4]["field"], errors[5]["field"]) == ("giới tính", "nhóm tuổi", "dân số")
    assert not PopulationEstimate.objects.exists()


def test_the_endpoints_are_in_the_openapi_schema(personas, client_for):
    text = client_for(personas["health_dept"]).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/villages/import/", "/api/villages/import/{batch_id}/", "/api/population/import/",
                 "/api/population/import/{batch_id}/"):
        assert path in text
