"""Benchmark: generate the daily situation report (data + DOCX + PDF + XLSX) for a province with 30,000 cases
and 1,500,000 doses. Goal: under 10 s.

    .venv/bin/python bench/reports_daily.py [--people 600000] [--cases 30000] [--doses 1500000] [--runs 3] [--reuse]
        [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_reports]

Builds a throw-away PostgreSQL database: Kon Tum's units, `--people` residents (people.demo_generator), `--cases`
cases spread over the 90 days before 14/02/2022 (community / quarantine / facility; home / centralised / hospital;
some recovered, a few deaths), vaccination summary rows (vaccination.PersonVaccination, the table coverage reads)
carrying `--doses` doses in all, population estimates per commune and age band, and the seeds 002 and 004 confirmed
as tasks (so the overdue-task section is filled). Then times services.generate_report(14/02/2022).
"""
import argparse
import datetime as dt
import random
import statistics
import time

from _setup import ROOT, create_database, setup_django

DAY = dt.date(2022, 2, 14)


def setup(url: str, reuse: bool) -> bool:
    kept = create_database(url, reuse=reuse)
    setup_django(url, migrate=True)
    return kept


def build(people: int, cases: int, doses: int) -> None:

    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level, Village
    from people.demo_generator import generate
    from people.models import Person

    rng = random.Random(2022)
    t0 = time.perf_counter()
    if Person.objects.exists():  # resume an interrupted build
        return build_rest(cases, doses, rng, t0)
    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    Village.objects.bulk_create([Village(commune=c, name=f"Thôn {i}", name_folded=f"thon {i}", kind="thon")
                                 for c in communes for i in range(1, rng.randint(5, 14) + 1)], ignore_conflicts=True)
    villages: dict[int, list] = {}
    for v in Village.objects.filter(commune__in=communes):
        villages.setdefault(v.commune_id, []).append(v)
    generate([(c, villages.get(c.pk, [])) for c in communes], people, rng, DAY)
    print(f"  {people:,} people in {time.perf_counter() - t0:.0f}s")
    build_rest(cases, doses, rng, t0)


def build_rest(cases: int, doses: int, rng, t0) -> None:
    from django.db import connection

    from geo.models import AGE_BAND_BOUNDS, AdministrativeUnit, Level, PopulationEstimate

    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    # Population estimates (denominators of coverage).
    PopulationEstimate.objects.bulk_create([
        PopulationEstimate(unit=c, year=2021, sex="", age_band=band, population=rng.randint(300, 1500))
        for c in communes for band in AGE_BAND_BOUNDS], ignore_conflicts=True)
    # Cases.
    from cases.models import Case
    from diseases.models import Disease

    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    Case.objects.all().delete()
    ids = list(connection.cursor().execute("SELECT id, commune_id FROM people_person ORDER BY id LIMIT %s", [cases]).fetchall())
    rows = []
    for pid, commune_id in ids:
        confirmed = DAY - dt.timedelta(days=rng.randint(0, 90))
        age = (DAY - confirmed).days
        status = "recovered" if age > 10 and rng.random() < 0.95 else "active"
        died = rng.random() < 0.002
        rows.append(Case(person_id=pid, disease=disease, commune_id=commune_id, confirmed_on=confirmed, test_kind="rt_pcr",
                         detected_in=rng.choices(["community", "quarantine", "facility"], [6, 3, 1])[0],
                         care_setting=rng.choices(["home", "centralised", "hospital"], [8, 1.5, 0.5])[0],
                         status="died" if died else status, died_on=confirmed + dt.timedelta(days=7) if died else None,
                         released_on=confirmed + dt.timedelta(days=10) if status == "recovered" and not died else None))
    Case.objects.bulk_create(rows, batch_size=5000)
    # Vaccination summary: `doses` doses over the people (primary series of 2, boosters for some).
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM people_person WHERE birth_year <= 2016")
        eligible = cur.fetchone()[0]
        # Primary series (2 doses) for everyone aged 5+, a booster for the share that brings the total to `doses`.
        vaccinated = min(eligible, doses // 2)
        booster_pct = max(0, min(100, round(100 * (doses - 2 * vaccinated) / max(1, vaccinated))))
        cur.execute("""
            INSERT INTO vaccination_personvaccination (person_id, commune_id, birth_date, first_on, primary_done_on,
                   additional_on, booster1_on, last_on, dose_count)
            SELECT id, commune_id, COALESCE(date_of_birth, make_date(birth_year, 7, 1)),
                   DATE '2021-08-01' + (id %% 90)::int, DATE '2021-10-01' + (id %% 90)::int, NULL,
                   CASE WHEN id %% 100 < %s THEN DATE '2022-01-05' + (id %% 30)::int END,
                   DATE '2022-01-05', CASE WHEN id %% 100 < %s THEN 3 ELSE 2 END
            FROM people_person WHERE birth_year <= 2016 ORDER BY id LIMIT %s
            ON CONFLICT DO NOTHING""", [booster_pct, booster_pct, vaccinated])
        cur.execute("SELECT COALESCE(SUM(dose_count), 0) FROM vaccination_personvaccination")
        print(f"  doses in the summary: {cur.fetchone()[0]:,}")
    # Tasks.
    from accounts.models import User
    from directives import services as ds

    by = User.objects.filter(username="bench").first() or User.objects.create_user("bench", role="health_dept")
    from directives.models import Directive

    for name in ("002_31f813e9783ca74b.txt", "004_41ec98a499ff9dc3.txt")[: 2 - min(2, Directive.objects.count())]:
        d = ds.register_directive(by=by, text=(ROOT / "directives" / "demo_data" / name).read_text(encoding="utf-8"))
        ds.confirm_directive(d, by=by, tasks=[{**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None}
                                              for t in d.parsed["tasks"]])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - t0:.0f}s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_reports")
    ap.add_argument("--people", type=int, default=600_000)
    ap.add_argument("--cases", type=int, default=30_000)
    ap.add_argument("--doses", type=int, default=1_500_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    setup(args.pg, args.reuse)
    from vaccination.models import PersonVaccination

    if not PersonVaccination.objects.exists():
        build(args.people, args.cases, args.doses)
    from cases.models import Case
    from reports import builder, render, services
    from reports.models import ReportSetup, SituationReport

    print(f"cases: {Case.objects.count():,}")
    times, parts = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        data = builder.build(DAY)
        t1 = time.perf_counter()
        report = services.generate_report(DAY)
        times.append(time.perf_counter() - t0 - (t1 - t0))
        parts.append(t1 - t0)
    setup_row = ReportSetup.current()
    r = SituationReport.objects.order_by("-pk").first()
    t0 = time.perf_counter()
    render.to_pdf(r, setup_row)
    pdf_s = time.perf_counter() - t0
    print(f"data only: median {statistics.median(parts):.2f}s; full report (data + DOCX + PDF + XLSX, archived): "
          f"median {statistics.median(times):.2f}s, max {max(times):.2f}s (PDF alone {pdf_s:.2f}s); goal < 10 s")
    s = data["sections"]
    print(f"sections: {sorted(s)}; new cases {s['cases']['new']['total']}, cumulative {s['cases']['cumulative']:,}, "
          f"overdue tasks {s['tasks']['overdue_count']}, unavailable {data['unavailable']}")
    print(f"last report: {report.number}, {r.docx.size:,} B DOCX, {r.pdf.size:,} B PDF, {r.xlsx.size:,} B XLSX")


if __name__ == "__main__":
    main()
