import pytest

from core.errors import Invalid
from geo.importers import VillageImporter
from geo.models import Village
from geo.services import create_village
from tests.people.helpers import csv_bytes, xlsx_bytes


def test_it_creates_a_village_in_the_users_commune(personas, commune_a):
    v = create_village(by=personas["commune_a"], commune=commune_a, name="  Thôn   Plei Đôn ", kind="thon")
    assert v.name == "Thôn Plei Đôn" and v.name_folded == "thon plei don"


def test_it_refuses_a_village_in_another_commune(personas, commune_b):
    with pytest.raises(Invalid) as exc:
        create_village(by=personas["commune_a"], commune=commune_b, name="Thôn 1")
    assert "ngoài địa bàn" in exc.value.vi


def test_it_refuses_the_same_name_twice_in_a_commune(personas, commune_a):
    create_village(by=personas["commune_a"], commune=commune_a, name="Tổ dân phố 3")
    with pytest.raises(Invalid):
        create_village(by=personas["commune_a"], commune=commune_a, name="to dan pho 3")


def test_it_creates_villages_from_the_page(personas, commune_a, client_for):
    c = client_for(personas["district_a"])
    r = c.post("/geo/thon/them/", {"commune": commune_a.pk, "name": "Làng Kon Klor", "kind": "lang"})
    assert r.status_code == 302
    assert Village.objects.filter(commune=commune_a, name="Làng Kon Klor", kind="lang").exists()


def test_leadership_cannot_create_villages(personas, commune_a, client_for):
    r = client_for(personas["leader"]).post("/geo/thon/them/", {"commune": commune_a.pk, "name": "X", "kind": "thon"})
    assert r.status_code == 403


def test_it_imports_villages_from_csv_by_code_and_by_name(personas, commune_a, commune_a2):
    data = csv_bytes([["Mã xã", "Tên xã", "Tên thôn", "Loại"],
                      [commune_a.code, "", "Tổ 1", "Tổ dân phố"],
                      ["", "Duy Tân", "Tổ 2", ""],
                      [commune_a.code, "", "Làng Kon Rờ Bàng", "Làng"]], bom=True)
    result = VillageImporter(by=personas["district_a"]).run(data, "thon.csv")
    assert result.ok and result.imported == 3
    assert Village.objects.get(name="Tổ 2").commune == commune_a2
    assert Village.objects.get(name="Làng Kon Rờ Bàng").kind == "lang"


def test_it_imports_villages_from_xlsx_and_skips_those_already_present(personas, commune_a):
    Village.objects.create(commune=commune_a, name="Tổ 1")
    data = xlsx_bytes([["mã xã", "tên thôn", "loại"], [int(commune_a.code), "Tổ 1", "Tổ dân phố"], [int(commune_a.code), "Tổ 2", "Tổ dân phố"]])
    result = VillageImporter(by=personas["commune_a"]).run(data, "thon.xlsx")
    assert result.imported == 1 and result.skipped_duplicates == 1


def test_a_commune_user_cannot_import_villages_into_another_commune(personas, commune_a, commune_b):
    data = csv_bytes([["mã xã", "tên thôn"], [commune_a.code, "Thôn A"], [commune_b.code, "Thôn B"]])
    result = VillageImporter(by=personas["commune_a"]).run(data, "thon.csv")
    assert not result.saved and Village.objects.count() == 0
    assert [(e.line, e.column) for e in result.errors] == [(3, "mã xã")]
    assert "ngoài địa bàn" in result.errors[0].message_vi and "outside your jurisdiction" in result.errors[0].message_en

    result = VillageImporter(by=personas["commune_a"], mode="valid_only").run(data, "thon.csv")
    assert result.saved and list(Village.objects.values_list("name", flat=True)) == ["Thôn A"]


