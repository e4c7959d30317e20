"""Counting people on the units of their time after a re-homing (docs/geo.md, "What counts where after a re-homing").

After a re-homing run every person of Kon Tum sits on a 2025 commune; the pre-2025 units count him on his
`former_commune`. Times, on the people_rehome.py data (580,000 residents, a vaccination summary row for half of them)
re-homed once, the figures that read people on the pre-2025 map, uncached, at a 2022 date:
coverage of the province and of a district (vaccination.services._coverage), the levels' coverage of the 113
pre-2025 units at once (coverage_for_levels_many), and levels.sources.collect for those units and a 2022 week; and,
for comparison, the same coverage on the 2025 province (the current-commune count, unchanged).

    .venv/bin/python bench/vaccination_history.py [--people 580000] [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_history] [--reuse]
"""
import argparse
import datetime as dt
import os
import time

from _setup import create_database, setup_django


def timed(label, fn, repeat=3):
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        s = time.perf_counter() - t
        best = s if best is None else min(best, s)
    print(f"{label:<70} {best:6.2f} s (best of {repeat})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=580_000)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_history")
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    kept = create_database(args.pg, reuse=args.reuse)
    setup_django(args.pg, migrate=not kept)
    from accounts.models import User
    from geo.models import AdministrativeUnit
    from levels import sources
    from people import rehoming
    from people.models import Person, RehomingRun
    from vaccination import services

    if not kept:
        from people_rehome import build

        build(args.people)
    if not Person.objects.filter(former_commune__isnull=False).exists():
        user = User.objects.filter(username="so_y_te_bench").first() or User.objects.create_user(
            username="so_y_te_bench", password=os.urandom(8).hex(), role="health_dept",
            unit=AdministrativeUnit.objects.get(path="/62/"))
        run = RehomingRun.objects.create(created_by=user)
        t = time.perf_counter()
        rehoming.run_job(run_id=run.pk)
        print(f"re-homing run: {time.perf_counter() - t:.1f} s")
    from django.db import connection, transaction

    from vaccination.models import PersonVaccination

    if not PersonVaccination.objects.filter(first_on__isnull=False).exists():
        # people_rehome.py's summary rows carry no dates: 2021 first doses, two in three completed 4 weeks later.
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("""UPDATE vaccination_personvaccination SET first_on = DATE '2021-09-01' + (person_id % 120)::int,
                               primary_done_on = CASE WHEN person_id % 3 > 0 THEN DATE '2021-09-29' + (person_id % 120)::int END,
                               last_on = DATE '2021-09-01' + (person_id % 120)::int, dose_count = 1 + (person_id % 3 > 0)::int""")
            cur.execute("ANALYZE vaccination_personvaccination")
    print(f"people {Person.objects.count():,}, re-homed {Person.objects.filter(former_commune__isnull=False).count():,}")
    on, week = dt.date(2022, 2, 13), dt.date(2022, 2, 7)
    province = AdministrativeUnit.objects.get(path="/62/")
    district = AdministrativeUnit.objects.filter(path__startswith="/62/", level="district").order_by("code").first()
    units = list(AdministrativeUnit.objects.filter(path__startswith="/62/").exclude(level="commune")) + list(
        AdministrativeUnit.objects.filter(path__startswith="/62/", level="commune"))
    new_province = AdministrativeUnit.objects.get(path="/n51/")
    cov = services._coverage(province, on)
    print(f"Kon Tum (pre-2025) ≥1 dose on {on:%d/%m/%Y}: {cov['groups']['all']['dose1']['numerator']:,} of "
          f"{PersonVaccination.objects.count():,} summary rows (all of them: everyone counts on his commune of 2022)")
    timed("coverage, pre-2025 province (people of their time)", lambda: services._coverage(province, on))
    timed("coverage, a pre-2025 district", lambda: services._coverage(district, on))
    timed("coverage, 2025 province (current commune, unchanged)", lambda: services._coverage(new_province, on))
    timed(f"coverage_for_levels_many, {len(units)} pre-2025 units", lambda: services.coverage_for_levels_many(units, on))
    timed(f"levels.sources.collect, {len(units)} pre-2025 units, week of {week:%d/%m/%Y}",
          lambda: sources.collect(units, week), repeat=2)


if __name__ == "__main__":
    main()
