"""The Django admin at /quantri/: system administrators only, and only after the second factor; reference data edited
there is audited, administrative units are read-only."""
import pytest
from django.test import Client

from accounts.models import Agency
from audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PAGES = ["/quantri/", "/quantri/accounts/user/", "/quantri/accounts/agency/", "/quantri/geo/administrativeunit/",
         "/quantri/diseases/disease/", "/quantri/diseases/ruleset/", "/quantri/facilities/facility/",
         "/quantri/vaccination/product/", "/quantri/levels/criteriaversion/", "/quantri/supplies/item/",
         "/quantri/supplies/lot/", "/quantri/supplies/store/", "/quantri/geo/village/", "/quantri/geo/populationestimate/",
         "/quantri/facilities/bedcapacity/", "/quantri/dataprotection/retentionrule/",
         "/quantri/dataprotection/deadlinerule/", "/quantri/reports/reportsetup/"]


@pytest.mark.parametrize("path", PAGES)
def test_a_verified_system_administrator_enters(personas, client_for, path):
    assert client_for(personas["admin"]).get(path).status_code == 200


def test_a_system_administrator_who_is_not_a_superuser_enters_too(kontum, client_for):
    admin = make_user("qt_thuong", "sysadmin", kontum)
    assert client_for(admin).get("/quantri/accounts/agency/").status_code == 200


def test_a_password_alone_does_not_enter(personas):
    c = Client()
    c.force_login(personas["admin"])
    assert c.get("/quantri/").status_code == 302


def test_staff_without_the_administrator_role_does_not_enter(kontum, client_for):
    officer = make_user("so_y_te_staff", "health_dept", kontum, is_staff=True)
    assert client_for(officer).get("/quantri/").status_code == 302
    assert client_for(officer).get("/quantri/accounts/agency/").status_code == 302


def test_administrative_units_are_read_only(personas, client_for, commune_a):
    c = client_for(personas["admin"])
    assert c.get("/quantri/geo/administrativeunit/add/").status_code == 403
    c.post(f"/quantri/geo/administrativeunit/{commune_a.pk}/change/", {"name": "Đổi tên"})
    commune_a.refresh_from_db()
    assert commune_a.name != "Đổi tên"


def test_an_agency_edited_in_the_admin_is_audited(personas, client_for):
    agency = Agency.objects.get(name="Sở Giáo dục và Đào tạo")
    old_short = agency.short_name
    r = client_for(personas["admin"]).post(f"/quantri/accounts/agency/{agency.pk}/change/", {
        "name": agency.name, "short_name": "GD-ĐT Kon Tum", "kind": agency.kind, "unit": "", "aliases": "[]"})
    assert r.status_code == 302, r.content.decode()[:2000]
    agency.refresh_from_db()
    assert agency.short_name == "GD-ĐT Kon Tum"
    ev = AuditEvent.objects.get(target_type="accounts.agency", target_id=str(agency.pk), action="update")
    assert ev.actor == personas["admin"] and ev.changes["short_name"] == [old_short, "GD-ĐT Kon Tum"]


def test_the_menu_leads_administrators_and_only_them_to_the_admin(personas, client_for):
    assert 'href="/quantri/"' in client_for(personas["admin"]).get("/accounts/nguoi-dung/").content.decode()
    assert 'href="/quantri/"' not in client_for(personas["health_dept"]).get("/accounts/nguoi-dung/").content.decode()


def test_a_store_added_in_the_admin_is_audited_and_stock_cannot_be_typed_there(personas, client_for, commune_a):
    from supplies.models import Store

    c = client_for(personas["admin"])
    r = c.post("/quantri/supplies/store/add/", {"name": "Kho Trạm Y tế Quang Trung", "kind": "commune_station",
                                                 "unit": commune_a.pk, "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    store = Store.objects.get(name="Kho Trạm Y tế Quang Trung")
    assert AuditEvent.objects.filter(target_type="supplies.store", target_id=str(store.pk), action="create").exists()
    # Balances and movements come only from the ledger's services.
    assert c.get("/quantri/supplies/balance/").status_code == 404
    assert c.get("/quantri/supplies/movement/").status_code == 404
