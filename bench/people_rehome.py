"""Re-homing a province's people from the pre-2025 communes to the 2025 ones (issue #12 §3; goal: 580,000 people
in under 60 s on PostgreSQL).

Builds Kon Tum's units (both structures), N residents with the demo generator (people.demo_generator, COPY), a
vaccination summary row for half of them, and splits 3 of the old communes between two 2025 communes (with villages,
so that the village and the unresolved paths run too). Then times, as the background job runs them:
the re-homing run (people.rehoming.run_job), a second run (idempotent: nobody moves), and the undo.

    .venv/bin/python bench/people_rehome.py [--people 580000] [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_rehome] [--reuse]

The database is dropped and re-created unless --reuse finds it (it must be a throw-away name).
"""
import argparse
import datetime as dt
import os
import random
import time

from _setup import create_database, setup_django


def build(n: int) -> None:
    from django.db import connection

    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, UnitCorrespondence, Village
    from people import demo_generator

    load_admin_units({"62"})
    olds = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level="commune").order_by("code"))
    # Three split communes: each also gave part of its land to another 2025 commune of the province.
    other = list(AdministrativeUnit.objects.filter(path__startswith="/n51/", level="commune").order_by("code")[:3])
    for old, new in zip(olds[:3], other, strict=True):
        UnitCorrespondence.objects.get_or_create(old_unit=old, new_unit=new, defaults={"is_default": False})
        for i in range(1, 6):
            Village.objects.get_or_create(commune=old, name=f"Thôn {i}")
        for i in (1, 2):
            Village.objects.get_or_create(commune=new, name=f"Thôn {i}")
    communes = [(c, list(Village.objects.filter(commune=c))) for c in olds]
    t = time.perf_counter()
    demo_generator.generate(communes, n, random.Random(7), dt.date(2022, 2, 1))
    with connection.cursor() as cur:
        cur.execute("""INSERT INTO vaccination_personvaccination (person_id, commune_id, birth_date, dose_count)
                       SELECT id, commune_id, DATE '1980-07-01', 2 FROM people_person WHERE id % 2 = 0""")
        cur.execute("ANALYZE")
    print(f"built {n:,} people in {time.perf_counter() - t:.1f} s")


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (a local server only): the part of a figure
    that does not depend on how many other processes share the machine (parallel index builds' workers excluded)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_note(before: float | None) -> str:
    after = backend_cpu()
    return "" if before is None or after is None else f", PostgreSQL backend CPU {after - before:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=580_000)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_rehome")
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    kept = create_database(args.pg, reuse=args.reuse)
    setup_django(args.pg, migrate=not kept)
    from accounts.models import User
    from geo.models import AdministrativeUnit
    from people import rehoming
    from people.models import Person, RehomingRun

    if not kept or not Person.objects.exists():
        build(args.people)
    RehomingRun.objects.filter(status__in=["queued", "running"]).update(status="failed")
    user = User.objects.filter(username="so_y_te_bench").first() or User.objects.create_user(
        username="so_y_te_bench", password="x", role="health_dept", unit=AdministrativeUnit.objects.get(path="/62/"),
        full_name="Bench")
    people = Person.objects.count()
    for label in ("re-homing", "second run (idempotent)"):
        run = RehomingRun.objects.create(created_by=user)
        t, cpu = time.perf_counter(), backend_cpu()
        rehoming.run_job(run_id=run.pk)
        elapsed = time.perf_counter() - t
        run.refresh_from_db()
        print(f"{label}: {elapsed:.1f} s for {people:,} people ({run.status}, load average {os.getloadavg()[0]:.1f}"
              f"{cpu_note(cpu)})")
        counts = dict(run.counts or {})
        print("  people: " + ", ".join(f"{k} {counts.pop(k):,}" for k in ("one_to_one", "village", "address", "unresolved", "moved") if k in counts))
        total = counts.pop("seconds", None)
        # The steps inside the transaction; the rest of the wall time is the commit (deferred checks, WAL flush).
        print("  steps (s): " + ", ".join(f"{k.removeprefix('seconds_')} {v}" for k, v in counts.items()
                                          if k != "seconds_proposing") + f"; in the transaction {total}, commit and job {elapsed - (total or 0):.1f}")
        if label == "re-homing":
            first = run
    t, cpu = time.perf_counter(), backend_cpu()
    back = rehoming.undo_run(run=first, by=user)
    print(f"undo: {time.perf_counter() - t:.1f} s, {back:,} people back on their pre-2025 commune "
          f"(load average {os.getloadavg()[0]:.1f}{cpu_note(cpu)})")
    print("goal: re-homing 580,000 people under 60 s on PostgreSQL")


if __name__ == "__main__":
    main()
