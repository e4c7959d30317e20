"""Benchmark of the supplies capability on PostgreSQL (issue #15):

  1. stock position for 3,500 stores × 300 items over 2,000,000 ledger rows (built with COPY; the balances are then the
     ledger's sum, checked equal): the position page of the province (first page of 50 rows with its count and the
     last 14 days' consumption, rendered by Django), the province's per-item totals with days of stock (situation
     report), the stock-outs list (one set-based statement over every store and item), the per-store map points, and
     the whole store × item aggregation in SQL. Goal: under 1 s (p50/p95 of 5 runs each).
  2. 50 concurrent issues per second of the same lot, for --seconds (more issues than the lot holds): issues/s achieved,
     p50/p95 latency, and the check that the balance never went below zero and equals the ledger.

    .venv/bin/python bench/supplies_position.py --pg postgres://postgres@127.0.0.1:5432/phongdich_bench_supplies
        [--stores 3500] [--items 300] [--rows 2000000] [--rate 50] [--seconds 10] [--keep]

The database is dropped and re-created (it must be a throw-away name) unless --keep reuses one already filled.
Loading is not timed.
"""
import argparse
import datetime as dt
import random
import statistics
import threading
import time

import _setup

BENCH_ENV = {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret-" + "x" * 30, "ALLOWED_HOSTS": "127.0.0.1,testserver",
             "SECURE_SSL_REDIRECT": "0", "DB_CONN_MAX_AGE": "60"}


def fill(n_stores: int, n_items: int, n_rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level
    from supplies.models import Item, Lot, Store

    load_admin_units({"62"})
    province = AdministrativeUnit.objects.get(path="/62/")
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    User.objects.create_user(username="bench_soyte", password="Bench-2022-x", role="health_dept", unit=province, full_name="Bench")
    rng = random.Random(15)
    today = timezone.localdate()
    items = Item.objects.bulk_create([Item(code=f"vt-{i:04d}", name=f"Vật tư {i:04d}", category=["medicine", "test_kit", "vaccine", "ppe", "oxygen"][i % 5],
                                           unit="đv", pack_size=1) for i in range(n_items)])
    lots = Lot.objects.bulk_create([Lot(item=it, code=f"L{it.pk:04d}", expires_on=today + dt.timedelta(days=rng.randint(10, 700))) for it in items])
    warehouse = Store.objects.create(name="Kho CDC tỉnh (bench)", kind="provincial_warehouse", unit=province)
    stores = [warehouse] + Store.objects.bulk_create([
        Store(name=f"Kho {i:04d} {communes[i % len(communes)].name}", kind="commune_station", unit=communes[i % len(communes)], parent=warehouse)
        for i in range(n_stores - 1)])
    pairs = n_stores * n_items
    p_use = max(0.0, min(1.0, (n_rows - pairs) / pairs))  # one receipt per store-item, consumption rows up to n_rows
    now = timezone.now()
    cols = "store_id, item_id, lot_id, kind, quantity, at, document, source, reason, care_ref, created_at"
    written = 0
    t0 = time.perf_counter()
    with connection.cursor() as cur, cur.cursor.copy(f"COPY supplies_movement ({cols}) FROM STDIN") as copy:
        for s in stores:
            for it, lot in zip(items, lots, strict=True):
                q = rng.randint(50, 500)
                copy.write_row((s.pk, it.pk, lot.pk, "receipt", q, now - dt.timedelta(days=30), "QĐ bench", "ministry", "", "", now))
                written += 1
                if rng.random() < p_use:
                    copy.write_row((s.pk, it.pk, lot.pk, "issue", -rng.randint(1, q), now - dt.timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 23)),
                                    "", "", "bench", "", now))
                    written += 1
    with connection.cursor() as cur:
        cur.execute("""INSERT INTO supplies_balance (store_id, item_id, lot_id, quantity, updated_at)
                       SELECT store_id, item_id, lot_id, SUM(quantity), now() FROM supplies_movement GROUP BY 1, 2, 3""")
        cur.execute("ANALYZE")
    print(f"loaded: {n_stores:,} stores × {n_items} items, {written:,} ledger rows (COPY + balances in {time.perf_counter() - t0:.1f} s)")


def timed(label: str, fn, runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"  {label:62} p50 {statistics.median(times) * 1000:7.0f} ms  p95 {p95 * 1000:7.0f} ms  ({result})")


