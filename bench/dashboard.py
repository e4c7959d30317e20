"""Benchmark: the leadership dashboard for a province with 3 diseases and 2 years of data (200,000 cases).
Goal: p95 under 500 ms on PostgreSQL (the whole page: figures, template, as a leadership user).

    .venv/bin/python bench/dashboard.py [--people 220000] [--cases 200000] [--runs 20] [--reuse]
        [--pg postgres://postgres@127.0.0.1:5432/circ54_bench_dashboard]

Builds a throw-away PostgreSQL database: Kon Tum's units with villages, `--people` residents (people.demo_generator),
`--cases` cases of COVID-19, measles and dengue over the two years before 31/12/2025 (dengue in rainy-season waves,
measles in an early-2025 wave, COVID-19 sporadic), onset 1–4 days before confirmation, recorded 0–3 days after it,
population estimates per commune, the Circular 54 reporting rules, and commune sendings of the monthly reports.
Then times GET /reports/dieu-hanh/ for each disease and count basis (`--runs` each) and prints p50/p95/max and queries.
bench/circular54_monthly.py reuses this database.
"""
import argparse
import datetime as dt
import random
import statistics
import time

from _setup import create_database, setup_django

DAY = dt.date(2025, 12, 31)
SHARE = {"covid19": 0.2, "measles": 0.3, "dengue": 0.5}


def setup(url: str, reuse: bool) -> bool:
    kept = create_database(url, reuse=reuse)
    setup_django(url, migrate=True)
    return kept


def _day(code: str, rng: random.Random) -> dt.date:
    """A confirmation date in the two years before DAY, shaped by the disease's season."""
    while True:
        back = rng.randint(0, 729)
        day = DAY - dt.timedelta(days=back)
        if code == "dengue" and day.month in (6, 7, 8, 9, 10, 11) or code == "measles" and (day.year == 2025 and day.month <= 5 or back < 30):
            return day
        if rng.random() < 0.25:
            return day


def build(people: int, cases: int) -> None:
    from django.db import connection

    from geo.loader import load_admin_units
    from geo.models import AGE_BAND_BOUNDS, AdministrativeUnit, Level, PopulationEstimate, Village
    from people.demo_generator import generate

    rng = random.Random(2025)
    t0 = time.perf_counter()
    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE, structure="pre2025").order_by("code"))
    Village.objects.bulk_create([Village(commune=c, name=f"Thôn {i}", name_folded=f"thon {i}", kind="thon")
                                 for c in communes for i in range(1, rng.randint(5, 14) + 1)], ignore_conflicts=True)
    villages: dict[int, list] = {}
    for v in Village.objects.filter(commune__in=communes):
        villages.setdefault(v.commune_id, []).append(v)
    generate([(c, villages.get(c.pk, [])) for c in communes], people, rng, DAY)
    print(f"  {people:,} people in {time.perf_counter() - t0:.0f}s")
    PopulationEstimate.objects.bulk_create([
        PopulationEstimate(unit=c, year=2025, sex="", age_band=band, population=rng.randint(300, 1500))
        for c in communes for band in AGE_BAND_BOUNDS], ignore_conflicts=True)

    from cases.models import Case
    from diseases.models import Disease
    from reports.seed_rules import install

    install()
    diseases = {d.code: d for d in Disease.objects.all()}
    ids = [r for r in connection.cursor().execute("SELECT id, commune_id FROM people_person ORDER BY id").fetchall()]
    rng.shuffle(ids)
    rows = []
    for i, (pid, commune_id) in enumerate(ids[:cases]):
        code = "covid19" if i < cases * SHARE["covid19"] else "measles" if i < cases * (SHARE["covid19"] + SHARE["measles"]) else "dengue"
        confirmed = _day(code, rng)
        old = (DAY - confirmed).days > 14
        died = rng.random() < 0.001
        rows.append(Case(person_id=pid, disease=diseases[code], commune_id=commune_id, confirmed_on=confirmed,
                         symptom_onset=confirmed - dt.timedelta(days=rng.randint(1, 4)), test_kind="rt_pcr",
                         status="died" if died else "recovered" if old else "active",
                         died_on=confirmed + dt.timedelta(days=5) if died else None,
                         released_on=confirmed + dt.timedelta(days=10) if old and not died else None))
    Case.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cur:
        # Recorded 0–3 days after confirmation (timeliness of case reports).
        cur.execute("UPDATE cases_case SET created_at = confirmed_on + (id % 4) * interval '1 day' + interval '9 hours'")
        cur.execute("VACUUM ANALYZE")
    print(f"  {len(rows):,} cases; built in {time.perf_counter() - t0:.0f}s")
    _sendings(communes, rng)


def _sendings(communes, rng) -> None:
    """Communes' monthly and weekly reports of 2025 (rows only: timeliness reads when they were sent)."""
    from reports import circular54
    from reports.models import Circular54Report

    rows = []
    month = dt.date(2025, 1, 1)
    while month <= DAY:
        start, end = circular54.period_bounds("monthly", month)
        for c in communes:
            r = rng.random()
            if r < 0.1:
                continue  # missing
            rows.append(Circular54Report(kind="monthly", unit=c, period_start=start, period_end=end, submitted=True))
        month = end + dt.timedelta(days=1)
    Circular54Report.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cur:  # sent 2 days after the month (most) or 9 days (late)
        cur.execute("UPDATE reports_circular54report SET created_at = period_end + "
                    "(CASE WHEN id % 10 < 8 THEN 2 ELSE 9 END) * interval '1 day' + interval '2 hours'")
    print(f"  {len(rows):,} commune sendings")


def ensure(args) -> None:
    setup(args.pg, args.reuse)
    from cases.models import Case

    if not Case.objects.exists():
        build(args.people, args.cases)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/circ54_bench_dashboard")
    ap.add_argument("--people", type=int, default=220_000)
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    ensure(args)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from cases.models import Case
    from geo.models import AdministrativeUnit

    settings.ALLOWED_HOSTS = ["*"]
    settings.PHONGDICH_DEMO = True
    prov = AdministrativeUnit.objects.get(path="/62/")
    user = User.objects.filter(username="bench_leader").first() or User.objects.create_user(
        "bench_leader", password="Mat-khau-2022", role="leadership", unit=prov, full_name="Lãnh đạo")
    client = Client()
    client.force_login(user)
    from django.db.models import Count

    per = Case.objects.values_list("disease__code").annotate(n=Count("id")).order_by()
    print(f"cases: {Case.objects.count():,} ({', '.join(f'{c}: {n:,}' for c, n in per)})")
    times, queries, cpu, db = [], [], [], []
    for code in ("covid19", "measles", "dengue"):
        for basis in ("onset", "report"):
            url = f"/reports/dieu-hanh/?benh={code}&theo={basis}&ngay={DAY:%d/%m/%Y}"
            client.get(url)  # warm
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as q:
                    t0, c0 = time.perf_counter(), time.process_time()
                    r = client.get(url)
                    times.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
                assert r.status_code == 200, r.status_code
                queries.append(len(q))
                db.append(sum(float(x["time"]) for x in q.captured_queries))
    def p95(xs):
        return sorted(xs)[int(0.95 * (len(xs) - 1))] * 1000

    import os

    print(f"dashboard page, {len(times)} requests (3 diseases × onset/report): p50 {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {p95(times):.0f} ms, max {max(times) * 1000:.0f} ms; queries per page {min(queries)}–{max(queries)}; goal p95 < 500 ms")
    print(f"  of which: Python CPU p95 {p95(cpu):.0f} ms, database (sum of the page's queries) p95 {p95(db):.0f} ms; "
          f"load average during the run {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
