import json

import pytest
from django.core.management import call_command

from core.errors import Invalid
from geo.demo import shared_geo_dir
from geo.models import Boundary
from geo.services import feature_collection, import_boundaries

SQUARE = {"type": "Polygon", "coordinates": [[[108.0, 14.3], [108.1, 14.3], [108.1, 14.4], [108.0, 14.4], [108.0, 14.3]]]}


def _fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(props, geometry=SQUARE):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_it_loads_polygons_by_gso_code_and_reports_unmatched(kontum, commune_a):
    out = import_boundaries(json.dumps(_fc(_feature({"ma_xa": commune_a.code, "ma_huyen": "608"}), _feature({"ma_huyen": "608"}),
                                           _feature({"ma_xa": "00000"}), _feature({"ten": "x"}))))
    assert out["loaded"] == 2 and out["unmatched"] == ["00000"] and out["skipped"] == 1
    assert Boundary.objects.get(unit=commune_a).geometry == SQUARE
    assert Boundary.objects.filter(unit=commune_a.parent).exists()


def test_it_uses_a_chosen_property_and_is_idempotent(kontum, commune_a):
    import_boundaries(_fc(_feature({"GSO": commune_a.code})), code_property="GSO")
    import_boundaries(_fc(_feature({"GSO": commune_a.code})), code_property="GSO")
    assert Boundary.objects.count() == 1


def test_it_rejects_what_is_not_geojson(kontum):
    with pytest.raises(Invalid):
        import_boundaries(b"not json")
    with pytest.raises(Invalid):
        import_boundaries(_fc(_feature({"name": "x"})))


def test_the_command_loads_the_shared_files(kontum, tmp_path, capsys):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps(_fc(_feature({"ma_huyen": "608"}))))
    call_command("import_boundaries", str(path))
    assert Boundary.objects.count() == 1
    if (shared_geo_dir() / "kontum_communes.geojson").exists():
        call_command("import_boundaries", str(shared_geo_dir() / "kontum_communes.geojson"))
        assert Boundary.objects.filter(unit__level="commune", unit__path__startswith="/62/").count() == 102


def test_map_features_are_polygons_when_loaded_and_centroids_otherwise(kontum, commune_a, commune_a2):
    import_boundaries(_fc(_feature({"ma_xa": commune_a.code})))
    fc = feature_collection([commune_a, commune_a2], {commune_a.pk: 5})
    kinds = {f["properties"]["id"]: f["geometry"]["type"] for f in fc["features"]}
    assert kinds == {commune_a.pk: "Polygon", commune_a2.pk: "Point"}
    assert fc["features"][0]["properties"]["value"] == 5


def test_the_map_page_and_its_data(personas, kontum, commune_a, client_for):
    c = client_for(personas["commune_a"])
    html = c.get("/geo/ban-do/").content.decode()
    assert "vendor/leaflet/leaflet.js" in html and "geo/map.js" in html
    data = c.get(f"/geo/ban-do/{commune_a.parent_id}/du-lieu.geojson").json()
    assert len(data["features"]) == commune_a.parent.children.count()
    assert all(f["geometry"]["type"] == "Point" for f in data["features"])


def test_only_rule_editors_import_boundaries_as_a_background_batch(personas, kontum, commune_a, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import ImportBatch

    settings.VAR_DIR = tmp_path
    upload = json.dumps(_fc(_feature({"ma_xa": commune_a.code}), _feature({"ma_xa": "00000"}))).encode()
    assert client_for(personas["commune_a"]).post("/geo/ranh-gioi/nhap/", {"file": SimpleUploadedFile("b.geojson", upload)}).status_code == 403
    c = client_for(personas["health_dept"])
    r = c.post("/geo/ranh-gioi/nhap/", {"file": SimpleUploadedFile("b.geojson", upload), "structure": "pre2025"})
    batch = ImportBatch.objects.get()
    page = r.content.decode()
    assert r.status_code == 200 and Boundary.objects.filter(unit=commune_a).exists()
    assert (batch.kind, batch.status, batch.imported, batch.rows_total, batch.file_path) == ("boundaries", "done", 1, 2, "")
    assert 'id="import-result"' in page and "Mã 00000 không khớp đơn vị hành chính nào" in page
    # Not GeoJSON: a rejected batch with the reason in words.
    page = c.post("/geo/ranh-gioi/nhap/", {"file": SimpleUploadedFile("b.geojson", b"not json"), "structure": "pre2025"}).content.decode()
    assert 'id="import-rejected"' in page and "Tệp không phải GeoJSON hợp lệ." in page
    assert ImportBatch.objects.filter(kind="boundaries", status="rejected").count() == 1


def test_the_demo_builder_loads_the_shared_folder_when_present(kontum, settings, tmp_path):
    import io
    import random
    import shutil

    from core.demo import DemoContext
    from geo import demo

    base = tmp_path / "main"
    base.mkdir()
    settings.BASE_DIR = base
    ctx = DemoContext(rng=random.Random(1), people_count=0, today=None, stdout=io.StringIO())
    demo.build(ctx)  # no ../shared/geo here: centroids only
    assert Boundary.objects.count() == 0
    (tmp_path / "shared" / "geo").mkdir(parents=True)
    (tmp_path / "shared" / "geo" / "kontum_districts.geojson").write_text(json.dumps(_fc(_feature({"ma_huyen": "608", "ma_tinh": "62"}))))
    demo.build(ctx)
    assert Boundary.objects.count() == 1
    shutil.rmtree(tmp_path / "shared")