def position_figures() -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from supplies import selectors

    user = User.objects.get(username="bench_soyte")
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), (SELECT COUNT(*) FROM supplies_balance), (SELECT COUNT(*) FROM supplies_balance WHERE quantity < 0) FROM supplies_movement")
        rows, balances, negative = cur.fetchone()
        cur.execute("""SELECT COUNT(*) FROM supplies_balance b JOIN (SELECT store_id, lot_id, SUM(quantity) q FROM supplies_movement GROUP BY 1, 2) m
                       ON m.store_id = b.store_id AND m.lot_id = b.lot_id WHERE m.q <> b.quantity""")
        mismatched = cur.fetchone()[0]
    print(f"ledger rows {rows:,}; balances {balances:,}; negative {negative}; balances different from the ledger sum: {mismatched}")
    client = Client()
    client.force_login(user)

    def page(after=""):
        r = client.get(f"/supplies/?sau={after}")
        assert r.status_code == 200
        return f"{r.content.count(b'<tr>') - 1} store-items"  # not r.context: test instrumentation would slow rendering

    with connection.cursor() as cur:  # a page deep in the list: after the 100,000th store-item
        cur.execute("SELECT store_id, item_id FROM supplies_balance ORDER BY store_id, item_id OFFSET 100000 LIMIT 1")
        deep = "-".join(map(str, cur.fetchone()))

    def all_pairs():
        sql, params = selectors.position_values(user).query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*), SUM(qty) FROM ({sql}) p", params)
            n, total = cur.fetchone()
        return f"{n:,} store-items, {total:,} units"

    print("stock position (goal < 1 s):")
    timed("position page /supplies/ (province, rendered)", page)
    timed("position page after the 100,000th store-item (rendered)", lambda: page(deep))
    timed("position of one item in every store /supplies/?vat-tu=<id>", lambda: client.get(f"/supplies/?vat-tu={selectors.items_for(user).first().pk}").status_code)
    timed("store × item aggregation of the whole province (SQL)", all_pairs)
    timed("per-item province totals + days of stock (report section)", lambda: f"{len(selectors.report_section(timezone.localdate(), None)['items'])} items")
    timed("stock-outs of every store and item", lambda: f"{len(selectors.stockouts(user))} rows (capped 5,000)")
    timed("map points /supplies/ban-do.json", lambda: f"{len(client.get('/supplies/ban-do.json').json()['points']):,} stores")
    timed("one store's page /supplies/kho/<id>/", lambda: client.get(f"/supplies/kho/{selectors.stores_for(user).order_by('id').first().pk}/").status_code)


WORKERS = 16


def concurrency(rate: int, seconds: int) -> None:
    from django.db import connections

    from accounts.models import User
    from core.errors import Invalid
    from supplies import services
    from supplies.models import Balance, Item, Lot, Movement, Store

    user = User.objects.get(username="bench_soyte")
    store = Store.objects.get(kind="provincial_warehouse")
    item = Item.objects.create(code=f"vt-conc-{int(time.time())}", name="Vật tư thử đồng thời", category="test_kit", unit="test")
    stock = rate * seconds * 4 // 5  # fewer units than issues: the last ones must be refused
    services.receive(by=user, store=store, document="bench", lines=[services.ReceiptLine(item=item, quantity=stock, lot_code="C1",
                                                                                         expires_on=dt.date.today() + dt.timedelta(days=365))])
    lot = Lot.objects.get(item=item)
    total = rate * seconds
    done, refused, errors, latencies = [], [], [], []
    lowest = [stock]
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    slots = iter(range(total))

    def worker():
        # Issue i starts at its slot (`rate` per second, open loop) on one of WORKERS connections, as a server's threads.
        while True:
            with lock:
                i = next(slots, None)
            if i is None:
                break
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            t = time.perf_counter()
            try:
                services.issue(by=user, store=store, lot=lot, quantity=1, reason="bench")
                ok = True
            except Invalid:
                ok = False
            except Exception as exc:  # noqa: BLE001 - counted and shown
                errors.append(repr(exc))
                ok = None
            with lock:
                latencies.append(time.perf_counter() - t)
                (done if ok else refused if ok is False else []).append(i)
        connections.close_all()

    def watch():
        while len(latencies) < total:
            q = Balance.objects.get(store=store, lot=lot).quantity
            lowest[0] = min(lowest[0], q)
            time.sleep(0.05)
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    watcher = threading.Thread(target=watch)
    watcher.start()
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0 - 0.5
    watcher.join()
    final = Balance.objects.get(store=store, lot=lot).quantity
    ledger = sum(Movement.objects.filter(store=store, lot=lot).values_list("quantity", flat=True))
    latencies.sort()
    print(f"concurrent issues of one lot at {rate}/s for {seconds} s ({total} issues, {stock} units, {WORKERS} threads):")
    print(f"  issued {len(done)}, refused (no stock) {len(refused)}, errors {len(errors)}; achieved {total / max(elapsed, 1e-6):.1f} issues/s")
    print(f"  latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))] * 1000:.0f} ms")
    print(f"  balance: final {final}, lowest seen {lowest[0]}, ledger sum {ledger} — {'OK' if final == ledger == stock - len(done) >= 0 and lowest[0] >= 0 else 'WRONG'}")
    if errors:
        print("  first error:", errors[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_supplies")
    ap.add_argument("--stores", type=int, default=3500)
    ap.add_argument("--items", type=int, default=300)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--rate", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    kept = _setup.create_database(a.pg, reuse=a.keep)
    import os

    os.environ.update(BENCH_ENV)  # production-like: DEBUG off, persistent connections
    _setup.setup_django(a.pg)
    from django.conf import settings

    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    if not kept:
        fill(a.stores, a.items, a.rows)
    position_figures()
    concurrency(a.rate, a.seconds)


if __name__ == "__main__":
    main()
