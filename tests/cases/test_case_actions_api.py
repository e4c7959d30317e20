"""The case page's other writes over the API (issue #14 §3): transfer, medicine, support, release, admission and
discharge, certificate revocation, self-report link, alert acknowledgement and the line-list import. Each: the
write happens with its audit row; outside the jurisdiction 404; a wrong role 403; bad input the one error shape in
Vietnamese and English; a stale version 409 where the page sends one."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from cases import services
from cases.models import Admission, Alert, Case, Dispensing, RecoveryCertificate, SupportRecord
from facilities.models import Facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital(kontum):
    return Facility.objects.create(name="Bệnh viện Đa khoa tỉnh Kon Tum", kind="provincial_hospital", unit=kontum)


def _audited(model, pk, action, since):
    return AuditEvent.objects.filter(target_type=model._meta.label_lower, target_id=str(pk), action=action, id__gt=since).exists()


def _last_audit():
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


# (action, payload(case, ctx), status, check(case) -> bool, audited model and action)
ACTIONS = {
    "transfer": (lambda c, x: {"version": c.version, "destination": x["hospital"].pk, "reason": "SpO2 94%"}, 200,
                 lambda c: c.status == "transferred" and c.facility_id is not None, (Case, "update")),
    "dispensings": (lambda c, x: {"item": "package_a", "quantity": 1}, 201,
                    lambda c: Dispensing.objects.filter(case=c, item="package_a").exists(), (Dispensing, "create")),
    "supports": (lambda c, x: {"kind": "food", "amount": "500000", "given_on": "2022-02-06", "fund": "Quỹ xã"}, 201,
                 lambda c: SupportRecord.objects.filter(case=c, fund="Quỹ xã").exists(), (SupportRecord, "create")),
    "release": (lambda c, x: {"version": c.version, "on": "2022-03-01", "test_result": "negative"}, 200,
                lambda c: c.status == "recovered" and c.released_on == dt.date(2022, 3, 1), (Case, "update")),
    "admissions": (lambda c, x: {"facility": x["hospital"].pk, "bed_type": "ordinary"}, 201,
                   lambda c: c.admissions.filter(discharged_at__isnull=True).exists(), (Admission, "create")),
    "self-report-link": (lambda c, x: {}, 201, lambda c: bool(c.self_report_token), (Case, "update")),
}
BAD = {
    "transfer": {"version": 1},  # no destination: the service's rule
    "dispensings": {"item": "molnupiravir", "quantity": 0},
    "supports": {"kind": "food", "amount": "-1", "given_on": "06/02/2022", "fund": ""},
    "release": {"version": 1, "on": "2022-02-06", "test_result": "negative"},  # before the earliest day of the rule
    "admissions": {"facility": 999999, "bed_type": "ordinary"},
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_case_action_writes_with_its_audit_row(action, open_case, personas, api_for, hospital):
    case = open_case()
    payload, code, check, (model, verb) = ACTIONS[action]
    since = _last_audit()
    r = api_for(personas["care_a"]).post(f"/api/cases/{case.pk}/{action}/", payload(case, {"hospital": hospital}), format="json")
    assert r.status_code == code, r.content
    case.refresh_from_db()
    assert check(case)
    assert AuditEvent.objects.filter(action=verb, target_type=model._meta.label_lower, id__gt=since).exists()


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_case_action_is_scoped_and_role_checked(action, open_case, personas, api_for, hospital):
    case = open_case()
    payload = ACTIONS[action][0](case, {"hospital": hospital})
    before = case.version
    outside = api_for(personas["commune_b"]).post(f"/api/cases/{case.pk}/{action}/", payload, format="json")
    assert outside.status_code == 404 and outside.json()["message_vi"] and outside.json()["message_en"]
    assert "An" not in outside.content.decode()  # nothing of the patient
    wrong_role = api_for(personas["leader"]).post(f"/api/cases/{case.pk}/{action}/", payload, format="json")
    assert wrong_role.status_code == 403 and wrong_role.json()["message_en"]
    case.refresh_from_db()
    assert case.version == before and not case.dispensings.exists() and not case.supports.exists()


@pytest.mark.parametrize("action", list(BAD))
def test_bad_input_answers_the_one_error_shape_in_both_languages(action, open_case, personas, api_for):
    case = open_case()
    payload = dict(BAD[action])
    if "version" in payload:
        payload["version"] = case.version
    r = api_for(personas["care_a"]).post(f"/api/cases/{case.pk}/{action}/", payload, format="json")
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["message_vi"] and body["message_en"] and body["errors"]
    assert all(e["message_vi"] and e["message_en"] for e in body["errors"])
    assert body["message_vi"] != body["message_en"]


@pytest.mark.parametrize("action", ["transfer", "release"])
def test_a_stale_version_answers_409_and_changes_nothing(action, open_case, personas, api_for, hospital):
    case = open_case()
    payload = ACTIONS[action][0](case, {"hospital": hospital})
    api = api_for(personas["care_a"])
    assert api.patch(f"/api/cases/{case.pk}/", {"version": case.version, "severity": "moderate"}, format="json").status_code == 200
    r = api.post(f"/api/cases/{case.pk}/{action}/", payload, format="json")
    assert r.status_code == 409 and r.json()["current_version"] == case.version + 1
    case.refresh_from_db()
    assert case.status == "active"


def test_discharge_closes_the_admission_once(open_case, personas, api_for, hospital):
    case = open_case()
    api = api_for(personas["care_a"])
    adm = api.post(f"/api/cases/{case.pk}/admissions/", {"facility": hospital.pk, "bed_type": "oxygen"}, format="json").json()
    since = _last_audit()
    r = api.post(f"/api/cases/{case.pk}/discharge/", {"admission": adm["id"]}, format="json")
    assert r.status_code == 200 and r.json()["discharged_at"]
    assert _audited(Admission, adm["id"], "update", since)
    again = api.post(f"/api/cases/{case.pk}/discharge/", {"admission": adm["id"]}, format="json")
    assert again.status_code == 200 and AuditEvent.objects.filter(target_id=str(adm["id"]), action="update").count() == 1
    other = open_case(full_name="Lê Thị Hoa")
    r = api.post(f"/api/cases/{other.pk}/discharge/", {"admission": adm["id"]}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "admission"


def test_the_certificate_is_revoked_once(open_case, personas, api_for):
    case = open_case()
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 3, 1),
                            test_result="negative")
    api = api_for(personas["care_a"])
    r = api.post(f"/api/cases/{case.pk}/revoke-certificate/", {"reason": "cấp nhầm"}, format="json")
    assert r.status_code == 400 and "No certificate" in r.json()["message_en"]
    cert = services.issue_certificate(by=personas["care_a"], case=case)
    since = _last_audit()
    r = api.post(f"/api/cases/{case.pk}/revoke-certificate/", {"reason": "cấp nhầm"}, format="json")
    assert r.status_code == 200
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoke_reason == "cấp nhầm" and _audited(RecoveryCertificate, cert.pk, "update", since)
    assert api.post(f"/api/cases/{case.pk}/revoke-certificate/", {}, format="json").status_code == 400


def test_the_self_report_link_is_the_patients_page(open_case, personas, api_for, client):
    case = open_case()
    r = api_for(personas["care_a"]).post(f"/api/cases/{case.pk}/self-report-link/", {}, format="json")
    url = r.json()["url"]
    assert "/cases/cong-khai/theo-doi/" in url and client.get(url[url.index("/cases/"):]).status_code == 200


def test_an_alert_is_acknowledged_through_the_api_once(open_case, personas, api_for):
    case = open_case()
    services.record_check(by=personas["care_a"], case=case, data={"spo2": 93})
    alert = Alert.objects.get(case=case)
    assert api_for(personas["commune_b"]).post(f"/api/alerts/{alert.pk}/acknowledge/", {}, format="json").status_code == 404
    assert api_for(personas["leader"]).post(f"/api/alerts/{alert.pk}/acknowledge/", {}, format="json").status_code == 403
    since = _last_audit()
    r = api_for(personas["care_a"]).post(f"/api/alerts/{alert.pk}/acknowledge/", {"note": "đã gọi"}, format="json")
    assert r.status_code == 200 and r.json()["acknowledged_at"] and _audited(Alert, alert.pk, "update", since)


LINE_LIST = ("Họ và tên,Ngày sinh/Năm sinh,Giới tính,Mã xã,Ngày xác định,Loại xét nghiệm\n"
             "Nguyễn Văn Nhập,1980,Nam,{code},05/02/2022,RT-PCR\n")


def test_the_line_list_import_runs_as_on_its_page(personas, api_for, commune_a):
    api = api_for(personas["commune_a"])
    upload = SimpleUploadedFile("ds.csv", LINE_LIST.format(code=commune_a.code).encode(), content_type="text/csv")
    r = api.post("/api/cases/import/", {"file": upload}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["imported"] == 1 and Case.objects.filter(person__full_name="Nguyễn Văn Nhập").exists()
    assert api.get(f"/api/cases/import/{r.json()['id']}/").json()["status"] == "done"
    # Someone else's batch is not found.
    assert api_for(personas["commune_b"]).get(f"/api/cases/import/{r.json()['id']}/").status_code == 404


def test_a_bad_line_list_imports_nothing_and_names_the_line(personas, api_for, commune_a):
    text = LINE_LIST.format(code=commune_a.code) + f"Trần Thị Lỗi,1990,Nữ,{commune_a.code},32/13/2022,RT-PCR\n"
    upload = SimpleUploadedFile("ds.csv", text.encode(), content_type="text/csv")
    r = api_for(personas["commune_a"]).post("/api/cases/import/", {"file": upload}, format="multipart")
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["errors"][0]["line"] == 3 and body["errors"][0]["message_vi"] and body["errors"][0]["message_en"]
    assert not Case.objects.exists()
    assert api_for(personas["leader"]).post("/api/cases/import/", {}, format="multipart").status_code == 403
    missing = api_for(personas["commune_a"]).post("/api/cases/import/", {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize("action", ["transfer", "dispensings", "release"])
def test_a_case_action_costs_a_bounded_number_of_queries(action, open_case, personas, api_for, hospital,
                                                         django_assert_max_num_queries):
    case = open_case()
    api = api_for(personas["care_a"])
    api.get("/api/cases/")  # the token's first use (its last-used stamp) out of the count
    with django_assert_max_num_queries(25):  # about 10-20 today, whatever the case holds
        r = api.post(f"/api/cases/{case.pk}/{action}/", ACTIONS[action][0](case, {"hospital": hospital}), format="json")
    assert r.status_code in (200, 201), r.content
