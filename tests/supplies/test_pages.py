"""Pages of the supplies app: scoped to the user's jurisdiction, a bounded number of queries whatever the data, writes by
store managers only, XLSX formula-safe, the warehouse notes as PDF, opening balances imported all-or-nothing."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supplies.models import Balance, Lot, Movement, Store, Transfer

from .conftest import balance, receive

TODAY = timezone.localdate()  # the installation's day (Asia/Ho_Chi_Minh), as the services date entries


pytestmark = pytest.mark.usefixtures("old_structure")


def _many_stores(stores, catalogue, personas, commune_a, n=12):
    for i in range(n):
        s = Store.objects.create(name=f"Tổ lưu động {i}", kind="mobile_team", unit=commune_a, parent=stores["station_a"])
        for item in (catalogue["package_a"], catalogue["rapid_kit"]):
            receive(personas["commune_a"], s, item, 10 + i, lot=f"L{i}")


@pytest.mark.parametrize("url", ["/supplies/", "/supplies/het-hang/", "/supplies/sap-het-han/", "/supplies/so-kho/",
                                 "/supplies/thieu-hut/", "/supplies/chuyen-kho/", "/supplies/de-nghi/", "/supplies/danh-muc/",
                                 "/supplies/ban-do.json"])
def test_list_pages_take_the_same_number_of_queries_for_3_or_15_stores(url, personas, catalogue, stores, commune_a, client_for):
    c = client_for(personas["district_a"])
    _many_stores(stores, catalogue, personas, commune_a, n=3)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    _many_stores(stores, catalogue, personas, commune_a, n=12)
    with CaptureQueriesContext(connection) as many:
        assert c.get(url).status_code == 200
    assert len(many) == len(few) <= 16


def test_a_store_page_takes_a_bounded_number_of_queries(personas, catalogue, stores, client_for):
    for i in range(8):
        receive(personas["commune_a"], stores["station_a"], catalogue["package_a"], 5, lot=f"P{i}", expires=TODAY + dt.timedelta(days=40 + i))
    c = client_for(personas["commune_a"])
    with CaptureQueriesContext(connection) as q:
        page = c.get(f"/supplies/kho/{stores['station_a'].pk}/")
    assert page.status_code == 200 and len(q) <= 30
    assert "P0" in page.content.decode() and "còn 40 ngày" in page.content.decode()


def test_outsiders_see_neither_the_store_nor_its_lots_trace(personas, catalogue, stores, client_for):
    receive(personas["commune_a"], stores["station_a"], catalogue["rapid_kit"], 5)
    c = client_for(personas["commune_b"])
    assert c.get(f"/supplies/kho/{stores['station_a'].pk}/").status_code == 404
    assert "Quang Trung" not in c.get("/supplies/").content.decode()
    assert client_for(personas["agency"]).get("/supplies/").status_code == 403


def test_only_a_manager_of_the_store_may_write_to_it(personas, catalogue, stores, client_for):
    url = f"/supplies/kho/{stores['station_a'].pk}/"
    data = {"form": "nhap", "nhap-item": catalogue["rapid_kit"].pk, "nhap-lot_code": "Z1", "nhap-expires_on": "31/12/2099",
            "nhap-quantity": "10", "nhap-document": "HĐ 12/2022", "nhap-source": "donation"}
    assert client_for(personas["leader"]).post(url, data).status_code == 403  # leadership reads only
    assert client_for(personas["vaccinator_a"]).post(url, data).status_code == 403  # a vaccinator runs sites, not stations
    assert client_for(personas["commune_a"]).post(url, data).status_code == 302
    assert balance(stores["station_a"], catalogue["rapid_kit"]) == 10
    assert Movement.objects.get().source == "donation"


def test_a_refused_issue_says_why_and_changes_nothing(personas, catalogue, stores, client_for):
    receive(personas["commune_a"], stores["station_a"], catalogue["rapid_kit"], 3)
    lot = Lot.objects.get()
    page = client_for(personas["commune_a"]).post(f"/supplies/kho/{stores['station_a'].pk}/", {
        "form": "lo", "lo-action": "issue", "lo-lot": lot.pk, "lo-quantity": "5", "lo-reason": ""})
    assert page.status_code == 400 and "Không đủ tồn kho" in page.content.decode()
    assert balance(stores["station_a"], catalogue["rapid_kit"]) == 3


def test_xlsx_of_a_list_escapes_formulas(personas, catalogue, stores, client_for):
    from openpyxl import load_workbook

    receive(personas["commune_a"], stores["station_a"], catalogue["mask"], 10, document="=HYPERLINK(\"http://x\")")
    r = client_for(personas["commune_a"]).get("/supplies/so-kho/?xuat=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and not any(isinstance(v, str) and v.startswith("=") for v in cells)


def test_receipt_and_dispatch_notes_are_pdfs_with_the_lines(personas, catalogue, stores, client_for):
    from pypdf import PdfReader

    boss = personas["health_dept"]
    [mv] = receive(boss, stores["province"], catalogue["package_a"], 100, lot="<i>A&1", document="QĐ 125/QĐ-BYT")
    t = __import__("supplies.services", fromlist=["dispatch"]).dispatch(
        by=boss, from_store=stores["province"], to_store=stores["station_a"], lines=[(mv.lot, 40)], document="PX 7")
    c = client_for(boss)
    for url, title in ((f"/supplies/so-kho/{mv.pk}/phieu-nhap.pdf", "PHIẾU NHẬP KHO"), (f"/supplies/chuyen-kho/{t.pk}/phieu-xuat.pdf", "PHIẾU XUẤT KHO")):
        r = c.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
        assert title in text and "<i>A&1" in text.replace("\n", "")


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_opening_balances_import_all_or_nothing_with_line_and_reason(personas, catalogue, stores, client_for):
    header = ["Kho", "Mã vật tư", "Số lô", "Hạn dùng", "Số lượng"]
    station = stores["station_a"].name
    bad = _xlsx([header, [station, "test-nhanh", "T1", "31/12/2099", 100], [station, "khong-co", "T2", "31/12/2099", 5],
                 [stores["station_b"].name, "goi-a", "G1", "31/12/2099", 5], [station, "goi-a", "", "31/12/2099", -1]])
    c = client_for(personas["commune_a"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = c.post("/supplies/nhap-ton-dau-ky/", {"file": SimpleUploadedFile("ton.xlsx", bad)})
    text = page.content.decode()
    assert "không có trong danh mục" in text and "is not in the catalogue" in text
    assert "do bạn quản lý" in text and "Thiếu số lô" in text and "The quantity must be positive" in text
    assert not Movement.objects.exists()
    good = _xlsx([header, [station, "test-nhanh", "T1", "31/12/2099", 100], [station, "khau-trang-n95", None, None, 500]])
    c.post("/supplies/nhap-ton-dau-ky/", {"file": SimpleUploadedFile("ton.xlsx", good)})
    assert balance(stores["station_a"], catalogue["rapid_kit"]) == 100 and balance(stores["station_a"], catalogue["mask"]) == 500
    assert set(Movement.objects.values_list("kind", flat=True)) == {"opening"}
    again = c.post("/supplies/nhap-ton-dau-ky/", {"file": SimpleUploadedFile("ton.xlsx", good)})
    assert "không nhập tồn đầu kỳ được nữa" in again.content.decode() and Movement.objects.count() == 2


def test_a_station_receives_a_transfer_short_from_its_page(personas, catalogue, stores, client_for):
    from supplies import services

    [mv] = receive(personas["health_dept"], stores["province"], catalogue["package_a"], 100)
    t = services.dispatch(by=personas["health_dept"], from_store=stores["province"], to_store=stores["station_a"], lines=[(mv.lot, 30)])
    line = t.lines.get()
    c = client_for(personas["commune_a"])
    assert client_for(personas["commune_b"]).get(f"/supplies/chuyen-kho/{t.pk}/").status_code == 404
    r = c.post(f"/supplies/chuyen-kho/{t.pk}/", {f"nhan-{line.pk}": "28", f"ly-do-{line.pk}": ""})
    assert "lý do chênh lệch" in r.content.decode() and Transfer.objects.get().status == "dispatched"
    c.post(f"/supplies/chuyen-kho/{t.pk}/", {f"nhan-{line.pk}": "28", f"ly-do-{line.pk}": "Thiếu 2 gói"})
    assert Transfer.objects.get().status == "received" and balance(stores["station_a"], catalogue["package_a"]) == 28


def test_a_request_is_approved_by_the_department_with_a_suggestion_from_need(personas, catalogue, stores, commune_a, client_for):
    from cases import services as cases
    from diseases.seed_covid19 import install
    from supplies import services
    from tests.conftest import make_person

    install()
    for i in range(6):
        cases.open_case(by=personas["commune_a"], person=make_person(commune_a, full_name=f"F0 {i}"), confirmed_on=TODAY)
    receive(personas["health_dept"], stores["province"], catalogue["package_a"], 100)
    receive(personas["commune_a"], stores["station_a"], catalogue["package_a"], 2)
    req = services.request_supply(by=personas["commune_a"], store=stores["station_a"], item=catalogue["package_a"], quantity=10)
    assert client_for(personas["commune_a"]).get(f"/supplies/de-nghi/{req.pk}/").status_code == 403
    c = client_for(personas["health_dept"])
    page = c.get(f"/supplies/de-nghi/{req.pk}/").content.decode()
    assert "6 F0 tại nhà" in page  # need 6, holds 2: suggest 4
    alloc = c.get(f"/supplies/phan-bo/?nguon={stores['province'].pk}&vat-tu={catalogue['package_a'].pk}").context["rows"]
    assert [(r.store, r.need, r.on_hand, r.suggested) for r in alloc] == [(stores["station_a"], 6, 2, 4)]
    c.post(f"/supplies/de-nghi/{req.pk}/", {"approve": "1", "quantity": "4", "from_store": stores["province"].pk, "note": "Theo nhu cầu"})
    req.refresh_from_db()
    assert (req.status, req.approved_quantity) == ("fulfilled", 4) and req.transfer.status == "dispatched"
    assert balance(stores["province"], catalogue["package_a"]) == 96


def test_a_suggestion_is_pro_rata_when_the_sender_cannot_cover_every_gap(personas, catalogue, stores, commune_a, commune_b):
    from cases import services as cases
    from diseases.seed_covid19 import install
    from supplies.need import suggest
    from tests.conftest import make_person

    install()
    for commune, n in ((commune_a, 6), (commune_b, 2)):
        for i in range(n):
            cases.open_case(by=personas["health_dept"], person=make_person(commune, full_name=f"F0 {i}"), confirmed_on=TODAY)
    receive(personas["health_dept"], stores["province"], catalogue["package_a"], 4)
    rows = {r.store.pk: r.suggested for r in suggest(personas["health_dept"], source=stores["province"], item=catalogue["package_a"])}
    assert rows == {stores["station_a"].pk: 3, stores["station_b"].pk: 1}


def test_the_situation_report_and_dashboard_show_supplies(personas, catalogue, stores, client_for):
    from reports.builder import build

    receive(personas["health_dept"], stores["province"], catalogue["rapid_kit"], 40, lot="S1", expires=TODAY + dt.timedelta(days=10))
    data = build(TODAY)
    sp = data["sections"]["supplies"]
    assert sp["items"][0]["quantity"] == 40 and sp["expiring_30d_lots"] == 1
    from reports.render import blocks

    assert any("VẬT TƯ" in b.text for b in blocks(data))
    home = client_for(personas["health_dept"]).get("/").content.decode()
    assert "Lô sắp hết hạn (30 ngày)" in home


def test_balances_page_never_shows_a_negative_or_a_balance_different_from_the_ledger(personas, catalogue, stores):
    from django.db.models import Sum

    receive(personas["health_dept"], stores["province"], catalogue["package_a"], 50)
    ledger = Movement.objects.values("store_id", "lot_id").annotate(q=Sum("quantity"))
    assert {(r["store_id"], r["lot_id"]): r["q"] for r in ledger} == {(b.store_id, b.lot_id): b.quantity for b in Balance.objects.all()}


def test_stockouts_list_empty_items_and_those_with_under_a_week_left(personas, catalogue, stores, client_for):
    from django.utils import timezone

    from supplies import services
    from supplies.selectors import stockouts

    u = personas["commune_a"]
    [empty] = receive(u, stores["station_a"], catalogue["mask"], 5)
    services.issue(by=u, store=stores["station_a"], lot=empty.lot, quantity=5)  # issue is consumption: 0 left
    [low] = receive(u, stores["station_a"], catalogue["package_a"], 20)
    services.issue(by=u, store=stores["station_a"], lot=low.lot, quantity=14, kind="dispense",
                   at=timezone.now() - dt.timedelta(days=3))  # 6 left at 1 a day: 6 days
    [fine] = receive(u, stores["station_a"], catalogue["rapid_kit"], 100)
    services.issue(by=u, store=stores["station_a"], lot=fine.lot, quantity=14)  # 86 left at 1 a day
    rows = {r.item_id: r for r in stockouts(u)}
    assert set(rows) == {catalogue["mask"].pk, catalogue["package_a"].pk}
    assert (rows[catalogue["mask"].pk].tone, rows[catalogue["package_a"].pk].days_left) == ("alert", 6.0)
    assert stockouts(personas["commune_b"]) == []
    page = client_for(u).get("/supplies/het-hang/").content.decode()
    assert "Khẩu trang N95" in page and "Gói thuốc A" in page and "Test nhanh" not in page


def test_the_position_pages_by_store_and_item_without_skipping_or_repeating(personas, catalogue, stores, commune_a, client_for):
    from supplies.selectors import PositionPage, position_values

    _many_stores(stores, catalogue, personas, commune_a, n=3)  # 3 stores × 2 items
    user, seen, after = personas["commune_a"], [], None
    while True:
        page = PositionPage(user, position_values(user), after, per_page=4)
        seen += [(r.store_id, r.item_id) for r in page]
        if not page.has_next:
            break
        after = tuple(int(x) for x in page.next_after.split("-"))
    assert len(seen) == len(set(seen)) == 6 and seen == sorted(seen)
    r = client_for(user).get(f"/supplies/?sau={seen[3][0]}-{seen[3][1]}")
    assert [(x.store_id, x.item_id) for x in r.context["page_obj"]] == seen[4:]
    assert client_for(user).get("/supplies/?sau=abc").status_code == 200
