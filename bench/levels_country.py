"""Benchmark: the country's weekly level assessment on the 2025 structure (issue #12 §1).

Goal (PostgreSQL): all 3,321 communes of the 2025 structure assessed in one run under 2 s, their data recorded on
the pre-2025 communes of their time (cases, doses, population) and rolled up through geo.areas (a pre-2025 commune
into its default 2025 successor). Prints figures; not a timed test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/areas_levels_bench .venv/bin/python bench/levels_country.py [--reuse]

The first run creates the database, loads every unit of both structures and generates, per pre-2025 commune:
population estimates (2024), residents, a week of cases and one vaccination row per vaccinated person. `--reuse`
keeps a database built before.
"""
import argparse
import datetime as dt
import os
import random
import time

from _setup import create_database, setup_django

WEEK = dt.date(2025, 9, 8)  # a Monday after 01/07/2025: assessed on the 2025 communes
BANDS = {"0-4": 0.08, "5-11": 0.12, "12-17": 0.1, "18-49": 0.45, "50-64": 0.17, "65+": 0.08}


def ensure_data(per_commune: int) -> None:
    from django.db import connection

    from cases.models import Case
    from diseases.models import Disease
    from geo import areas
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, PopulationEstimate
    from people.models import Person
    from vaccination.models import PersonVaccination

    if AdministrativeUnit.objects.filter(structure=areas.PRE_2025, level="commune").count() < 10_000:
        t = time.perf_counter()
        load_admin_units()
        print(f"units loaded in {time.perf_counter() - t:.1f}s")
    communes = list(AdministrativeUnit.objects.filter(structure=areas.PRE_2025, level="commune").values_list("id", flat=True))
    if Person.objects.count() >= len(communes) * per_commune * 0.9:
        return
    rng = random.Random(12)
    t = time.perf_counter()
    PopulationEstimate.objects.all().delete()  # a run stopped half-way left some
    pops = []
    for cid in communes:
        total = rng.randint(3_000, 25_000)
        for band, share in BANDS.items():
            n = round(total * share)
            pops += [PopulationEstimate(unit_id=cid, year=2024, sex="M", age_band=band, population=n // 2),
                     PopulationEstimate(unit_id=cid, year=2024, sex="F", age_band=band, population=n - n // 2)]
    PopulationEstimate.objects.bulk_create(pops, batch_size=10_000)
    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    for start in range(0, len(communes), 500):
        chunk = communes[start:start + 500]
        people = [Person(commune_id=cid, full_name="Nguyễn Văn A", name_folded="nguyen van a", birth_year=rng.randint(1930, 2020),
                         sex=rng.choice("MF"), comorbidities=["tăng huyết áp"] if rng.random() < 0.1 else [])
                  for cid in chunk for _ in range(per_commune)]
        people = Person.objects.bulk_create(people, batch_size=5_000)
        cases, vacc = [], []
        hot = {cid: rng.random() < 0.05 for cid in chunk}
        for p in people:
            if rng.random() < (0.25 if hot[p.commune_id] else 0.02):
                cases.append(Case(person=p, disease=disease, commune_id=p.commune_id,
                                  confirmed_on=WEEK + dt.timedelta(days=rng.randint(-7, 6)), test_kind="rt_pcr",
                                  detected_in=rng.choice(["community", "community", "quarantine", "facility"]),
                                  on_oxygen=rng.random() < 0.05, died_on=WEEK + dt.timedelta(days=3) if rng.random() < 0.005 else None))
            if rng.random() < 0.85 and p.birth_year <= 2009:
                first = dt.date(2021, 8, 1) + dt.timedelta(days=rng.randint(0, 120))
                vacc.append(PersonVaccination(person_id=p.pk, commune_id=p.commune_id, birth_date=dt.date(p.birth_year, 7, 1), first_on=first,
                                              primary_done_on=first + dt.timedelta(days=28) if rng.random() < 0.9 else None, dose_count=2))
        Case.objects.bulk_create(cases, batch_size=5_000)
        PersonVaccination.objects.bulk_create(vacc, batch_size=5_000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"data generated in {time.perf_counter() - t:.1f}s: {Person.objects.count():,} people, {Case.objects.count():,} cases, "
          f"{PersonVaccination.objects.count():,} vaccinated")


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: /proc), 0 when unreadable."""
    from django.db import connection

    try:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def timed(label, fn, repeat):
    """Best wall time of `repeat` runs, and the CPU time of that run (this process + its PostgreSQL backend): on a
    shared machine the wall time grows with the load, the CPU time much less — it is about what the run takes alone."""
    best, out, best_cpu = None, None, None
    for _ in range(repeat):
        t, c, b = time.perf_counter(), time.process_time(), _backend_cpu()
        out = fn()
        wall = time.perf_counter() - t
        cpu = time.process_time() - c + _backend_cpu() - b
        if best is None or wall < best:
            best, best_cpu = wall, cpu
    levels = {}
    for a in out:
        levels[a.level] = levels.get(a.level, 0) + 1
    with_pop = sum(1 for a in out if a.population)
    print(f"{label:<58} {best:7.3f}s (CPU {best_cpu:.2f}s)  units={len(out):>5}  with population={with_pop:>5}  "
          f"levels={dict(sorted(levels.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))}")
    return best


def breakdown(communes, now):
    """One more country run, timed per stage: the sources (levels.sources.collect), the rules, the writing."""
    from levels import rules, services, sources

    spent = {}

    def timer(mod, name, label):
        fn = getattr(mod, name)

        def timed_fn(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[label] = spent.get(label, 0) + time.perf_counter() - t
        setattr(mod, name, timed_fn)
        return fn

    originals = [(sources, "collect", timer(sources, "collect", "sources")),
                 (rules, "assess_with_version", timer(rules, "assess_with_version", "rules")),
                 (services, "_save_assessments", timer(services, "_save_assessments", "write"))]
    t = time.perf_counter()
    services.assess_units(communes, WEEK, now=now)
    total = time.perf_counter() - t
    for mod, name, fn in originals:
        setattr(mod, name, fn)
    parts = ", ".join(f"{k} {v:.2f}s" for k, v in spent.items())
    print(f"{'  where the time goes (one country run)':<58} {total:7.3f}s   {parts}, other {total - sum(spent.values()):.2f}s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people-per-commune", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/areas_levels_bench"
    kept = create_database(url, reuse=args.reuse)
    setup_django(url, migrate=not kept)
    from django.db import connection
    from django.utils import timezone

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    ensure_data(args.people_per_commune)

    from geo import areas
    from geo.models import AdministrativeUnit
    from levels import services

    now = timezone.now()
    communes = list(AdministrativeUnit.objects.filter(structure=areas.FROM_2025, level="commune"))
    units = list(AdministrativeUnit.objects.filter(structure=areas.FROM_2025))
    print(f"load average before the runs: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"2025 structure: {len(communes):,} communes, {len(units) - len(communes)} provinces; week {WEEK:%d/%m/%Y} "
          f"(structure in force: {areas.structure_on(WEEK)})")
    timed("Country, 2025: all communes", lambda: services.assess_units(communes, WEEK, now=now), args.repeat)
    timed("Country, 2025: every commune and province", lambda: services.assess_units(units, WEEK, now=now), 1)
    qn = AdministrativeUnit.objects.get(path="/n51/")
    timed("Quảng Ngãi (51, with the former Kon Tum): province run", lambda: services.assess_province(qn, WEEK, now=now), args.repeat)
    breakdown(communes, now)
    print(f"load average after the runs: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
