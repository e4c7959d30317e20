"""Benchmark: chains of transmission with 1,000,000 contacts on PostgreSQL.

    .venv/bin/python bench/contacts_chain.py [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_contacts]
        [--chains 5000] [--contacts-per-case 9] [--samples 300]

The database is dropped and re-created (a throw-away name). Set-up, not timed: migrations, Kon Tum's units,
300,000 people, `chains` chains of 21 cases each (a root and 2 cases in each of 10 generations below it, every case
infected by the first case of the generation above), and `contacts-per-case` open contacts per case, so that
5,000 chains give 105,000 cases and 1,045,000 contact rows (100,000 of them converted into cases).

Timed: fetching a whole 10-generation chain from its root, p50/p95/max over `samples` random chains:
  * chain_of(): the two recursive CTEs (down, up) and the edge and contact queries;
  * GET /api/chains/<case>/: the same through the API (scoping, serialisation, audit row), as a provincial health officer.
Goal (issue 4): p95 under 100 ms.
"""
import argparse
import json
import subprocess
import sys

from _setup import ROOT, child_env, create_database, setup_django


def child(n_chains: int, per_case: int, samples: int, reuse: bool = False) -> None:
    setup_django(migrate=True)  # on the DATABASE_URL main() gives
    import random
    import statistics
    import time

    from django.db import connection

    from accounts.models import User
    from cases.models import Case
    from contacts.chains import chain_of
    from contacts.models import Contact
    from geo.models import AdministrativeUnit

    t0 = time.perf_counter()
    rng = random.Random(2022)
    if not (reuse and Contact.objects.exists()):
        setup(n_chains, per_case, rng)
    roots = list(Case.objects.exclude(pk__in=Contact.objects.filter(converted_case__isnull=False).values("converted_case"))
                 .order_by("id").values_list("id", flat=True))
    total = Contact.objects.count()
    n_cases = Case.objects.count()
    setup_s = time.perf_counter() - t0

    picks = [rng.choice(roots) for _ in range(samples)]
    chain_of(picks[0])  # warm-up
    fn_times, sizes = [], []
    for r in picks:
        s = time.perf_counter()
        ch = chain_of(r)
        fn_times.append((time.perf_counter() - s) * 1000)
        sizes.append((len(ch.generations), max(ch.generations.values()), len(ch.contacts)))
    from django.test import Client

    # A provincial health officer (scoped, not a sysadmin): the realistic reader of a chain.
    admin = User.objects.filter(username="bench_reader").first() or User.objects.create_user(
        username="bench_reader", password="x", role="health_dept", unit=AdministrativeUnit.objects.get(path="/62/"))
    from accounts.services import create_token

    token = create_token(user=admin, name="bench")[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="localhost")
    api_times = []
    for r in picks:
        s = time.perf_counter()
        resp = client.get(f"/api/chains/{r}/")
        api_times.append((time.perf_counter() - s) * 1000)
        assert resp.status_code == 200, resp.content[:300]

    def stats(v):
        v = sorted(v)
        return {"p50": round(statistics.median(v), 1), "p95": round(v[int(0.95 * (len(v) - 1))], 1), "max": round(v[-1], 1)}

    print(json.dumps({"vendor": connection.vendor, "contacts": total, "cases": n_cases, "setup_s": round(setup_s, 1),
                      "chain": {"cases": sizes[0][0], "generations": sizes[0][1], "open_contacts": sizes[0][2]},
                      "chain_of_ms": stats(fn_times), "api_ms": stats(api_times)}))


def setup(n_chains: int, per_case: int, rng) -> None:
    import datetime as dt

    from django.db import connection

    from cases.models import Case
    from diseases.models import Disease
    from diseases.rules import rule_in_force
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level, Village
    from people.demo_generator import generate
    from people.models import Person

    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    Village.objects.bulk_create([Village(commune=c, name="Thôn 1", name_folded="thon 1", kind="thon") for c in communes])
    villages = {v.commune_id: [v] for v in Village.objects.all()}
    generate([(c, villages.get(c.pk, [])) for c in communes], 300_000, rng, dt.date(2022, 2, 14))
    people = list(Person.objects.order_by("id").values_list("id", "commune_id"))
    per_chain = 21
    n_cases = n_chains * per_chain
    covid = Disease.objects.get(code="covid19")
    day = dt.date(2022, 2, 1)
    Case.objects.bulk_create(
        [Case(person_id=people[i][0], commune_id=people[i][1], disease=covid, confirmed_on=day, test_kind="rt_pcr") for i in range(n_cases)],
        batch_size=5000,
    )
    case_ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    case_person = dict(Case.objects.values_list("id", "person_id"))
    rule = rule_in_force(kind="f1_quarantine", on=day)
    cols = ("person_id", "source_case_id", "generation", "setting", "place", "first_exposure_on", "last_exposure_on",
            "vaccination_source", "rule_set_id", "protected", "quarantine_days", "test_dates", "follow_up_end", "status",
            "converted_case_id", "note", "version", "created_at", "updated_at")
    now = "2022-02-01 08:00:00+07"
    end = day + dt.timedelta(days=28)
    others = [p for p, _ in people[n_cases:]]
    with connection.cursor() as cur, cur.copy(f"COPY contacts_contact ({', '.join(cols)}) FROM STDIN") as copy:
        for j in range(n_chains):
            base = case_ids[j * per_chain:(j + 1) * per_chain]
            gens = [[base[0]]] + [base[1 + 2 * g: 3 + 2 * g] for g in range(10)]
            for g in range(1, 11):
                parent = gens[g - 1][0]
                for child_case in gens[g]:
                    copy.write_row((case_person[child_case], parent, "F1", "household", "", day, day, "unknown", rule.pk, False, 14,
                                    "[]", end, "converted", child_case, "", 1, now, now))
            for c in base:
                for k in range(per_case):
                    copy.write_row((others[(c * per_case + k) % len(others)], c, "F1", "household", "", day, day, "unknown", rule.pk,
                                    False, 14, "[]", end, "following", None, "", 1, now, now))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_contacts")
    parser.add_argument("--chains", type=int, default=5000)
    parser.add_argument("--contacts-per-case", type=int, default=9)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it is already filled")
    args = parser.parse_args()
    if args.child:
        child(args.chains, args.contacts_per_case, args.samples, args.reuse)
        return
    create_database(args.pg, reuse=args.reuse)
    env = child_env(args.pg, ALLOWED_HOSTS="localhost,testserver")
    out = subprocess.run([sys.executable, __file__, "--child", "--chains", str(args.chains), "--contacts-per-case",
                          str(args.contacts_per_case), "--samples", str(args.samples)] + (["--reuse"] if args.reuse else []), env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed:\n{out.stderr[-3000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"PostgreSQL: {r['contacts']:,} contacts, {r['cases']:,} cases (set-up {r['setup_s']} s)")
    print(f"chain fetched: {r['chain']['cases']} cases over {r['chain']['generations']} generations + {r['chain']['open_contacts']} open contacts")
    for key, label in (("chain_of_ms", "chain_of()"), ("api_ms", "GET /api/chains/<id>/")):
        s = r[key]
        print(f"{label:<24} p50 {s['p50']:>7.1f} ms   p95 {s['p95']:>7.1f} ms   max {s['max']:>7.1f} ms")


if __name__ == "__main__":
    main()
