"""VNeID reconciliation: differences per person by kind, counts, corrections export, a re-run shows what was fixed."""
import csv
import datetime as dt
import io

from vaccination import reconcile, services

D = dt.date
TODAY = D(2022, 2, 14)
HEADER = "Số định danh,Họ và tên,Ngày sinh,Mũi số,Ngày tiêm,Tên vắc xin\n"


def rec(person, product, number, on):
    services.record_injection(by=None, person=person, product=product, dose_kind="primary", dose_number=number, given_on=on, today=TODAY)


def test_it_lists_differences_by_kind_exports_corrections_and_shows_fixes(commune_a, person_factory, products, personas, client_for):
    an = person_factory(commune_a, full_name="Nguyễn Văn An", date_of_birth=D(1980, 3, 4), id_number="062080000001")
    binh = person_factory(commune_a, full_name="Trần Thị Bình", date_of_birth=D(1975, 6, 1), id_number="062175000002")
    rec(an, products["comirnaty"], 1, D(2021, 9, 1))
    rec(an, products["comirnaty"], 2, D(2021, 9, 22))
    rec(binh, products["sinopharm"], 1, D(2021, 8, 1))
    extract = HEADER + (
        "062080000001,Nguyễn Văn An,04/03/1980,1,01/09/2021,Pfizer\n"  # dose 2 missing on VNeID
        "062175000002,Trần Thị Binh,01/06/1976,1,02/08/2021,Moderna\n"  # name, dob, date and product differ
        "062175000002,Trần Thị Binh,01/06/1976,2,01/09/2021,Vero Cell\n"  # dose missing here
        "062099000009,Lê Văn Lạ,01/01/1999,1,01/09/2021,Pfizer\n"  # unknown person
    )
    r = reconcile.run(by=personas["commune_a"], data=extract.encode(), filename="vneid.csv")
    c = r.counts
    assert (c["missing_there"], c["name_mismatch"], c["dob_mismatch"], c["date_differs"], c["product_differs"],
            c["missing_here"], c["unknown_person"]) == (1, 1, 1, 1, 1, 1, 1)
    assert c["people_with_differences"] == 3
    rows = list(csv.reader(io.StringIO(reconcile.corrections_csv(r))))
    assert rows[0] == reconcile.CORRECTION_HEADER
    assert ["062080000001", "Nguyễn Văn An", "Thiếu mũi trên VNeID", "Dose missing on VNeID", "2", "22/09/2021 comirnaty", "",
            "Bổ sung mũi lên VNeID"] in rows
    # VNeID fixes An's record and Bình's name; re-run shows what was fixed
    fixed = extract.replace("Trần Thị Binh", "Trần Thị Bình").replace(
        "062080000001,Nguyễn Văn An,04/03/1980,1,01/09/2021,Pfizer\n",
        "062080000001,Nguyễn Văn An,04/03/1980,1,01/09/2021,Pfizer\n062080000001,Nguyễn Văn An,04/03/1980,2,22/09/2021,Pfizer\n")
    again = reconcile.run(by=personas["commune_a"], data=fixed.encode(), filename="vneid-2.csv")
    assert again.counts["missing_there"] == 0 and again.counts["name_mismatch"] == 0
    assert again.fixed_since_previous == {"missing_there": 1, "name_mismatch": 1, "total": 2}
    page = client_for(personas["commune_a"]).get(f"/vaccination/doi-soat-vneid/{again.pk}/")
    assert page.status_code == 200 and "Thiếu mũi trên VNeID" in page.content.decode()
    assert client_for(personas["commune_b"]).get(f"/vaccination/doi-soat-vneid/{again.pk}/").status_code == 404


def test_it_treats_people_outside_the_jurisdiction_as_unknown(commune_b, person_factory, personas):
    person_factory(commune_b, full_name="Ở Xã Khác", date_of_birth=D(1980, 1, 1), id_number="062080000077")
    r = reconcile.run(by=personas["commune_a"], data=(HEADER + "062080000077,Ở Xã Khác,01/01/1980,,,\n").encode(), filename="x.csv")
    assert r.counts["unknown_person"] == 1 and r.differences[0]["person_id"] is None


def test_it_uploads_an_extract_through_the_page(client_for, personas, commune_a, person_factory):
    from django.core.files.uploadedfile import SimpleUploadedFile

    person_factory(commune_a, full_name="A", date_of_birth=D(1980, 1, 1), id_number="062080000078")
    from core.models import ImportBatch
    from vaccination.models import ReconciliationRun

    c = client_for(personas["commune_a"])
    body = HEADER + "062080000078,A,01/01/1980,1,01/09/2021,Pfizer\n" + "123,B,01/01/1980,1,01/09/2021,Pfizer\n"
    r = c.post("/vaccination/doi-soat-vneid/", {"file": SimpleUploadedFile("v.csv", body.encode())})
    # A background batch (core.batches): its report lists the unreadable row and links to the run's page.
    batch = ImportBatch.objects.get()
    page = r.content.decode()
    assert r.status_code == 200 and (batch.kind, batch.status, batch.rows_total, batch.error_count) == ("vneid", "done", 2, 1)
    run_url = f"/vaccination/doi-soat-vneid/{ReconciliationRun.objects.get().pk}/"
    assert 'id="import-result-link"' in page and run_url in page and "phải gồm đúng 12 hoặc 9 chữ số" in page
    csv_text = c.get(run_url + "?dang=csv").content.decode("utf-8-sig")
    assert "Thiếu mũi trong hệ thống" in csv_text
    # A file with no readable row is a rejected batch, with the reason in words.
    page = c.post("/vaccination/doi-soat-vneid/", {"file": SimpleUploadedFile("v.csv", (HEADER + "1,B,x,,,\n").encode())}).content.decode()
    assert 'id="import-rejected"' in page and "Không đọc được dòng nào hợp lệ." in page


def test_a_row_with_a_nul_byte_or_a_malformed_id_is_a_row_error(commune_a, person_factory, products, personas):
    person_factory(commune_a, full_name="Nguyễn Văn An", date_of_birth=D(1980, 3, 4), id_number="062080000001")
    extract = HEADER + ("062080000001,Nguyễn\x00 Văn An,04/03/1980,1,01/09/2021,Pfizer\n"
                        "06208000000,Nguyễn Văn An,04/03/1980,1,01/09/2021,Pfizer\n"
                        "062080000001,Nguyễn Văn An,04/03/1980,1,01/09/2021,Pfizer\n")
    r = reconcile.run(by=personas["commune_a"], data=extract.encode(), filename="vneid.csv")
    assert r.counts["rows_rejected"] == 2 and r.counts["people_compared"] == 1
