"""Retention: the dry run counts, the job pseudonymises people past retention (and nobody else); research exports
are pseudonymised with stable keyed codes; the impact-assessment facts come out as XLSX."""
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from dataprotection import services
from people.models import Person
from tests.conftest import make_person

from .conftest import make_case

pytestmark = pytest.mark.django_db
TODAY = dt.date(2036, 6, 1)


def _age(person, years):
    Person.objects.filter(pk=person.pk).update(updated_at=timezone.now() - dt.timedelta(days=365 * years + 5))


def test_the_dry_run_reports_then_the_job_pseudonymises_only_people_past_retention(client_for, personas, commune_a):
    old = make_person(commune_a, full_name="Người Cũ", phone="0911111111", id_kind="cccd",
                      id_number="062190000999", birth_year=1960)
    old_with_new_case = make_person(commune_a, full_name="Người Có Ca Mới", birth_year=1970)
    recent = make_person(commune_a, full_name="Người Mới", birth_year=1990)
    _age(old, 11)
    _age(old_with_new_case, 11)
    make_case(old_with_new_case, confirmed_on=dt.date(2026, 5, 1))  # a linked record changed recently
    today = timezone.localdate()

    report = {row["rule"].record_type: row["count"] for row in services.retention_report(today)}
    assert report["people.person"] == 1
    assert Person.objects.get(pk=old.pk).full_name == "Người Cũ"  # a dry run changes nothing

    page = client_for(personas["health_dept"]).get(reverse("dataprotection:retention")).content.decode()
    assert "people.person" in page and "Ẩn danh hoá ngay" not in page  # only the administrator runs it by hand
    assert client_for(personas["health_dept"]).post(reverse("dataprotection:retention_apply")).status_code == 403
    assert client_for(personas["admin"]).post(reverse("dataprotection:retention_apply")).status_code == 302

    old.refresh_from_db()
    assert old.full_name == f"Ẩn danh #{old.pk}"
    assert (old.phone, old.id_number, old.date_of_birth, old.birth_year, old.commune_id) == ("", "", None, 1960,
                                                                                           commune_a.pk)
    assert Person.objects.get(pk=old_with_new_case.pk).full_name == "Người Có Ca Mới"
    assert Person.objects.get(pk=recent.pk).full_name == "Người Mới"
    assert AuditEvent.objects.filter(action="update", target_label="people.person", records=[old.pk]).exists()
    assert services.apply_retention(by=None) == {"people.person": 0}  # nothing left to do


def test_research_export_is_pseudonymised_stable_and_scoped(client_for, personas, commune_a, commune_b):
    a = make_person(commune_a, full_name="Nguyễn Văn Nghiên", phone="0900000001", id_kind="cccd",
                    id_number="062190000777", birth_year=1984)
    make_case(a)
    make_person(commune_b, full_name="Ở Xã Khác", birth_year=2000)
    officer = personas["health_dept"]

    def export(user):
        response = client_for(user).get(reverse("dataprotection:research"))
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    first, second = export(officer), export(officer)
    assert first == second  # the same person gets the same code every time
    header, rows = first[0], first[1:]
    assert header[:5] == ["ma_an_danh", "gioi_tinh", "nhom_tuoi", "ma_xa", "xa"] and "n_case" in header
    text = "\n".join(",".join(r) for r in first)
    for identity in ("Nguyễn Văn Nghiên", "0900000001", "062190000777", "1984"):
        assert identity not in text
    mine = next(r for r in rows if r[3] == commune_a.code)
    assert mine[2] == f"{(timezone.localdate().year - 1984) // 10 * 10}-{(timezone.localdate().year - 1984) // 10 * 10 + 9}"
    assert mine[header.index("n_case")] == "1" and len(mine[0]) == 16 and str(a.pk) not in mine[:3]
    assert AuditEvent.objects.filter(action="export", actor=officer, note__contains="nghiên cứu").count() == 2


def test_research_export_of_a_district_officer_stays_in_the_district(client_for, commune_a, commune_b):
    from tests.conftest import make_user

    make_person(commune_a)
    make_person(commune_b)
    officer = make_user("so_y_te_huyen", "health_dept", commune_a.parent)
    response = client_for(officer).get(reverse("dataprotection:research"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))[1:]
    assert {r[3] for r in rows} == {commune_a.code}


def test_impact_assessment_facts_export(client_for, personas):
    response = client_for(personas["admin"]).get(reverse("dataprotection:dpia"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Loại dữ liệu", "Mục đích", "Bên nhận", "Thời hạn lưu", "Biện pháp bảo vệ"]
    categories = [[c.value for c in row] for row in wb["Loại dữ liệu"].iter_rows(min_row=2)]
    id_row = next(r for r in categories if r[1] == "people.person" and r[2] == "Số giấy tờ")
    assert id_row[3] == "Dữ liệu cá nhân cơ bản" and id_row[4] == "Có"
    assert any(r[1] == "cases.case" and r[3] == "Dữ liệu cá nhân nhạy cảm" for r in categories)
    retention = [[c.value for c in row] for row in wb["Thời hạn lưu"].iter_rows(min_row=2)]
    assert ["people.person", "updated_at", 10] == retention[[r[0] for r in retention].index("people.person")][:3]
    assert AuditEvent.objects.filter(action="export", target_label="dataprotection.dpia").exists()


def test_spreadsheet_cells_never_start_a_formula(personas, commune_a):
    person = make_person(commune_a, full_name="=HYPERLINK(\"http://x\")")
    wb = load_workbook(io.BytesIO(services.export_person_data(by=personas["admin"], person=person)))
    values = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values


def test_the_retention_job_runs_weekly_from_the_shared_schedule(commune_a):
    from core.jobs import SCHEDULE

    job = SCHEDULE["dataprotection-retention"]
    assert (job.path, job.day_of_week, job.hour) == ("dataprotection.services.retention_job", "0", "3")
    old = make_person(commune_a, full_name="Người Rất Cũ")
    _age(old, 11)
    assert services.retention_job() == {"people.person": 1}
