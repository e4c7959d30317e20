"""Benchmark: generating the demo's residents (580,000 by default) on SQLite and on PostgreSQL.

    .venv/bin/python bench/foundation_demo.py [--people 580000] [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_demo]

Each database is fresh: a temporary SQLite file and a PostgreSQL database dropped and re-created (it must be a
throw-away name). Migrations, Kon Tum's units and villages are set up first and not timed; the figure is the
time of `people.demo_generator.generate` (names, documents, phones, COPY/executemany, population table),
which is what `phongdich demo` spends on residents. Prints seconds and rows/s per database.
"""
import argparse
import json
import subprocess
import sys
import tempfile

from _setup import ROOT, child_env, create_database, setup_django


def child(people: int) -> None:
    setup_django(migrate=True)  # on the DATABASE_URL run() gives
    import datetime as dt
    import random
    import time

    from django.db import connection

    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level, Village
    from people.demo_generator import generate
    from people.models import Person

    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    rng = random.Random(2022)
    Village.objects.bulk_create(
        [Village(commune=c, name=f"Thôn {i}", name_folded=f"thon {i}", kind="thon") for c in communes for i in range(1, rng.randint(5, 14) + 1)]
    )
    villages: dict[int, list] = {}
    for v in Village.objects.filter(commune__in=communes):
        villages.setdefault(v.commune_id, []).append(v)
    started = time.perf_counter()
    generate([(c, villages.get(c.pk, [])) for c in communes], people, rng, dt.date(2022, 2, 14))
    elapsed = time.perf_counter() - started
    count = Person.objects.count()
    assert count == people, (count, people)
    print(json.dumps({"vendor": connection.vendor, "people": count, "seconds": round(elapsed, 2), "rows_per_s": round(count / elapsed)}))


def run(people: int, database_url: str, label: str) -> dict:
    env = child_env(database_url, DEBUG="1")
    out = subprocess.run([sys.executable, __file__, "--child", "--people", str(people)], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{label} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=580_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_demo")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.child:
        child(args.people)
        return
    results = []
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run(args.people, f"sqlite:///{tmp}/bench.sqlite3", "SQLite"))
    if args.only in (None, "postgresql"):
        create_database(args.pg)
        results.append(run(args.people, args.pg, "PostgreSQL"))
    print(f"{'database':<12}{'people':>10}{'seconds':>10}{'rows/s':>10}")
    for r in results:
        print(f"{r['vendor']:<12}{r['people']:>10,}{r['seconds']:>10.1f}{r['rows_per_s']:>10,}")


if __name__ == "__main__":
    main()
