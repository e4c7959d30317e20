"""Benchmark: importing 100,000 lab results (CSV) on PostgreSQL.

    .venv/bin/python bench/testing_import.py [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_testing] [--rows 100000]

The database is dropped and re-created (a throw-away name). Set-up, not timed: migrations, Kon Tum's units,
`rows` people and one pending RT-PCR sample each. Timed: `LabResultImporter.run()` on a CSV with one result per
sample (dd/mm/yyyy dates, Vietnamese results, CT values with a decimal comma for the positives): reading, checking
every row, looking the samples up in bulk, and the all-or-nothing update with its audit row.
Also timed: the same file with one unknown sample ID at the end (every row checked, nothing saved).
Goal (issue 4): under 20 s for 100,000 rows.
"""
import argparse
import json
import subprocess
import sys

from _setup import ROOT, child_env, create_database, setup_django


def child(rows: int) -> None:
    setup_django(migrate=True)  # on the DATABASE_URL main() gives
    import datetime as dt
    import random
    import time

    from django.db import connection

    from accounts.models import User
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level, Village
    from people.demo_generator import generate
    from people.models import Person
    from testing.imports import LabResultImporter
    from testing.models import Result, Test

    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    rng = random.Random(2022)
    Village.objects.bulk_create([Village(commune=c, name="Thôn 1", name_folded="thon 1", kind="thon") for c in communes])
    villages = {v.commune_id: [v] for v in Village.objects.all()}
    generate([(c, villages.get(c.pk, [])) for c in communes], rows, rng, dt.date(2022, 2, 14))
    taken = dt.date(2022, 2, 10)
    now = "2022-02-10 08:00:00+07"
    people = list(Person.objects.order_by("id").values_list("id", flat=True))
    cols = ("person_id", "kind", "sample_code", "taken_on", "result", "reason", "version", "created_at", "updated_at")
    with connection.cursor() as cur, cur.copy(f"COPY testing_test ({', '.join(cols)}) FROM STDIN") as copy:
        for i, pid in enumerate(people):
            copy.write_row((pid, "rt_pcr", f"KT22-{i:07d}", taken, "pending", "", 1, now, now))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    lines = ["Mã mẫu,Ngày lấy mẫu,Ngày trả kết quả,Kết quả,CT"]
    for i in range(len(people)):
        positive = rng.random() < 0.05
        ct = '"' + f"{rng.uniform(15, 35):.1f}".replace(".", ",") + '"' if positive else ""
        lines.append(f"KT22-{i:07d},10/02/2022,11/02/2022,{'Dương tính' if positive else 'Âm tính'},{ct}")
    data = ("\n".join(lines) + "\n").encode()
    bad = data + b"KT22-XXXXXXX,10/02/2022,11/02/2022,Am tinh,\n"
    lab = User.objects.create_user(username="bench_lab", password="x", role="lab", unit=AdministrativeUnit.objects.get(path="/62/"))

    s = time.perf_counter()
    refused = LabResultImporter(by=lab).run(bad, "ketqua.csv")
    refused_s = time.perf_counter() - s
    assert not refused.saved and len(refused.errors) == 1 and not Test.objects.exclude(result=Result.PENDING).exists()

    s = time.perf_counter()
    result = LabResultImporter(by=lab).run(data, "ketqua.csv")
    elapsed = time.perf_counter() - s
    assert result.saved and result.imported == len(people), result.as_dict()
    assert not Test.objects.filter(result=Result.PENDING).exists()
    print(json.dumps({"vendor": connection.vendor, "rows": len(people), "seconds": round(elapsed, 2),
                      "rows_per_s": round(len(people) / elapsed), "refused_seconds": round(refused_s, 2),
                      "positives": Test.objects.filter(result=Result.POSITIVE).count()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_testing")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.rows)
        return
    create_database(args.pg)
    env = child_env(args.pg)
    out = subprocess.run([sys.executable, __file__, "--child", "--rows", str(args.rows)], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed:\n{out.stderr[-3000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"PostgreSQL: {r['rows']:,} lab results imported in {r['seconds']} s ({r['rows_per_s']:,} rows/s), "
          f"{r['positives']:,} positive; the same file with one unknown sample ID refused in {r['refused_seconds']} s")


if __name__ == "__main__":
    main()
