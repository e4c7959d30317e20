"""Issue #14 §3: the supplies pages' writes over the API — dispatch and supply request from a store, request
decisions, shortfalls resolved, opening balances imported — the same forms, services, store-manager rule and audit."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from supplies.models import Movement, Shortfall, SupplyRequest, Transfer
from tests.core.test_write_api_admin_apps import assert_error

from .conftest import balance, receive
from .test_pages import _xlsx

pytestmark = pytest.mark.django_db


def test_a_store_dispatches_to_another_store_it_does_not_manage(personas, api_for, catalogue, stores):
    staff = personas["commune_a"]
    receive(staff, stores["station_a"], catalogue["rapid_kit"], 100)
    lot = Movement.objects.get(store=stores["station_a"]).lot
    api = api_for(staff)
    url = f"/api/stores/{stores['station_a'].pk}/dispatch/"
    payload = {"to_store": stores["site_a"].pk, "lot": lot.pk, "quantity": 30, "document": "PX-01"}
    r = api.post(url, payload, format="json")
    assert r.status_code == 201, r.content
    assert Transfer.objects.get(pk=r.json()["id"]).status == "dispatched"
    assert balance(stores["station_a"], catalogue["rapid_kit"]) == 70
    assert AuditEvent.objects.filter(actor=staff, target_type="supplies.transfer").exists()
    assert_error(api.post(url, {**payload, "quantity": 0}, format="json"), 400, "quantity")
    assert_error(api.post(url, {**payload, "quantity": 1000}, format="json"), 400)  # more than in stock
    assert_error(api_for(personas["commune_b"]).post(url, payload, format="json"), 404)
    assert_error(api_for(personas["leader"]).post(url, payload, format="json"), 403)


def test_a_request_is_made_by_a_store_and_decided_by_the_department(personas, api_for, catalogue, stores):
    staff, dept = personas["commune_a"], personas["health_dept"]
    url = f"/api/stores/{stores['station_a'].pk}/supply-requests/"
    r = api_for(staff).post(url, {"item": catalogue["rapid_kit"].pk, "quantity": 50, "need_note": "ổ dịch"}, format="json")
    assert r.status_code == 201, r.content
    req = SupplyRequest.objects.get(pk=r.json()["id"])
    assert AuditEvent.objects.filter(actor=staff, target_type="supplies.supplyrequest").exists()
    assert_error(api_for(staff).post(url, {"item": catalogue["rapid_kit"].pk, "quantity": -5}, format="json"), 400, "quantity")
    assert_error(api_for(personas["commune_b"]).post(url, {"item": catalogue["rapid_kit"].pk, "quantity": 5}, format="json"), 404)
    decide = f"/api/supply-requests/{req.pk}/decision/"
    assert_error(api_for(staff).post(decide, {"approve": "0"}, format="json"), 403)
    assert_error(api_for(dept).post(decide, {"approve": "peut-être"}, format="json"), 400, "approve")
    r = api_for(dept).post(decide, {"approve": "0", "note": "Chưa có hàng"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert AuditEvent.objects.filter(actor=dept, target_type="supplies.supplyrequest").exists()
    assert_error(api_for(dept).post("/api/supply-requests/999999/decision/", {"approve": "0"}, format="json"), 404)


def test_a_shortfall_is_resolved_by_its_store_s_manager(personas, api_for, catalogue, stores):
    sf = Shortfall.objects.create(store=stores["station_a"], item=catalogue["package_a"], quantity=3, reason="no_stock",
                                  care_ref="x")
    assert_error(api_for(personas["commune_b"]).post(f"/api/supply-shortfalls/{sf.pk}/resolve/"), 404)
    r = api_for(personas["commune_a"]).post(f"/api/supply-shortfalls/{sf.pk}/resolve/")
    assert r.status_code == 200
    assert Shortfall.objects.get(pk=sf.pk).resolved_at is not None
    assert AuditEvent.objects.filter(actor=personas["commune_a"], target_type="supplies.shortfall").exists()
    assert_error(api_for(personas["leader"]).post(f"/api/supply-shortfalls/{sf.pk}/resolve/"), 403)


def test_opening_balances_are_imported_all_or_nothing_with_line_and_reason(personas, api_for, catalogue, stores):
    header = ["Kho", "Mã vật tư", "Số lô", "Hạn dùng", "Số lượng"]
    station = stores["station_a"].name
    bad = _xlsx([header, [station, "test-nhanh", "T1", "31/12/2099", 100], [station, "khong-co", "T2", "31/12/2099", 5]])
    api = api_for(personas["commune_a"])
    body = assert_error(api.post("/api/stock-balances/import-opening/", {"file": SimpleUploadedFile("ton.xlsx", bad)},
                                 format="multipart"), 400)
    assert any(e["line"] == 3 and "catalogue" in e["message_en"] for e in body["errors"])
    assert not Movement.objects.exists()
    good = _xlsx([header, [station, "test-nhanh", "T1", "31/12/2099", 100]])
    r = api.post("/api/stock-balances/import-opening/", {"file": SimpleUploadedFile("ton.xlsx", good)}, format="multipart")
    assert r.status_code == 200 and r.json()["imported"] == 1
    assert balance(stores["station_a"], catalogue["rapid_kit"]) == 100
    assert_error(api.post("/api/stock-balances/import-opening/", {}, format="multipart"), 400, "file")
    assert_error(api_for(personas["leader"]).post("/api/stock-balances/import-opening/", {}, format="multipart"), 403)