def test_a_commune_user_sees_only_his_villages(personas, commune_a, commune_b, client_for, api_for):
    Village.objects.create(commune=commune_a, name="Thôn Của A")
    Village.objects.create(commune=commune_b, name="Thôn Của B")
    page = client_for(personas["commune_a"]).get("/geo/thon/").content.decode()
    assert "Thôn Của A" in page and "Thôn Của B" not in page
    body = api_for(personas["commune_a"]).get("/api/villages/").json()
    names = [v["name"] for v in body.get("results", body)]
    assert names == ["Thôn Của A"]
    other = Village.objects.get(name="Thôn Của B")
    assert api_for(personas["commune_a"]).get(f"/api/villages/{other.pk}/").status_code == 404
    unit_page = client_for(personas["commune_a"]).get(f"/geo/don-vi/{commune_b.pk}/").content.decode()
    assert "Thôn Của B" not in unit_page


def test_it_creates_villages_through_the_api_within_jurisdiction(personas, commune_a, commune_b, api_for):
    api = api_for(personas["commune_a"])
    assert api.post("/api/villages/", {"commune": commune_a.pk, "name": "Thôn API", "kind": "thon"}).status_code == 201
    r = api.post("/api/villages/", {"commune": commune_b.pk, "name": "Thôn API", "kind": "thon"})
    assert r.status_code == 400 and not Village.objects.filter(commune=commune_b).exists()


def test_the_village_import_page_lists_bad_rows(personas, commune_a, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = csv_bytes([["mã xã", "tên thôn", "loại"], [commune_a.code, "Thôn 1", "Thôn"], ["99999", "Thôn 2", "Thôn"], [commune_a.code, "Thôn 3", "Phố cổ"]])
    r = client_for(personas["commune_a"]).post("/geo/thon/nhap/", {"file": SimpleUploadedFile("t.csv", data)})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="import-errors"' in html
    assert "Không có xã nào mã 99999" in html and "No commune has the code 99999" in html and "Loại không hợp lệ" in html
    assert Village.objects.count() == 0


def test_the_commands_import_villages_and_population_and_refuse_bad_files(personas, commune_a, tmp_path):
    from django.core.management import CommandError, call_command

    from geo.models import PopulationEstimate

    villages = tmp_path / "thon.xlsx"
    villages.write_bytes(xlsx_bytes([["Mã xã", "Tên thôn"], [commune_a.code, "Thôn 7"]]))
    call_command("import_villages", str(villages), "--user", "tram_a")
    assert Village.objects.filter(commune=commune_a, name="Thôn 7").exists()
    pop = tmp_path / "danso.csv"
    pop.write_bytes(csv_bytes([["Mã xã", "Năm", "Giới tính", "Nhóm tuổi", "Dân số"], [commune_a.code, 2021, "Nữ", "65+", 120],
                               [commune_a.code, 2021, "Nam", "65+", "nhiều"]]))
    with pytest.raises(CommandError):
        call_command("import_population", str(pop))
    assert not PopulationEstimate.objects.exists()
    call_command("import_population", str(pop), "--valid-only")
    assert PopulationEstimate.objects.get().population == 120


@pytest.mark.parametrize("kind,importer", [("thon", "geo.importers.VillageImporter"), ("dan-so", "geo.importers.PopulationImporter"),
                                           ("nguoi-dan", "people.importers.PersonImporter")])
def test_the_downloadable_templates_import_as_they_are(personas, commune_a, client_for, kind, importer):
    from django.utils.module_loading import import_string

    r = client_for(personas["health_dept"]).get(f"/geo/mau/{kind}.csv")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    Village.objects.get_or_create(commune=commune_a, name="Thôn 1")
    if kind == "nguoi-dan":
        from geo.models import AdministrativeUnit

        Village.objects.get_or_create(commune=AdministrativeUnit.objects.get(path="/62/608/23311/"), name="Thôn 2")
    result = import_string(importer)(by=personas["health_dept"]).run(r.content, "mau.csv")
    assert result.ok and result.saved, result.errors
