"""Benchmark of the one rule base (issue #13 §1): the cost of `diseases.rules.in_force` for a RuleSet kind and for
the kinds kept in other apps' models (schedules, dose policies, level criteria), first read (one query) and cached,
against the direct query each app ran before (schedules of a product, the national criteria version).

    .venv/bin/python bench/rule_lookup.py --pg postgres://postgres@127.0.0.1:5432/phongdich_bench_rules [--days 1500]

The database is dropped and re-created (a throw-away name) and migrated. Prints µs per lookup (median of 3 runs).
"""
import argparse
import datetime as dt
import statistics
import time

from _setup import create_database, setup_django


def timed(fn, days) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for d in days:
            fn(d)
        runs.append((time.perf_counter() - start) / len(days) * 1e6)
    return statistics.median(runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_rules")
    parser.add_argument("--days", type=int, default=1500)
    args = parser.parse_args()
    create_database(args.pg)
    setup_django(args.pg, migrate=True)
    from django.db.models import Q

    from diseases import packs, rules
    from levels.models import CriteriaVersion
    from vaccination.models import Product, Schedule

    packs.install_missing("measles")
    first = dt.date(2021, 11, 1)  # the first day every kind below has a version
    days = [first + dt.timedelta(days=i) for i in range(args.days)]
    comirnaty = Product.objects.get(code="comirnaty")

    def uncached(fn):
        def run(d):
            rules.clear_local()
            return fn(d)
        return run

    def old_schedule(d):  # vaccination.services before the rule base
        return next((s for s in Schedule.objects.filter(product=comirnaty, valid_from__lte=d)
                     .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=d)).order_by("-valid_from") if s.covers_age(30)), None)

    def old_criteria(d):  # levels.rules before the rule base
        vs = [v for v in CriteriaVersion.objects.filter(valid_from__lte=d).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=d))
              .select_related("province") if not v.province_id]
        return max(vs, key=lambda v: v.valid_from)

    cases = {
        "release (RuleSet)": lambda d: rules.in_force("covid19", "release", d),
        "vaccination_schedule (Schedule, product + age)": lambda d: rules.in_force("covid19", "vaccination_schedule", d, product=comirnaty, age=30),
        "dose_policy (DosePolicy)": lambda d: rules.in_force("covid19", "dose_policy", d),
        "level_criteria (CriteriaVersion)": lambda d: rules.in_force("covid19", "level_criteria", d),
    }
    print(f"{len(days)} days from {first:%d/%m/%Y}; µs per lookup (median of 3 runs)")
    print(f"{'kind':50} {'first read':>11} {'cached':>9}")
    for name, fn in cases.items():
        rules.clear_local()
        cold = timed(uncached(fn), days)
        rules.clear_local()
        for d in days:
            fn(d)  # fill the cache
        warm = timed(fn, days)
        print(f"{name:50} {cold:11.0f} {warm:9.1f}")
    print(f"{'before: schedules of a product (direct query)':50} {timed(old_schedule, days):11.0f}")
    print(f"{'before: national criteria version (direct query)':50} {timed(old_criteria, days):11.0f}")


if __name__ == "__main__":
    main()
