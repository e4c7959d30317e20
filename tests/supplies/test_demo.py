"""The demo builds a store per place with stock, transfers and consumption, and its balances equal its ledger."""
import datetime as dt
import io
import random

from django.db.models import Sum

from core.demo import DemoContext


def test_the_demo_stocks_every_station_and_its_balances_equal_the_ledger(kontum, personas, commune_a):
    from facilities.models import Facility
    from supplies import demo
    from supplies.models import Balance, Movement, Shortfall, Store, Transfer
    from supplies.selectors import position

    Facility.objects.create(name="CDC", kind="cdc", unit=commune_a)
    Facility.objects.create(name="Trạm Y tế Quang Trung", kind="commune_health_station", unit=commune_a)
    ctx = DemoContext(rng=random.Random(1), people_count=0, today=dt.date(2022, 2, 14), stdout=io.StringIO(), province=kontum,
                      communes=[commune_a], users={"health_dept": personas["health_dept"]})
    demo.build(ctx)
    station = Store.objects.get(kind="commune_station")
    assert Store.objects.filter(kind="provincial_warehouse").count() == 1
    ledger = {(r["store_id"], r["lot_id"]): r["q"] for r in Movement.objects.values("store_id", "lot_id").annotate(q=Sum("quantity"))}
    assert ledger == {(b.store_id, b.lot_id): b.quantity for b in Balance.objects.all()}
    rows = position(personas["commune_a"])
    assert rows and all(r.store_id == station.pk for r in rows)
    assert any(r.consumed > 0 and r.days_left is not None for r in rows)
    assert Transfer.objects.filter(to_store=station, status="dispatched").exists() and Shortfall.objects.exists()
    demo.build(ctx)  # a second run adds nothing
    assert Store.objects.count() == 2


def test_supplies_setup_creates_the_catalogue_and_a_store_per_facility_once(kontum, commune_a):
    from django.core.management import call_command

    from facilities.models import Facility
    from supplies.models import Item, Store

    Facility.objects.create(name="Trung tâm Y tế TP Kon Tum", kind="district_health_centre", unit=commune_a.parent)
    Facility.objects.create(name="Trạm Y tế Quang Trung", kind="commune_health_station", unit=commune_a)
    Facility.objects.create(name="Điểm tiêm Quang Trung", kind="vaccination_site", unit=commune_a)
    for _ in range(2):
        call_command("supplies_setup", stdout=io.StringIO())
    assert Item.objects.filter(medicine_item="package_a").exists() and Item.objects.filter(vaccine_product__code="comirnaty").exists()
    kinds = dict(Store.objects.values_list("name", "kind"))
    # The installation's province (Quảng Ngãi on the 2025 structure) holds the former Kon Tum's facilities.
    assert kinds == {"Kho vật tư CDC Tỉnh Quảng Ngãi": "provincial_warehouse", "Kho Trung tâm Y tế TP Kon Tum": "regional_centre",
                     "Kho Trạm Y tế Quang Trung": "commune_station", "Kho Điểm tiêm Quang Trung": "vaccination_site"}
    station = Store.objects.get(kind="commune_station")
    assert station.parent.kind == "regional_centre" and station.parent.parent.kind == "provincial_warehouse"
