import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def _ledger_survives_flush(request):
    """Transactional tests end with a flush; on SQLite that is a DELETE, which the ledger's append-only trigger refuses
    (as for the audit trail, see tests/conftest.py): lift it for the flush only."""
    if "live_server" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from supplies.migrations_sql import SQLITE_SQL

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DROP TRIGGER IF EXISTS supplies_no_delete")
            cur.execute("DELETE FROM supplies_movement")
            cur.execute(SQLITE_SQL[1])


@pytest.fixture
def catalogue(db):
    from diseases.models import Disease
    from supplies.models import Item
    from vaccination.models import Product

    covid = Disease.objects.filter(code="covid19").first()
    return {
        "package_a": Item.objects.create(code="goi-a", name="Gói thuốc A", category="medicine", unit="gói", pack_size=1,
                                         medicine_item="package_a", disease=covid),
        "molnupiravir": Item.objects.create(code="molnupiravir-200", name="Molnupiravir", strength="200 mg", category="medicine",
                                            unit="liệu trình", medicine_item="molnupiravir", disease=covid),
        "rapid_kit": Item.objects.create(code="test-nhanh", name="Test nhanh kháng nguyên", category="test_kit", unit="test",
                                         pack_size=25, test_kind="rapid_antigen", disease=covid),
        "comirnaty": Item.objects.create(code="comirnaty", name="Vắc xin Comirnaty", category="vaccine", unit="liều", pack_size=6,
                                         vaccine_product=Product.objects.get(code="comirnaty"), disease=covid),
        "mask": Item.objects.create(code="khau-trang-n95", name="Khẩu trang N95", category="ppe", unit="cái", tracks_expiry=False),
    }


@pytest.fixture
def stores(kontum, commune_a, commune_b):
    from facilities.models import Facility, Team
    from supplies.models import Store

    cdc = Facility.objects.create(name="CDC Kon Tum", kind="cdc", unit=commune_a)
    station_a = Facility.objects.create(name="Trạm Y tế Quang Trung", kind="commune_health_station", unit=commune_a)
    station_b = Facility.objects.create(name="Trạm Y tế xã B", kind="commune_health_station", unit=commune_b)
    site_a = Facility.objects.create(name="Điểm tiêm Quang Trung", kind="vaccination_site", unit=commune_a)
    team_a = Team.objects.create(name="Tổ chăm sóc Quang Trung", kind="care_team", commune=commune_a, facility=station_a)
    province = Store.objects.create(name="Kho CDC tỉnh", kind="provincial_warehouse", unit=kontum, facility=cdc)
    return {
        "province": province,
        "station_a": Store.objects.create(name="Kho Trạm Y tế Quang Trung", kind="commune_station", unit=commune_a,
                                          facility=station_a, parent=province),
        "station_b": Store.objects.create(name="Kho Trạm Y tế xã B", kind="commune_station", unit=commune_b,
                                          facility=station_b, parent=province),
        "site_a": Store.objects.create(name="Kho điểm tiêm Quang Trung", kind="vaccination_site", unit=commune_a,
                                       facility=site_a, parent=province),
        "station_a_facility": station_a, "site_a_facility": site_a, "team_a": team_a,
    }


def receive(by, store, item, qty, lot="L1", expires=None, document="HD-01"):
    from supplies import services

    expires = expires if expires is not None else (dt.date.today() + dt.timedelta(days=365) if item.tracks_expiry else None)
    return services.receive(by=by, store=store, document=document, lines=[
        services.ReceiptLine(item=item, quantity=qty, lot_code=lot if item.tracks_expiry else "", expires_on=expires)])


def balance(store, item, lot=None) -> int:
    from django.db.models import Sum

    from supplies.models import Balance

    qs = Balance.objects.filter(store=store, item=item)
    if lot is not None:
        qs = qs.filter(lot=lot)
    return qs.aggregate(s=Sum("quantity"))["s"] or 0


def ledger_sum(store, item) -> int:
    from django.db.models import Sum

    from supplies.models import Movement

    return Movement.objects.filter(store=store, item=item).aggregate(s=Sum("quantity"))["s"] or 0
