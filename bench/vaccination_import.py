"""Benchmark: bulk import of 1,500,000 doses, coverage after it, and coverage over 10,000,000 people (PostgreSQL).

    .venv/bin/python bench/vaccination_import.py [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_vaccination]
                                                 [--people 627000] [--fresh] [--big 10000000]

Setup (not timed; kept between runs unless --fresh): migrations, Kon Tum's units and villages, 627,000 residents
(people.demo_generator). A national-platform export of their doses (vaccination.synthetic, about 2.6 doses per
person, up to 31/12/2022, with 0.3 % deliberately bad rows) is written to a CSV file. Timed:
  1. raw COPY of that file into a table of text columns, and into a temporary one (the floor);
  2. the full import (vaccination.bulk.DoseImporter, mode valid_only): parse, match, validate, insert, summary;
  3. the same file again (idempotence: adds nothing);
  4. coverage for the whole province (median of 5);
  5. coverage over a synthetic summary of 10,000,000 vaccinated people (≈ 25,000,000 doses).
"""
import argparse
import os
import statistics
import time
from pathlib import Path

from _setup import create_database, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_vaccination")
    parser.add_argument("--people", type=int, default=627_000)  # ≈ 1,500,000 doses; --fresh when changing it
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--reuse-file", action="store_true", help="keep /tmp/vaccination_bench_doses.csv if it exists")
    parser.add_argument("--profile", action="store_true", help="print each SQL statement's time during the import")
    parser.add_argument("--once", action="store_true", help="skip the second import of the same file")
    args = parser.parse_args()
    import psycopg

    create_database(args.pg, reuse=not args.fresh)
    if args.profile:
        os.environ["VIMP_PROFILE"] = "1"
    setup_django(args.pg)
    import datetime as dt
    import random

    from django.core.management import call_command
    from django.db import connection

    from geo.importers import Operator
    from geo.models import AdministrativeUnit, Level, Village
    from people.models import Person
    from vaccination import services, synthetic
    from vaccination.bulk import DoseImporter

    call_command("migrate", verbosity=0)
    if Person.objects.count() < args.people:
        from geo.loader import load_admin_units
        from people.demo_generator import generate

        print("setup: units, villages, people …", flush=True)
        load_admin_units({"62"})
        communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
        rng = random.Random(2022)
        Village.objects.bulk_create([Village(commune=c, name=f"Thôn {i}", name_folded=f"thon {i}", kind="thon")
                                     for c in communes for i in range(1, rng.randint(5, 14) + 1)], ignore_conflicts=True)
        villages: dict[int, list] = {}
        for v in Village.objects.filter(commune__in=communes):
            villages.setdefault(v.commune_id, []).append(v)
        generate([(c, villages.get(c.pk, [])) for c in communes], args.people, rng, dt.date(2022, 2, 14))
    today = dt.date(2022, 12, 31)
    path = Path("/tmp/vaccination_bench_doses.csv")
    if args.reuse_file and path.exists():
        with path.open("rb") as f:
            n = sum(1 for _ in f) - 1
    else:
        text, n = synthetic.doses_csv(synthetic.people_rows(), random.Random(7), today)
        lines = text.splitlines(keepends=True)
        for i in range(1, len(lines), 300):  # 0.3 % bad rows: unknown product or impossible date
            lines[i] = lines[i].replace(",Pfizer,", ",Pfizer-X,").replace("/2021,", "/2O21,", 1)
        path.write_text("".join(lines), encoding="utf-8")
    print(f"file: {n:,} doses, {path.stat().st_size / 1e6:.0f} MB, {Person.objects.count():,} people", flush=True)

    with connection.cursor() as cur:
        cur.execute("TRUNCATE vaccination_injection, vaccination_personvaccination CASCADE")
    # The floor: COPY of the same file, as is, into a table of text columns, on a connection of its own. Into a plain
    # (logged) table, as any load into the database is, and into a temporary table (not WAL-logged: the fastest
    # possible). The goal is judged against the first; both are printed.
    data = path.read_bytes()
    floors = {}
    with psycopg.connect(args.pg, autocommit=True) as raw_conn, raw_conn.cursor() as cur:
        for kind, create in (("table", "CREATE TABLE bench_raw"), ("temp", "CREATE TEMP TABLE bench_raw")):
            cur.execute("DROP TABLE IF EXISTS bench_raw")
            cur.execute(create + " (" + ", ".join(f"c{i} text" for i in range(11)) + ")")
            t = time.perf_counter()
            with cur.copy("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as cp:
                for i in range(0, len(data), 8 << 20):
                    cp.write(data[i:i + (8 << 20)])
            floors[kind] = time.perf_counter() - t
            cur.execute("DROP TABLE bench_raw")
    raw = floors["table"]
    print(f"1. raw COPY:           {raw:6.2f} s  ({n / raw:,.0f} rows/s) into a table; {floors['temp']:.2f} s "
          f"({n / floors['temp']:,.0f} rows/s) into a temporary table", flush=True)

    t = time.perf_counter()
    result = DoseImporter(by=Operator(), mode="valid_only", today=today).run(data, path.name)
    full = time.perf_counter() - t
    print(f"2. full import:        {full:6.2f} s  ({n / full:,.0f} rows/s; {raw / full:.2f} of raw COPY speed, {floors['temp'] / full:.2f} of the temporary-table COPY) "
          f"imported {result.imported:,}, rejected {result.error_count:,}", flush=True)
    print("   phases (s): " + ", ".join(f"{k} {v}" for k, v in result.timings.items()))
    import resource

    print(f"   peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    if args.once:
        return
    t = time.perf_counter()
    again = DoseImporter(by=Operator(), mode="valid_only", today=today).run(data, path.name)
    print(f"3. same file again:    {time.perf_counter() - t:6.2f} s  imported {again.imported}, already present {again.skipped_duplicates:,}")

    province = AdministrativeUnit.objects.get(path="/62/")
    times = []
    for _ in range(5):
        t = time.perf_counter()
        cov = services.coverage(province, today)
        times.append(time.perf_counter() - t)
    print(f"4. province coverage:  {statistics.median(times) * 1000:6.0f} ms (median of 5); 18+ ≥1 dose "
          f"{cov['groups']['18+']['dose1']['percentage']} %, full {cov['groups']['18+']['full']['percentage']} %")

    if args.big:
        ids = services.communes_of(province)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_pv")
            cur.execute("CREATE UNLOGGED TABLE bench_pv (LIKE vaccination_personvaccination INCLUDING INDEXES)")
            cur.execute(f"""INSERT INTO bench_pv (person_id, commune_id, birth_date, first_on, primary_done_on, additional_on,
                                                  booster1_on, last_on, dose_count)
                SELECT g, (ARRAY[{','.join(map(str, ids))}])[1 + g % {len(ids)}], DATE '1940-01-01' + (g % 29000),
                       DATE '2021-07-01' + (g % 200), CASE WHEN g % 10 < 9 THEN DATE '2021-08-15' + (g % 200) END, NULL,
                       CASE WHEN g % 10 < 6 THEN DATE '2022-02-01' + (g % 200) END, DATE '2022-06-01', 2 + (g % 2)
                FROM generate_series(1, {args.big}) g""")
            cur.execute("ANALYZE bench_pv")
        times = []
        for _ in range(3):
            t = time.perf_counter()
            services.counts_by_band(ids, today, table="bench_pv")
            times.append(time.perf_counter() - t)
        print(f"5. coverage, {args.big:,} people (≈{int(args.big * 2.5):,} doses): {min(times):6.2f} s (best of 3)")
        with connection.cursor() as cur:
            cur.execute("DROP TABLE bench_pv")


if __name__ == "__main__":
    main()
