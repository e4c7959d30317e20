"""Benchmark: diacritic-insensitive name search over 1,000,000 people on PostgreSQL, as the people list page does it.

    .venv/bin/python bench/foundation_search.py [--people 1000000] [--queries 300] [--reuse]
        [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_search]

Builds a throw-away PostgreSQL database with Kon Tum's units and `--people` residents (people.demo_generator),
then times, for a province-level user (sees everyone: the worst case) and a commune user, what one list request
costs in the database: `people.views.visible_people(user)` → `people.services.search_page(qs, q, 1)` (ids and
folded names of at most 1,000 matches, sorted by name, then the page's 25 rows), as the list page does. Queries are names typed without diacritics: full
names ("nguyen van an"), surname + given name, given names alone and partial words. Prints median and p95 in ms.
"""
import argparse
import os
import random
import statistics
import time

from _setup import create_database, setup_django


def setup(url: str, people: int, reuse: bool) -> None:
    create_database(url, reuse=reuse)
    os.environ.setdefault("DEBUG", "1")
    setup_django(url, migrate=True)
    from people.models import Person

    if Person.objects.count() >= people:
        print(f"reusing {Person.objects.count():,} people")
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        return
    import datetime as dt

    from django.db import connection

    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level, Village
    from people.demo_generator import generate

    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    rng = random.Random(2022)
    Village.objects.bulk_create(
        [Village(commune=c, name=f"Thôn {i}", name_folded=f"thon {i}", kind="thon") for c in communes for i in range(1, rng.randint(5, 14) + 1)],
        ignore_conflicts=True,
    )
    villages: dict[int, list] = {}
    for v in Village.objects.filter(commune__in=communes):
        villages.setdefault(v.commune_id, []).append(v)
    t0 = time.perf_counter()
    generate([(c, villages.get(c.pk, [])) for c in communes], people, rng, dt.date(2022, 2, 14))
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum keeps them in production
    print(f"built {people:,} people in {time.perf_counter() - t0:.1f}s")


def queries(n: int, rng: random.Random) -> list[str]:
    from core.text import fold
    from people.demo_generator import GIVEN, HIGHLAND_GIVEN, MIDDLE, SURNAMES

    out = []
    for i in range(n):
        sex = rng.choice("MF")
        surname = rng.choice(SURNAMES)[0]
        middle = rng.choice(MIDDLE[sex])
        given = rng.choice(GIVEN[sex])
        kind = i % 5
        if kind == 0:
            q = f"{surname} {middle} {given}"  # full name
        elif kind == 1:
            q = f"{middle} {given}"  # without the surname
        elif kind == 2:
            q = f"{given}"  # a given name alone
        elif kind == 3:
            q = f"{'A' if sex == 'M' else 'Y'} {rng.choice(HIGHLAND_GIVEN)}"  # highland names
        else:
            q = f"{surname} {given[:3]}"  # partial typing
        out.append(fold(q))
    return out


def measure(user, qs_list: list[str]) -> list[float]:
    from people.services import search_page
    from people.views import visible_people

    times = []
    for q in qs_list:
        t = time.perf_counter()
        # Exactly what people.views.person_list runs for ?q=…
        page = search_page(visible_people(user).select_related("commune", "village"), q, 1)
        _ = page.paginator.count, [(p.full_name, p.commune.name, p.village.name if p.village else "") for p in page.object_list]
        times.append((time.perf_counter() - t) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already has enough people")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_search")
    args = parser.parse_args()
    setup(args.pg, args.people, args.reuse)
    from accounts.models import User
    from geo.models import AdministrativeUnit

    province = AdministrativeUnit.objects.get(path="/62/")
    commune = AdministrativeUnit.objects.get(path="/62/608/23281/")
    users = {
        "province (health_dept)": User.objects.get_or_create(username="bench_province", defaults={"role": "health_dept", "unit": province})[0],
        "commune (commune_health)": User.objects.get_or_create(username="bench_commune", defaults={"role": "commune_health", "unit": commune})[0],
    }
    rng = random.Random(7)
    qs_list = queries(args.queries, rng)
    print(f"{'user':<26}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for label, user in users.items():
        measure(user, qs_list[:20])  # warm the cache
        times = measure(user, qs_list)
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"{label:<26}{len(times):>8}{statistics.median(times):>11.1f}{p95:>9.1f}{max(times):>9.1f}")


if __name__ == "__main__":
    main()
