"""The registry pages' other writes over the API (issue #14 §3): merging duplicates and the people import, with the
same rules, scoping and audit as their pages. (Create and edit: test_registry.py; re-homing: test_rehoming.py.)"""
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from people.models import Person
from tests.conftest import make_person

from .helpers import csv_bytes
from .test_import_people import HEADER, good_rows


def test_merging_two_records_over_the_api(personas, api_for, commune_a, commune_b):
    keep = make_person(commune_a, full_name="Lê Thị Hoa", birth_year=1970)
    dup = make_person(commune_a, full_name="Le Thi Hoa", birth_year=1970, phone="0905123456")
    stranger = make_person(commune_b, full_name="Lê Thị Hoa", birth_year=1970)
    api = api_for(personas["commune_a"])
    outside = api.post("/api/people/merge/", {"keep": keep.pk, "duplicate": stranger.pk}, format="json")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "duplicate"
    assert "Hoa" not in outside.content.decode()
    itself = api.post("/api/people/merge/", {"keep": keep.pk, "duplicate": keep.pk}, format="json")
    assert itself.status_code == 400 and "itself" in itself.json()["message_en"] and "chính nó" in itself.json()["message_vi"]
    assert api_for(personas["leader"]).post("/api/people/merge/", {"keep": keep.pk, "duplicate": dup.pk},
                                            format="json").status_code == 403
    r = api.post("/api/people/merge/", {"keep": keep.pk, "duplicate": dup.pk}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["id"] == keep.pk and r.json()["phone"] == "0905123456"
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    merged = AuditEvent.objects.filter(target_type="people.person", action="merge")
    assert {e.target_id for e in merged} == {str(keep.pk), str(dup.pk)}
    again = api.post("/api/people/merge/", {"keep": keep.pk, "duplicate": dup.pk}, format="json")
    assert again.status_code == 400  # the retired record is no longer in the registry


def test_the_people_import_over_the_api(personas, api_for, commune_a, commune_b):
    from geo.models import Village

    Village.objects.create(commune=commune_a, name="Thôn 1")
    api = api_for(personas["commune_a"])
    rows = good_rows(commune_a)
    rows.insert(1, ["Phạm Văn Dũng", "31/02/1990", "", "Nam", "", "", "", "", "", commune_a.code, ""])
    r = api.post("/api/people/import/", {"file": SimpleUploadedFile("ds.csv", csv_bytes([HEADER, *rows]))}, format="multipart")
    assert r.status_code == 400, r.content
    err = r.json()["errors"][0]
    assert (err["line"], err["field"]) == (3, "ngày sinh") and "No such date" in err["message_en"]
    assert not Person.objects.exists()  # never half an import
    r = api.post("/api/people/import/", {"file": SimpleUploadedFile("ds.csv", csv_bytes([HEADER, *rows])), "valid_only": True},
                 format="multipart")
    assert r.status_code == 201 and r.json()["imported"] == 3 and Person.objects.count() == 3
    assert api.get(f"/api/people/import/{r.json()['id']}/").json()["status"] == "done"
    outside = api.post("/api/people/import/", {"file": SimpleUploadedFile("ds.csv", b"x"), "default_commune": commune_b.pk},
                       format="multipart")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "default_commune"
    assert api_for(personas["leader"]).post("/api/people/import/", {}, format="multipart").status_code == 403


def test_an_import_upload_over_the_limit_is_refused_as_on_the_page(personas, api_for, settings):
    from core.models import ImportBatch

    settings.PHONGDICH_UPLOAD_MAX_MB = 1
    api = api_for(personas["commune_a"])
    # Far over: refused before the body is read (core.uploads), in the API's error shape.
    big = SimpleUploadedFile("ds.csv", b"Ho ten,Nam sinh,Gioi tinh\n" + b"x" * (3 * 1024 * 1024))
    r = api.post("/api/people/import/", {"file": big}, format="multipart")
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "file"
    assert "1 MB" in r.json()["message_vi"] and "1 MB at most" in r.json()["message_en"]
    # Just over (within the multipart slack): the import layer refuses the file, nothing imported.
    r = api.post("/api/people/import/", {"file": SimpleUploadedFile("ds.csv", b"x" * (1024 * 1024 + 1))}, format="multipart")
    assert r.status_code == 400 and r.json()["batch"]["status"] == "rejected" and "Tệp quá lớn" in r.json()["message_vi"]
    assert not Person.objects.exists() and ImportBatch.objects.count() == 1
