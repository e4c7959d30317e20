"""The supplies API: same scoping and store-manager rule as the pages, the ledger appended through the services,
errors in Vietnamese and English, no edit or delete of a movement."""
import datetime as dt

from supplies.models import Lot, Movement

from .conftest import balance, receive


def test_balances_and_stores_are_scoped(personas, catalogue, stores, api_for):
    receive(personas["health_dept"], stores["station_a"], catalogue["rapid_kit"], 7)
    a = api_for(personas["commune_a"]).get("/api/stock-balances/").json()
    b = api_for(personas["commune_b"]).get("/api/stock-balances/").json()
    assert [r["quantity"] for r in a["results"]] == [7] and b["results"] == []
    names = {s["name"] for s in api_for(personas["commune_b"]).get("/api/stores/").json()["results"]}
    assert "Kho Trạm Y tế Quang Trung" not in names and "Kho Trạm Y tế xã B" in names


def test_a_manager_appends_movements_and_a_refusal_is_explained(personas, catalogue, stores, api_for):
    api = api_for(personas["commune_a"])
    r = api.post("/api/stock-movements/", {"kind": "receipt", "store": stores["station_a"].pk, "item": catalogue["rapid_kit"].pk,
                                           "lot_code": "K9", "expires_on": (dt.date.today() + dt.timedelta(days=99)).isoformat(),
                                           "quantity": 20, "document": "HĐ 5"}, format="json")
    assert r.status_code == 201, r.content
    lot = Lot.objects.get(code="K9")
    r = api.post("/api/stock-movements/", {"kind": "issue", "store": stores["station_a"].pk, "lot": lot.pk, "quantity": 21}, format="json")
    assert r.status_code == 400 and "Không đủ tồn kho" in r.json()["quantity"][0] and "Not enough stock" in r.json()["quantity"][1]
    r = api.post("/api/stock-movements/", {"kind": "issue", "store": stores["station_a"].pk, "lot": lot.pk, "quantity": 5}, format="json")
    assert r.status_code == 201 and balance(stores["station_a"], catalogue["rapid_kit"]) == 15
    mv = Movement.objects.get(kind="issue")
    assert api.patch(f"/api/stock-movements/{mv.pk}/", {"quantity": 1}, format="json").status_code == 405
    assert api.delete(f"/api/stock-movements/{mv.pk}/").status_code == 405
    r = api.post(f"/api/stock-movements/{mv.pk}/reverse/", {"reason": "Ghi nhầm"}, format="json")
    assert r.status_code == 201 and r.json()["quantity"] == 5 and balance(stores["station_a"], catalogue["rapid_kit"]) == 20


def test_someone_who_does_not_manage_the_store_cannot_write_to_it(personas, catalogue, stores, api_for):
    body = {"kind": "receipt", "store": stores["station_a"].pk, "item": catalogue["mask"].pk, "quantity": 5, "document": "x"}
    assert api_for(personas["commune_b"]).post("/api/stock-movements/", body, format="json").status_code == 400  # not in scope
    assert api_for(personas["vaccinator_a"]).post("/api/stock-movements/", body, format="json").status_code == 403
    assert api_for(personas["leader"]).post("/api/stock-movements/", body, format="json").status_code == 403
    assert not Movement.objects.exists()


def test_a_transfer_is_received_through_the_api_with_its_discrepancy(personas, catalogue, stores, api_for):
    from supplies import services

    [mv] = receive(personas["health_dept"], stores["province"], catalogue["package_a"], 10)
    t = services.dispatch(by=personas["health_dept"], from_store=stores["province"], to_store=stores["station_a"], lines=[(mv.lot, 10)])
    line = t.lines.get()
    r = api_for(personas["commune_a"]).post(f"/api/stock-transfers/{t.pk}/receive/",
                                             {"lines": [{"line": line.pk, "received": 9, "reason": "1 gói rách"}]}, format="json")
    assert r.status_code == 200 and r.json()["lines"][0]["received"] == 9 and r.json()["status"] == "received"
