"""Benchmark: weekly epidemic-level assessment from raw cases and doses (issue #6).

Goals (PostgreSQL): a province (Kon Tum, 102 communes) under 0.5 s; the country before 2025 (~10,600 communes)
under 5 s. Prints figures; not a timed test.

    createdb -h 127.0.0.1 -U postgres phongdich_levels_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/phongdich_levels_bench .venv/bin/python bench/levels_assess.py [--people-per-commune 40]

The first run loads every pre-2025 unit and generates, per commune: population estimates, residents, cases
(community, quarantine and facility; some on oxygen, a few deaths) and one vaccination row per vaccinated person
(vaccination.PersonVaccination, what vaccination.services.coverage_for_levels reads). Later runs reuse the data.
Two coverage paths are timed: the per-unit contract function, and a bulk variant
(`coverage_for_levels_many`, one grouped query; see docs/levels.md) injected for comparison.
"""
import argparse
import datetime as dt
import random
import time

from _setup import setup_django

setup_django()  # on DATABASE_URL as given

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

WEEK = dt.date(2022, 2, 7)
BANDS = {"0-4": 0.08, "5-11": 0.12, "12-17": 0.1, "18-49": 0.45, "50-64": 0.17, "65+": 0.08}


def ensure_data(per_commune: int) -> None:
    from cases.models import Case
    from diseases.models import Disease
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, PopulationEstimate
    from people.models import Person
    from vaccination.models import PersonVaccination

    if AdministrativeUnit.objects.filter(structure="pre2025", level="commune").count() < 10_000:
        t = time.perf_counter()
        load_admin_units()
        print(f"units loaded in {time.perf_counter() - t:.1f}s")
    communes = list(AdministrativeUnit.objects.filter(structure="pre2025", level="commune").values_list("id", flat=True))
    if Person.objects.count() >= len(communes) * per_commune * 0.9:
        return
    rng = random.Random(6)
    t = time.perf_counter()
    PopulationEstimate.objects.all().delete()
    pops = []
    for cid in communes:
        total = rng.randint(3_000, 25_000)
        for band, share in BANDS.items():
            n = round(total * share)
            pops += [PopulationEstimate(unit_id=cid, year=2021, sex="M", age_band=band, population=n // 2),
                     PopulationEstimate(unit_id=cid, year=2021, sex="F", age_band=band, population=n - n // 2)]
    PopulationEstimate.objects.bulk_create(pops, batch_size=10_000)
    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    for start in range(0, len(communes), 500):
        chunk = communes[start:start + 500]
        people = [Person(commune_id=cid, full_name="Nguyễn Văn A", name_folded="nguyen van a", birth_year=rng.randint(1930, 2020),
                         sex=rng.choice("MF"), comorbidities=["tăng huyết áp"] if rng.random() < 0.1 else [])
                  for cid in chunk for _ in range(per_commune)]
        people = Person.objects.bulk_create(people, batch_size=5_000)
        # A weekly epidemic: a few hot communes, most with 0–2 cases.
        cases, vacc = [], []
        hot = {cid: rng.random() < 0.05 for cid in chunk}
        for p in people:
            if rng.random() < (0.25 if hot[p.commune_id] else 0.02):
                cases.append(Case(person=p, disease=disease, commune_id=p.commune_id, confirmed_on=WEEK + dt.timedelta(days=rng.randint(-7, 6)),
                                  test_kind="rt_pcr", detected_in=rng.choice(["community", "community", "quarantine", "facility"]),
                                  on_oxygen=rng.random() < 0.05, died_on=WEEK + dt.timedelta(days=3) if rng.random() < 0.005 else None))
            if rng.random() < 0.85 and p.birth_year <= 2009:
                first = dt.date(2021, 8, 1) + dt.timedelta(days=rng.randint(0, 120))
                vacc.append(PersonVaccination(person=p, commune_id=p.commune_id, birth_date=dt.date(p.birth_year, 7, 1), first_on=first,
                                              primary_done_on=first + dt.timedelta(days=28) if rng.random() < 0.9 else None, dose_count=2))
        Case.objects.bulk_create(cases, batch_size=5_000)
        PersonVaccination.objects.bulk_create(vacc, batch_size=5_000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"data generated in {time.perf_counter() - t:.1f}s: {Person.objects.count():,} people, {Case.objects.count():,} cases, "
          f"{PersonVaccination.objects.count():,} vaccinated")


def coverage_for_levels_many(units, on):
    """What a bulk coverage function in vaccination.services could look like: one grouped scan per call."""
    from collections import defaultdict

    from geo.models import AdministrativeUnit, PopulationEstimate

    targets = {u.path: u.id for u in units}
    provinces = sorted({"/" + p.strip("/").split("/")[0] + "/" for p in targets})
    likes = [p + "%" for p in provinces]
    commune_paths = dict(AdministrativeUnit.objects.filter(level="commune", structure="pre2025")
                         .extra(where=["path LIKE ANY(%s)"], params=[likes]).values_list("id", "path"))
    in_scope = "commune_id IN (SELECT id FROM geo_administrativeunit WHERE level = 'commune' AND path LIKE ANY(%s))"

    def anc(path):
        codes = path.strip("/").split("/")
        return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]

    adult_cut, elderly_cut = dt.date(on.year - 18, on.month, on.day), dt.date(on.year - 50, on.month, on.day)
    sql = """SELECT pv.commune_id,
                    COUNT(CASE WHEN birth_date <= %s THEN 1 END),
                    COUNT(CASE WHEN birth_date <= %s AND primary_done_on <= %s THEN 1 END),
                    COUNT(CASE WHEN primary_done_on <= %s THEN 1 END),
                    COUNT(CASE WHEN primary_done_on <= %s AND (p.comorbidities::text <> '[]' OR p.is_immunocompromised) THEN 1 END)
             FROM vaccination_personvaccination pv JOIN people_person p ON p.id = pv.person_id
             WHERE first_on <= %s AND pv.""" + in_scope + " GROUP BY 1"
    acc = defaultdict(lambda: [0] * 9)  # adult1, eld_full, full, hr_full, pop, adult_pop, eld_pop, hr_total
    with connection.cursor() as cur:
        cur.execute(sql, [adult_cut, elderly_cut, on, on, on, on, likes])
        for cid, a1, ef, full, hrf in cur.fetchall():
            for p in anc(commune_paths.get(cid, "/x/")):
                if p in targets:
                    x = acc[p]
                    x[0] += a1
                    x[1] += ef
                    x[2] += full
                    x[3] += hrf
        cur.execute("""SELECT commune_id, COUNT(*) FROM people_person WHERE (comorbidities::text <> '[]' OR is_immunocompromised)
                       AND """ + in_scope + " GROUP BY 1", [likes])
        for cid, n in cur.fetchall():
            for p in anc(commune_paths.get(cid, "/x/")):
                if p in targets:
                    acc[p][7] += n
    for r in PopulationEstimate.objects.filter(year=2021, unit_id__in=list(commune_paths)).values("unit_id", "age_band", "population"):
        for p in anc(commune_paths.get(r["unit_id"], "/x/")):
            if p in targets:
                x = acc[p]
                x[4] += r["population"]
                x[5] += r["population"] if r["age_band"] in ("18-49", "50-64", "65+") else 0
                x[6] += r["population"] if r["age_band"] in ("50-64", "65+") else 0
    out = {}
    for path, uid in targets.items():
        a1, ef, full, hrf, pop, apop, epop, hrt, _ = acc[path]
        out[uid] = {
            "adult_1dose_pct": round(100 * a1 / apop, 2) if apop else None,
            "age50_full_pct": round(100 * ef / epop, 2) if epop else None,
            "full_pct": round(100 * full / pop, 2) if pop else None,
            "high_risk_full_pct": round(100 * hrf / hrt, 2) if hrt else None,
        }
    return out


def timed(label, fn, repeat=3):
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best or 1e9, time.perf_counter() - t)
    levels = {}
    for a in out:
        levels[a.level] = levels.get(a.level, 0) + 1
    print(f"{label:<62} {best:7.3f}s   units={len(out):>6}  levels={dict(sorted(levels.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))}")
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people-per-commune", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-unit-country", action="store_true", help="also time the country with per-unit coverage (minutes)")
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    ensure_data(args.people_per_commune)

    import vaccination.services as vs
    from geo.models import AdministrativeUnit
    from levels import services

    now = timezone.now()
    kontum = AdministrativeUnit.objects.get(path="/62/")
    kt_communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level="commune"))
    all_communes = list(AdministrativeUnit.objects.filter(structure="pre2025", level="commune"))
    all_units = list(AdministrativeUnit.objects.filter(structure="pre2025"))
    print(f"communes: Kon Tum {len(kt_communes)}, country {len(all_communes)}; all pre-2025 units {len(all_units)}")

    had_many = hasattr(vs, "coverage_for_levels_many")
    print(f"-- coverage through vaccination.services.{'coverage_for_levels_many (bulk)' if had_many else 'coverage_for_levels (per unit)'}")
    kt = timed("Kon Tum: 102 communes", lambda: services.assess_units(kt_communes, WEEK, now=now), args.repeat)
    timed("Kon Tum: communes + 10 districts + province", lambda: services.assess_province(kontum, WEEK, now=now), args.repeat)
    if had_many or args.per_unit_country:
        timed("Country: all communes", lambda: services.assess_units(all_communes, WEEK, now=now), 1)
    else:
        print(f"{'Country: all communes (estimated from Kon Tum, per-unit coverage)':<62} {kt / len(kt_communes) * len(all_communes):7.1f}s")
    if not had_many:
        vs.coverage_for_levels_many = coverage_for_levels_many
        print("-- coverage through a bulk coverage_for_levels_many (one grouped scan), injected by this script")
        timed("Kon Tum: 102 communes", lambda: services.assess_units(kt_communes, WEEK, now=now), args.repeat)
        timed("Kon Tum: communes + 10 districts + province", lambda: services.assess_province(kontum, WEEK, now=now), args.repeat)
        timed("Country: all communes", lambda: services.assess_units(all_communes, WEEK, now=now), args.repeat)
        timed("Country: every commune, district and province", lambda: services.assess_units(all_units, WEEK, now=now), 1)
        del vs.coverage_for_levels_many


if __name__ == "__main__":
    main()
