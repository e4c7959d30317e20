"""Issue #14 §3: the vaccination pages' writes over the API — certificate revocation, schedule edits (with version),
dose imports and their retry, campaigns, VNeID reconciliation: same forms, services, roles, scoping and audit."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from tests.core.test_write_api_admin_apps import assert_error
from vaccination.models import Campaign, ImportBatch, Schedule

pytestmark = pytest.mark.django_db
HEADER = "STT,Số CCCD/CMND,Họ và tên,Ngày sinh,Mã xã,Tên vắc xin,Loại mũi,Mũi số,Ngày tiêm,Số lô,Cơ sở tiêm\n"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_certificates_are_revoked_in_the_jurisdiction_only(personas, api_for, adult, commune_b, person_factory):
    from vaccination import services
    from vaccination.models import Certificate

    services.issue_certificate(by=personas["vaccinator_a"], person=adult)
    vaccinator = personas["vaccinator_a"]
    r = api_for(vaccinator).post(f"/api/vaccination/people/{adult.pk}/certificates/revoke/")
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert not Certificate.objects.filter(person=adult, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(actor=vaccinator, person_id=adult.pk).exists()
    assert_error(api_for(personas["commune_b"]).post(f"/api/vaccination/people/{adult.pk}/certificates/revoke/"), 404)
    assert_error(api_for(personas["leader"]).post(f"/api/vaccination/people/{adult.pk}/certificates/revoke/"), 403)


def _schedule_payload(s: Schedule, **changes) -> dict:
    data = {"valid_from": s.valid_from.strftime("%d/%m/%Y"), "valid_to": s.valid_to.strftime("%d/%m/%Y") if s.valid_to else "",
            "age_min": s.age_min, "age_below": s.age_below or "", "primary_doses": s.primary_doses,
            "min_interval_days": s.min_interval_days, "recommended_interval_days": s.recommended_interval_days or "",
            "mixable_with": s.mixable_with, "usable_as_booster": s.usable_as_booster, "source_document": s.source_document,
            "confirmed": s.confirmed, "unconfirmed_fields": s.unconfirmed_fields, "notes": s.notes, "version": s.version}
    data.update(changes)
    return data


def test_a_schedule_is_corrected_with_its_version(personas, api_for, products):
    schedule = Schedule.objects.order_by("pk").first()
    dept = personas["health_dept"]
    api = api_for(dept)
    wanted = schedule.min_interval_days + 7
    r = api.post(f"/api/vaccination/schedules/{schedule.pk}/", _schedule_payload(schedule, min_interval_days=wanted), format="json")
    assert r.status_code == 200, r.content
    assert r.json()["min_interval_days"] == wanted and r.json()["version"] == schedule.version + 1
    assert AuditEvent.objects.filter(actor=dept, target_type="vaccination.schedule").count() == 1
    stale = api.post(f"/api/vaccination/schedules/{schedule.pk}/", _schedule_payload(schedule, notes="x"), format="json")
    assert_error(stale, 409)
    assert stale.json()["current_version"] == schedule.version + 1
    fresh = Schedule.objects.get(pk=schedule.pk)
    assert_error(api.post(f"/api/vaccination/schedules/{schedule.pk}/", _schedule_payload(fresh, valid_from="31/02/2022"),
                          format="json"), 400, "valid_from")
    assert_error(api_for(personas["commune_a"]).post(f"/api/vaccination/schedules/{schedule.pk}/",
                                                     _schedule_payload(fresh), format="json"), 403)
    assert_error(api.post("/api/vaccination/schedules/999999/", _schedule_payload(fresh), format="json"), 404)


def test_a_dose_import_runs_as_a_batch_seen_by_its_uploader(personas, api_for, commune_a, person_factory):
    person_factory(commune_a, full_name="Nguyễn Văn An", date_of_birth=dt.date(1980, 3, 4), id_number="062080000001")
    body = HEADER + "1,062080000001,Nguyễn Văn An,04/03/1980,,Pfizer,Cơ bản,1,01/09/2021,FA1234,TYT Quang Trung\n"
    api = api_for(personas["commune_a"])
    r = api.post("/api/vaccination/imports/", {"file": SimpleUploadedFile("mui-tiem.csv", body.encode())}, format="multipart")
    assert r.status_code == 202, r.content
    batch = ImportBatch.objects.get(pk=r.json()["id"])
    got = api.get(f"/api/vaccination/imports/{batch.pk}/").json()
    assert (got["status"], got["imported"]) == ("done", 1)
    assert_error(api_for(personas["commune_b"]).get(f"/api/vaccination/imports/{batch.pk}/"), 404)
    assert_error(api.post("/api/vaccination/imports/", {}, format="multipart"), 400, "file")
    assert_error(api_for(personas["leader"]).post("/api/vaccination/imports/", {}, format="multipart"), 403)
    # Only a failed batch is retried, by its uploader; otherwise 404 (as the page).
    assert_error(api.post(f"/api/vaccination/imports/{batch.pk}/retry/"), 404)
    assert_error(api_for(personas["commune_b"]).post(f"/api/vaccination/imports/{batch.pk}/retry/"), 404)


def test_a_failed_dose_import_is_retried_by_its_owner(personas, api_for, commune_a, tmp_path):
    path = tmp_path / "vaccination_imports" / "x.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEADER, encoding="utf-8")
    batch = ImportBatch.objects.create(file_name="x.csv", file_path=str(path), created_by=personas["commune_a"], mode="all",
                                       status="failed", attempts=1)
    r = api_for(personas["commune_a"]).post(f"/api/vaccination/imports/{batch.pk}/retry/")
    assert r.status_code == 202, r.content
    assert ImportBatch.objects.get(pk=batch.pk).attempts == 2


def test_campaigns_are_created_with_the_page_s_rules(personas, api_for, kontum, commune_a, commune_b):
    dept = personas["health_dept"]
    payload = {"name": "Mũi 2 cho 18+", "target": "full", "age_min": 18, "target_pct": 100, "starts_on": "15/07/2021",
               "deadline": "31/12/2021", "unit": kontum.pk, "source": "004"}
    r = api_for(dept).post("/api/vaccination/campaigns/", payload, format="json")
    assert r.status_code == 201, r.content
    assert Campaign.objects.get(pk=r.json()["id"]).unit == kontum
    assert AuditEvent.objects.filter(actor=dept, target_type="vaccination.campaign").exists()
    assert_error(api_for(dept).post("/api/vaccination/campaigns/", {**payload, "age_min": ""}, format="json"), 400, "age_min")
    assert_error(api_for(dept).post("/api/vaccination/campaigns/", {**payload, "deadline": "01/01/2021"}, format="json"), 400)
    # A unit outside the jurisdiction is not among the choices (as on the page).
    assert_error(api_for(personas["commune_a"]).post("/api/vaccination/campaigns/", {**payload, "unit": commune_b.pk},
                                                     format="json"), 400, "unit")
    assert_error(api_for(personas["vaccinator_a"]).post("/api/vaccination/campaigns/", payload, format="json"), 403)
    assert_error(api_for(personas["leader"]).post("/api/vaccination/campaigns/", payload, format="json"), 403)


def test_a_vneid_reconciliation_is_queued_as_a_batch(personas, api_for, commune_a):
    from core.models import ImportBatch as Batch

    api = api_for(personas["commune_a"])
    f = SimpleUploadedFile("vneid.csv", "Số CCCD,Họ và tên\n".encode())
    r = api.post("/api/vaccination/reconciliations/", {"file": f}, format="multipart")
    assert r.status_code in (202, 400), r.content
    assert Batch.objects.filter(kind="vneid", created_by=personas["commune_a"]).exists()
    assert_error(api.post("/api/vaccination/reconciliations/", {}, format="multipart"), 400, "file")
    assert_error(api_for(personas["leader"]).post("/api/vaccination/reconciliations/", {}, format="multipart"), 403)
