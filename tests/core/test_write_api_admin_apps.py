"""Issue #14 §3: the UI writes of facilities, diseases, geo, data protection, accounts and directives over the API —
the same rules, scoping and audit as the pages; errors in the one shape with Vietnamese and English."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from tests.conftest import make_person, make_user

pytestmark = pytest.mark.django_db


def assert_error(response, status=400, field=None):
    """The one error shape: detail, message_vi, message_en, errors[{field, message_vi, message_en}]."""
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["message_vi"] and body["message_en"] and body["detail"]
    assert all(e["message_vi"] and e["message_en"] for e in body["errors"])
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def audited(user, **kw) -> int:
    return AuditEvent.objects.filter(actor=user, **kw).count()


# -- facilities --------------------------------------------------------------------------------------------------------
def test_bed_counts_are_set_audited_scoped_and_checked(personas, api_for, commune_a, commune_b):
    from facilities.models import BedCapacity, Facility

    mine = Facility.objects.create(name="Trung tâm Y tế thành phố", kind="district_health_centre", unit=commune_a)
    other = Facility.objects.create(name="Trung tâm Y tế Đăk Glei", kind="district_health_centre", unit=commune_b)
    staff = personas["commune_a"]
    api = api_for(staff)
    r = api.post("/api/facilities/beds/", {"counts": [{"facility": mine.pk, "bed_type": "icu", "total": 12}]}, format="json")
    assert r.status_code == 200 and r.json() == {"changed": 1}
    assert BedCapacity.objects.get(facility=mine, bed_type="icu").total == 12
    assert audited(staff, target_type="facilities.bedcapacity") == 1
    outside = api.post("/api/facilities/beds/", {"counts": [{"facility": other.pk, "bed_type": "icu", "total": 3}]}, format="json")
    assert_error(outside, 404)
    assert not BedCapacity.objects.filter(facility=other).exists()
    assert_error(api.post("/api/facilities/beds/", {"counts": [{"facility": mine.pk, "bed_type": "icu", "total": -1}]},
                          format="json"), 400, "counts.0.total")
    assert_error(api_for(personas["leader"]).post("/api/facilities/beds/", {"counts": []}, format="json"), 403)


# -- diseases ----------------------------------------------------------------------------------------------------------
def test_a_rule_version_is_added_with_the_form_s_rules(personas, api_for):
    from diseases.models import Disease, RuleSet

    Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})
    dept = personas["health_dept"]
    api = api_for(dept)
    payload = {"disease": "covid19", "kind": "home_care", "name": "Thử", "source_document": "999/QĐ-BYT",
               "valid_from": "01/03/2031", "values": {"max_age": 65}}
    r = api.post("/api/diseases/rule-versions/", payload, format="json")
    assert r.status_code == 201, r.content
    rule = RuleSet.objects.get(pk=r.json()["id"])
    assert rule.valid_from == dt.date(2031, 3, 1) and rule.values["max_age"]["value"] == 65
    assert audited(dept, target_type="diseases.ruleset", action="create") == 1
    # The same start date twice: the service's refusal, field by field, in both languages.
    assert_error(api.post("/api/diseases/rule-versions/", payload, format="json"), 400, "valid_from")
    assert_error(api.post("/api/diseases/rule-versions/", {**payload, "values": "{not json"}, format="json"), 400, "values")
    assert_error(api_for(personas["commune_a"]).post("/api/diseases/rule-versions/", payload, format="json"), 403)


def test_a_refused_disease_pack_lists_its_errors_with_their_line(personas, api_for):
    api = api_for(personas["health_dept"])
    bad = SimpleUploadedFile("x.yaml", b"code: x\nname: X\nrules: 3\n", content_type="application/yaml")
    body = assert_error(api.post("/api/diseases/packs/", {"pack": bad}, format="multipart"), 400)
    assert body["errors"] and all("line" in e for e in body["errors"])
    assert_error(api_for(personas["commune_a"]).post("/api/diseases/packs/", {}, format="multipart"), 403)


# -- geo -----------------------------------------------------------------------------------------------------------------
def test_health_regions_are_created_and_changed_by_the_department_only(personas, api_for, kontum):
    from geo import areas
    from geo.models import HealthRegion

    province = areas.installation_province()
    communes = list(province.children.filter(level="commune").order_by("code")[:3])
    assert len(communes) == 3, "the test units hold today's province with its communes"
    dept = personas["health_dept"]
    api = api_for(dept)
    r = api.post("/api/health-regions/", {"name": "Khu vực Bắc", "communes": [c.pk for c in communes[:2]]}, format="json")
    assert r.status_code == 201, r.content
    region = HealthRegion.objects.get(pk=r.json()["id"])
    assert set(region.communes.all()) == set(communes[:2])
    r = api.post(f"/api/health-regions/{region.pk}/", {"name": "Khu vực Bắc", "communes": [communes[2].pk], "version": 1}, format="json")
    assert r.status_code == 200 and r.json()["communes"] == [communes[2].pk]
    assert audited(dept, target_type="geo.healthregion") == 2
    assert_error(api.post("/api/health-regions/", {"name": "", "communes": []}, format="json"), 400, "name")
    assert_error(api_for(personas["commune_a"]).post("/api/health-regions/", {"name": "X", "communes": []}, format="json"), 403)
    assert_error(api.post("/api/health-regions/999999/", {"name": "X", "communes": []}, format="json"), 404)


def test_a_boundary_import_is_queued_like_the_page_s(personas, api_for, kontum):
    from core.models import ImportBatch

    api = api_for(personas["health_dept"])
    f = SimpleUploadedFile("ranh-gioi.geojson", b'{"type": "FeatureCollection", "features": []}')
    r = api.post("/api/boundaries/import/", {"file": f, "structure": "pre2025"}, format="multipart")
    assert r.status_code in (202, 400), r.content
    batch = ImportBatch.objects.get(kind="boundaries")
    assert api.get(f"/api/import-batches/{batch.pk}/").status_code == 200
    # Another user's batch is not his to see.
    assert_error(api_for(personas["commune_a"]).get(f"/api/import-batches/{batch.pk}/"), 404)
    assert_error(api.post("/api/boundaries/import/", {"structure": "pre2025"}, format="multipart"), 400, "file")
    assert_error(api_for(personas["commune_a"]).post("/api/boundaries/import/", {}, format="multipart"), 403)


# -- data protection --------------------------------------------------------------------------------------------------
@pytest.fixture
def district_officer(commune_a):
    return make_user("so_y_te_huyen_a", "health_dept", commune_a.parent)


def test_subject_requests_are_received_and_decided_in_the_jurisdiction(personas, api_for, commune_a, commune_b,
                                                                       district_officer):
    from dataprotection.models import SubjectRequest

    mine, other = make_person(commune_a, full_name="Trần Thị Bình"), make_person(commune_b, full_name="Y Hơn")
    api = api_for(district_officer)
    payload = {"kind": "access", "person": mine.pk, "requester": "Trần Thị Bình", "received_on": "05/01/2026"}
    r = api.post("/api/data-protection/requests/", payload, format="json")
    assert r.status_code == 201, r.content
    req = SubjectRequest.objects.get(pk=r.json()["id"])
    assert req.due_on == dt.date(2026, 1, 8)
    assert audited(district_officer, target_type="dataprotection.subjectrequest") >= 1
    assert_error(api.post("/api/data-protection/requests/", {**payload, "person": other.pk}, format="json"), 400, "person")
    assert_error(api.post("/api/data-protection/requests/", {**payload, "kind": "nope"}, format="json"), 400, "kind")
    decision = {"decision": "granted", "legal_basis": "Điều 14 Luật 91/2025/QH15", "answered_on": "07/01/2026"}
    r = api.post(f"/api/data-protection/requests/{req.pk}/decision/", decision, format="json")
    assert r.status_code == 200 and r.json()["decision"] == "granted"
    outside = SubjectRequest.objects.create(kind="access", person=other, commune=commune_b, requester="Y Hơn",
                                            received_on=dt.date(2026, 1, 5), due_on=dt.date(2026, 1, 8),
                                            handler=personas["commune_b"])
    assert_error(api.post(f"/api/data-protection/requests/{outside.pk}/decision/", decision, format="json"), 404)
    assert_error(api_for(personas["commune_a"]).post("/api/data-protection/requests/", payload, format="json"), 403)


def test_breaches_are_recorded_and_notified(personas, api_for):
    dept = personas["health_dept"]
    api = api_for(dept)
    r = api.post("/api/data-protection/breaches/", {"title": "Lộ danh sách F0", "detected_at": "10/02/2026 08:30",
                                                    "categories": "Họ tên", "affected_people": 12, "affected_records": 12},
                 format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api.post(f"/api/data-protection/breaches/{pk}/notified/", {"notified_at": "11/02/2026 09:00", "reference": "12/SYT"},
                 format="json")
    assert r.status_code == 200 and r.json()["notification_ref"] == "12/SYT"
    assert audited(dept, target_type="dataprotection.breach") == 2
    assert_error(api.post("/api/data-protection/breaches/", {"title": "X", "detected_at": "hôm qua", "categories": "x"},
                          format="json"), 400, "detected_at")
    assert_error(api.post("/api/data-protection/breaches/999999/notified/", {"notified_at": "11/02/2026 09:00"},
                          format="json"), 404)


def test_retention_is_applied_by_the_system_administrator_only(personas, api_for):
    assert_error(api_for(personas["health_dept"]).post("/api/data-protection/retention/apply/"), 403)
    r = api_for(personas["admin"]).post("/api/data-protection/retention/apply/")
    assert r.status_code == 200 and "total" in r.json()


# -- accounts --------------------------------------------------------------------------------------------------------
def test_api_tokens_are_minted_only_by_a_verified_session_and_revoked_by_their_owner(personas, api_for, client):
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.test import APIClient

    from accounts.models import ApiToken

    user = personas["commune_a"]
    # A bearer token never mints tokens.
    assert_error(api_for(user).post("/api/me/api-tokens/", {"name": "Điện thoại"}, format="json"), 403)
    session = APIClient()
    session.force_login(user)
    assert_error(session.post("/api/me/api-tokens/", {"name": "Điện thoại"}, format="json"), 403)  # no second factor
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    from django.test import Client

    c = Client(enforce_csrf_checks=False)
    c.force_login(user)
    s = c.session
    s["otp_device_id"] = device.persistent_id
    s.save()
    r = c.post("/api/me/api-tokens/", {"name": "Điện thoại tổ 3", "days": 30}, content_type="application/json")
    assert r.status_code == 201, r.content
    key, token_id = r.json()["key"], r.json()["id"]
    assert ApiToken.objects.get(pk=token_id).prefix == key[:8]
    assert audited(user, target_type="accounts.apitoken") >= 1
    assert_error(c.post("/api/me/api-tokens/", {"name": ""}, content_type="application/json"), 400, "name")
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert bearer.post(f"/api/me/api-tokens/{token_id}/revoke/").json() == {"revoked": True}
    assert_error(api_for(personas["commune_b"]).post(f"/api/me/api-tokens/{token_id}/revoke/"), 404)


def test_a_manager_revokes_a_user_s_token(personas, api_for):
    from accounts.services import create_token

    token, _key = create_token(user=personas["commune_a"], name="Máy tính trạm")
    dept = personas["health_dept"]
    r = api_for(dept).post(f"/api/users/{personas['commune_a'].pk}/revoke-token/", {"token": token.pk}, format="json")
    assert r.status_code == 200 and r.json() == {"revoked": True}
    assert audited(dept, target_type="accounts.apitoken") == 1
    assert_error(api_for(personas["commune_b"]).post(f"/api/users/{personas['commune_a'].pk}/revoke-token/",
                                                     {"token": token.pk}, format="json"), 403)


def test_a_refused_user_import_names_each_row_in_both_languages(personas, api_for):
    f = SimpleUploadedFile("can-bo.csv", "Tên đăng nhập,Họ tên,Vai trò\n,Không tên,xyz\n".encode())
    body = assert_error(api_for(personas["health_dept"]).post("/api/users/import/", {"file": f}, format="multipart"), 400)
    assert body["errors"]


# -- directives -------------------------------------------------------------------------------------------------------
def test_a_directive_is_registered_then_confirmed_with_its_version(personas, api_for, kontum):
    from directives.models import Assignment, Directive
    from tests.directives.conftest import seed_text

    dept = personas["health_dept"]
    api = api_for(dept)
    r = api.post("/api/directives/new/", {"text": seed_text("002")}, format="json")
    assert r.status_code == 201, r.content
    d = Directive.objects.get(pk=r.json()["id"])
    assert_error(api.post("/api/directives/new/", {"text": "  "}, format="json"), 400)
    tasks = [{"ref": t["ref"], "text": t["text"], "assignees": t["assignees"] or ["Sở Y tế"], "deadline": t["deadline"]}
             for t in d.parsed["tasks"][:2]]
    assert_error(api.post(f"/api/directives/{d.pk}/confirm/", {"tasks": tasks, "version": d.version + 5}, format="json"), 409)
    r = api.post(f"/api/directives/{d.pk}/confirm/", {"tasks": tasks, "version": d.version}, format="json")
    assert r.status_code == 200, r.content
    assert Assignment.objects.filter(task__directive=d).exists()
    assert audited(dept, target_type="directives.directive") >= 2
    assert_error(api_for(personas["agency"]).post("/api/directives/new/", {"text": "x"}, format="json"), 403)


def test_progress_over_the_api_follows_the_page_s_rule_and_error_shape(personas, api_for, kontum):
    from directives import services
    from directives.models import Assignment
    from tests.directives.conftest import seed_text

    d = services.register_directive(by=personas["health_dept"], text=seed_text("002"))
    services.confirm_directive(d, by=personas["health_dept"], tasks=[
        {**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None} for t in d.parsed["tasks"]])
    a = Assignment.objects.filter(agency__name="Sở Giáo dục và Đào tạo").first()
    api = api_for(personas["agency"])
    assert_error(api.post(f"/api/directive-tasks/{a.pk}/progress/", {"text": "", "version": a.version}, format="json"), 400)
    r = api.post(f"/api/directive-tasks/{a.pk}/progress/", {"text": "Đã triển khai", "progress": 30, "version": a.version},
                 format="json")
    assert r.status_code == 201
    assert audited(personas["agency"]) >= 1


# -- background imports (core.batches) ----------------------------------------------------------------------------------
def test_a_failed_import_batch_is_retried_by_its_uploader_only(personas, api_for, tmp_path, settings):
    from core.models import ImportBatch

    settings.VAR_DIR = tmp_path
    path = tmp_path / "thon.csv"
    path.write_text("Mã xã,Tên xã,Tên thôn,Loại\n", encoding="utf-8")
    batch = ImportBatch.objects.create(kind="villages", file_name="thon.csv", file_path=str(path), status="failed",
                                       created_by=personas["commune_a"])
    assert_error(api_for(personas["commune_b"]).post(f"/api/import-batches/{batch.pk}/retry/"), 404)
    r = api_for(personas["commune_a"]).post(f"/api/import-batches/{batch.pk}/retry/")
    assert r.status_code == 202 and r.json()["id"] == batch.pk
    assert ImportBatch.objects.get(pk=batch.pk).attempts == 1  # queued again, and run (jobs run inline in tests)
    assert AuditEvent.objects.filter(actor=personas["commune_a"], note__contains=f"import batch {batch.pk} retried").exists()
    # Only a failed batch is retried.
    assert_error(api_for(personas["commune_a"]).post(f"/api/import-batches/{batch.pk}/retry/"), 404)
