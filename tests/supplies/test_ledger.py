"""The stock ledger: balances equal hand-computed figures and the ledger's sum; FEFO; expired lots; no negative stock;
transfers with discrepancies; counts, reversals; the ledger cannot be edited or deleted."""
import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import Invalid
from supplies import services
from supplies.models import AppendOnlyError, Lot, Movement, Transfer

from .conftest import balance, ledger_sum, receive

TODAY = timezone.localdate()  # the installation's day (Asia/Ho_Chi_Minh), as the services date entries


def test_balances_follow_a_hand_computed_day_of_movements(personas, catalogue, stores):
    boss, station = personas["health_dept"], personas["commune_a"]
    pkg, prov, st = catalogue["package_a"], stores["province"], stores["station_a"]
    receive(boss, prov, pkg, 1000, lot="A1", expires=TODAY + dt.timedelta(days=200))  # 1000
    receive(boss, prov, pkg, 500, lot="A2", expires=TODAY + dt.timedelta(days=60))  # 1500
    a1, a2 = Lot.objects.get(code="A1"), Lot.objects.get(code="A2")
    t = services.dispatch(by=boss, from_store=prov, to_store=st, lines=[(a2, 300), (a1, 100)], document="PX-01")  # prov 1100
    services.receive_transfer(by=station, transfer=t)  # station 400
    services.issue(by=station, store=st, lot=a2, quantity=40)  # station 360
    services.return_stock(by=station, store=st, lot=a2, quantity=5, reason="Người bệnh trả lại gói chưa dùng")  # 365
    services.dispose(by=station, store=st, lot=a1, quantity=10, reason="Bao bì rách")  # 355
    services.adjust_after_count(by=station, store=st, lot=a1, counted=88, reason="Kiểm kê cuối tháng", approver=station)  # a1 90→88
    assert balance(prov, pkg) == 1100 == ledger_sum(prov, pkg)
    assert balance(st, pkg) == 353 == ledger_sum(st, pkg)
    assert balance(st, pkg, a1) == 88 and balance(st, pkg, a2) == 265
    adj = Movement.objects.get(kind="adjustment")
    assert adj.quantity == -2 and adj.approved_by == station and adj.reason == "Kiểm kê cuối tháng"


def test_an_issue_larger_than_the_lot_balance_is_refused_and_changes_nothing(personas, catalogue, stores):
    boss, kit, prov = personas["health_dept"], catalogue["rapid_kit"], stores["province"]
    receive(boss, prov, kit, 10)
    lot = Lot.objects.get(item=kit)
    with pytest.raises(Invalid) as exc:
        services.issue(by=boss, store=prov, lot=lot, quantity=11)
    assert "còn 10" in exc.value.vi and "holds 10" in exc.value.en
    assert balance(prov, kit) == 10 and Movement.objects.filter(kind="issue").count() == 0


def test_fefo_suggests_the_soonest_unexpired_lot_and_issues_across_lots(personas, catalogue, stores):
    boss, kit, prov = personas["health_dept"], catalogue["rapid_kit"], stores["province"]
    receive(boss, prov, kit, 50, lot="LATE", expires=TODAY + dt.timedelta(days=300))
    receive(boss, prov, kit, 20, lot="SOON", expires=TODAY + dt.timedelta(days=20))
    receive(boss, prov, kit, 99, lot="GONE", expires=TODAY - dt.timedelta(days=1))
    assert [(lot.code, q) for lot, q in services.fefo(prov, kit)] == [("SOON", 20), ("LATE", 50)]
    moves, left = services.issue_fefo(by=boss, store=prov, item=kit, quantity=30)
    assert left == 0 and [(m.lot.code, m.quantity) for m in moves] == [("SOON", -20), ("LATE", -10)]


def test_an_expired_lot_cannot_be_issued_or_dispatched_only_disposed_of(personas, catalogue, stores):
    boss, kit, prov = personas["health_dept"], catalogue["rapid_kit"], stores["province"]
    receive(boss, prov, kit, 5, lot="OLD", expires=TODAY - dt.timedelta(days=3))
    lot = Lot.objects.get(code="OLD")
    with pytest.raises(Invalid, match="hết hạn"):
        services.issue(by=boss, store=prov, lot=lot, quantity=1)
    with pytest.raises(Invalid, match="expired"):
        services.dispatch(by=boss, from_store=prov, to_store=stores["station_a"], lines=[(lot, 1)])
    services.dispose(by=boss, store=prov, lot=lot, quantity=5, reason="Hết hạn")
    assert balance(prov, kit) == 0


