"""Demo data of the supplies app: the catalogue, a store per place (provincial CDC warehouse, district centres, commune
stations, treatment facilities, vaccination sites), opening stock, transfers down the chain, two weeks of
consumption, a lot close to expiry, a transfer in transit to Quang Trung and a shortfall to resolve.

Unlike the clinical demo (dated around 14/02/2022), stock is dated relative to the day the demo is built: expiry
warnings and days of stock are about "now". Ledger rows and balances are written in bulk — the balances as the sum of
the rows written, so they equal the ledger exactly (tests/supplies/test_demo.py checks it).
"""
import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

COMMUNE_ITEMS = ["goi-thuoc-a", "goi-thuoc-b", "molnupiravir-200", "test-nhanh-khang-nguyen", "bo-phong-ho"]


def build(ctx) -> None:
    from .models import Balance, Lot, Movement, Shortfall, Store, Transfer, TransferLine
    from .setup import create_catalogue, create_stores

    if Store.objects.exists():
        ctx.say("supplies: đã có dữ liệu / already present")
        return
    rng = ctx.rng
    now = timezone.now()
    today = timezone.localdate()
    boss = ctx.users.get("health_dept")
    with transaction.atomic():
        items = create_catalogue()
        lots = {}
        for code, item in items.items():
            if not item.tracks_expiry:
                lots[code] = [Lot.objects.create(item=item, code="")]
                continue
            lots[code] = [Lot.objects.create(item=item, code=f"{code[:3].upper()}{rng.randint(1000, 9999)}{k}",
                                             expires_on=today + dt.timedelta(days=days), manufacturer="")
                          for k, days in enumerate((25, 120, 400))]
        made = create_stores(ctx.province)
        province, stations = made["provincial_warehouse"][0], made["commune_station"]

        rows: list[Movement] = []

        def mv(store, lot, kind, qty, at, **kw):
            rows.append(Movement(store=store, item_id=lot.item_id, lot=lot, kind=kind, quantity=qty, at=at, by=boss, **kw))

        opened = now - dt.timedelta(days=30)
        for code, item_lots in lots.items():
            for lot in item_lots:
                mv(province, lot, "receipt", 20000 if code in COMMUNE_ITEMS else 5000, opened, document="QĐ phân bổ 125/QĐ-BYT",
                   source="ministry")
        transfers = []
        for k, store in enumerate(stations):
            sent = now - dt.timedelta(days=20)
            t = Transfer(from_store=province, to_store=store, status="received", document=f"PX-DEMO-{k + 1:03d}", dispatched_at=sent,
                         dispatched_by=boss, received_at=sent + dt.timedelta(days=1), received_by=boss)
            transfers.append((t, store))
        Transfer.objects.bulk_create([t for t, _ in transfers])
        lines = []
        for t, store in transfers:
            for code in COMMUNE_ITEMS:
                if code not in lots:
                    continue
                lot = lots[code][1 if code != "bo-phong-ho" else 0]
                qty = rng.randint(60, 200)
                lines.append(TransferLine(transfer=t, item_id=lot.item_id, lot=lot, dispatched=qty, received=qty))
                mv(province, lot, "transfer_out", -qty, t.dispatched_at, transfer=t, counterpart=store, document=t.document)
                mv(store, lot, "transfer_in", qty, t.received_at, transfer=t, counterpart=province, document=t.document)
                if code == "bo-phong-ho":
                    continue
                # Two weeks of use, a few times a day: what "days of stock" is computed from.
                left = qty
                for day in range(14):
                    use = min(left, rng.randint(0, max(1, qty // 25)))
                    if use:
                        kind = "test" if code.startswith("test") else "dispense"
                        mv(store, lot, kind, -use, now - dt.timedelta(days=day, hours=rng.randint(1, 8)), reason="Dữ liệu mẫu")
                        left -= use
        TransferLine.objects.bulk_create(lines)
        # The near-expiry lot of package A sits at Quang Trung; a transfer is on its way there; care ran short once.
        first = next((s for s in stations if s.unit_id == ctx.communes[0].pk), stations[0] if stations else None)
        if first is not None and "goi-thuoc-a" in lots:
            soon = lots["goi-thuoc-a"][0]
            mv(province, soon, "transfer_out", -50, now - dt.timedelta(days=2), counterpart=first, document="PX-DEMO-DANG-CHUYEN")
            t = Transfer.objects.create(from_store=province, to_store=first, document="PX-DEMO-DANG-CHUYEN", dispatched_by=boss,
                                        dispatched_at=now - dt.timedelta(days=2))
            rows[-1].transfer = t
            TransferLine.objects.create(transfer=t, item_id=soon.item_id, lot=soon, dispatched=50)
            Shortfall.objects.create(store=first, item=items.get("molnupiravir-200"), quantity=1, reason="no_stock",
                                     care_ref="cases.dispensing:0")
        Movement.objects.bulk_create(rows, batch_size=2000)
        sums = defaultdict(int)
        for r in rows:
            sums[(r.store_id, r.item_id, r.lot_id)] += r.quantity
        Balance.objects.bulk_create([Balance(store_id=s, item_id=i, lot_id=lo, quantity=q) for (s, i, lo), q in sums.items()],
                                    batch_size=2000)
    ctx.say(f"supplies: {len(items)} vật tư, {Store.objects.count()} kho, {len(rows):,} bút toán / items, stores, ledger rows")