def test_a_transfer_received_short_records_the_difference_and_never_changes_what_was_dispatched(personas, catalogue, stores):
    boss, station, pkg = personas["health_dept"], personas["commune_a"], catalogue["package_a"]
    receive(boss, stores["province"], pkg, 100)
    lot = Lot.objects.get(item=pkg)
    t = services.dispatch(by=boss, from_store=stores["province"], to_store=stores["station_a"], lines=[(lot, 60)])
    line = t.lines.get()
    with pytest.raises(Invalid, match="lý do"):
        services.receive_transfer(by=station, transfer=t, received={line.pk: 57})
    services.receive_transfer(by=station, transfer=t, received={line.pk: 57}, reasons={line.pk: "3 gói ướt khi vận chuyển"})
    line.refresh_from_db()
    assert (line.dispatched, line.received, line.discrepancy) == (60, 57, -3)
    assert line.discrepancy_reason == "3 gói ướt khi vận chuyển"
    assert balance(stores["province"], pkg) == 40 and balance(stores["station_a"], pkg) == 57
    assert Transfer.objects.get().status == "received"
    with pytest.raises(Invalid, match="đã được nhận"):
        services.receive_transfer(by=station, transfer=t)


def test_a_wrong_movement_is_reversed_by_a_new_one_with_its_reason_and_audit(personas, catalogue, stores):
    from audit.models import AuditEvent

    boss, mask, prov = personas["health_dept"], catalogue["mask"], stores["province"]
    [mv] = receive(boss, prov, mask, 1000)
    with pytest.raises(Invalid):
        services.reverse(by=boss, movement=mv, reason="")
    rev = services.reverse(by=boss, movement=mv, reason="Nhập nhầm số lượng")
    assert rev.quantity == -1000 and rev.reverses == mv and balance(prov, mask) == 0
    assert AuditEvent.objects.filter(target_type="supplies.movement", target_id=str(rev.pk), note__contains=f"#{mv.pk}").exists()
    with pytest.raises(Invalid, match="đã được hủy"):
        services.reverse(by=boss, movement=mv, reason="lần nữa")


def test_reversing_a_receipt_already_used_is_refused(personas, catalogue, stores):
    boss, mask, prov = personas["health_dept"], catalogue["mask"], stores["province"]
    [mv] = receive(boss, prov, mask, 10)
    services.issue(by=boss, store=prov, lot=mv.lot, quantity=4)
    with pytest.raises(Invalid, match="Không đủ tồn kho"):
        services.reverse(by=boss, movement=mv, reason="nhầm")
    assert balance(prov, mask) == 6


def test_the_ledger_cannot_be_edited_or_deleted_by_the_model_or_by_sql(personas, catalogue, stores):
    [mv] = receive(personas["health_dept"], stores["province"], catalogue["mask"], 10)
    mv.quantity = 100
    with pytest.raises(AppendOnlyError):
        mv.save()
    with pytest.raises(AppendOnlyError):
        mv.delete()
    for sql in ("UPDATE supplies_movement SET quantity = 100", "DELETE FROM supplies_movement"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert Movement.objects.get().quantity == 10


def test_the_database_refuses_a_negative_balance_even_if_code_tried(personas, catalogue, stores):
    from supplies.models import Balance

    receive(personas["health_dept"], stores["province"], catalogue["mask"], 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.update(quantity=-1)


def test_an_adjustment_needs_a_reason_and_a_manager_of_the_store_as_approver(personas, catalogue, stores):
    boss, kit, st = personas["health_dept"], catalogue["rapid_kit"], stores["station_a"]
    receive(boss, st, kit, 10)
    lot = Lot.objects.get(item=kit)
    with pytest.raises(Invalid, match="người duyệt"):
        services.adjust_after_count(by=boss, store=st, lot=lot, counted=8, reason="Kiểm kê", approver=personas["commune_b"])
    with pytest.raises(Invalid, match="lý do"):
        services.adjust_after_count(by=boss, store=st, lot=lot, counted=8, reason=" ", approver=boss)
    assert services.adjust_after_count(by=boss, store=st, lot=lot, counted=10, reason="Kiểm kê", approver=boss) is None


def test_a_known_lot_number_with_another_expiry_is_refused(personas, catalogue, stores):
    receive(personas["health_dept"], stores["province"], catalogue["rapid_kit"], 10, lot="X", expires=TODAY + dt.timedelta(days=90))
    with pytest.raises(Invalid, match="đã có với hạn dùng"):
        receive(personas["health_dept"], stores["province"], catalogue["rapid_kit"], 10, lot="X", expires=TODAY + dt.timedelta(days=91))
