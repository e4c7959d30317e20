"""Benchmark of the foundation imports on PostgreSQL (issue #2): people import (CSV, bulk) and population roll-ups.

  1. people import: a CSV of N people (default 20,000) over Kon Tum's 102 communes, 1 % bad rows, imported with
     "valid rows only" as the console operator; then the same file again (every row already registered).
  2. population(province, year): median of 20 calls over 102 communes × 12 estimates, and with --demo-size
     estimates for 10 years.

    .venv/bin/python bench/geo_imports.py [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_geo] [--people 20000]

The database is dropped and re-created (it must be a throw-away name).
"""
import argparse
import random
import statistics
import time

from _setup import create_database, setup_django

WORDS = ["An", "Bình", "Cúc", "Dũng", "Em", "Giang", "Hà", "Khoa", "Lan", "Minh", "Nga", "Oanh", "Phúc", "Quế", "Sơn", "Thủy", "Uyên", "Vinh", "Xuân", "Yến"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Y", "A", "Đinh", "Võ", "Hồ"]


def people_csv(communes, n: int, rng: random.Random) -> bytes:
    lines = ["Họ tên,Ngày sinh,Năm sinh,Giới tính,CCCD/CMND,Điện thoại,Dân tộc,Mã xã,Tên thôn"]
    for i in range(n):
        sex = rng.choice("MF")
        year = rng.randint(1935, 2021)
        dob = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}" if rng.random() < 0.8 else ""
        century = (year // 100 - 19) * 2 + (1 if sex == "F" else 0)
        cccd = f"062{century}{year % 100:02d}{i:06d}" if year < 2010 and rng.random() < 0.7 else ""
        name = f"{rng.choice(FAMILY)} {rng.choice(WORDS)} {WORDS[i % 20]} {WORDS[(i // 20) % 20]} {WORDS[(i // 400) % 20]}"
        phone = f"09{rng.randint(10000000, 99999999)}" if rng.random() < 0.5 else ""
        commune = rng.choice(communes)
        if i % 100 == 7:
            dob = "31/02/1990"  # 1 % bad rows
        lines.append(",".join([name, dob, "" if dob else str(year), "Nam" if sex == "M" else "Nữ", cccd, phone,
                               rng.choice(["Kinh", "Xơ Đăng", "Ba Na", "Gia Rai"]), commune.code, "Thôn 1"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_geo")
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    create_database(args.pg)
    setup_django(args.pg)
    from django.core.management import call_command

    from geo.importers import Operator, PopulationImporter
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level, Village
    from geo.services import population
    from people.importers import PersonImporter
    from people.models import Person

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    load_admin_units()
    print(f"0. load_admin_units (all Vietnam, both structures): {time.perf_counter() - t:6.2f} s", flush=True)
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    Village.objects.bulk_create([Village(commune=c, name="Thôn 1", name_folded="thon 1") for c in communes])
    rng = random.Random(2022)
    data = people_csv(communes, args.people, rng)
    print(f"   file: {args.people:,} people, {len(data) / 1e6:.1f} MB", flush=True)

    t = time.perf_counter()
    importer = PersonImporter(by=Operator(), mode="valid_only")
    result = importer.run(data, "people.csv")
    took = time.perf_counter() - t
    print(f"1. people import:       {took:6.2f} s  ({args.people / took:,.0f} rows/s) imported {result.imported:,}, "
          f"bad {len(result.errors):,}, duplicates reported {len(importer.skipped):,}", flush=True)
    t = time.perf_counter()
    again = PersonImporter(by=Operator(), mode="valid_only")
    result = again.run(data, "people.csv")
    took = time.perf_counter() - t
    print(f"   same file again:     {took:6.2f} s  imported {result.imported}, reported as registered/duplicates {len(again.skipped):,}"
          f" (people in DB: {Person.objects.count():,})", flush=True)

    lines = ["mã xã,năm,giới tính,nhóm tuổi,dân số"]
    for year in range(2012, 2022):
        for c in communes:
            for sex in ("Nam", "Nữ"):
                for band in ("0-4", "5-11", "12-17", "18-49", "50-64", "65+"):
                    lines.append(f"{c.code},{year},{sex},{band},{rng.randint(50, 3000)}")
    pop = ("\n".join(lines) + "\n").encode()
    t = time.perf_counter()
    r = PopulationImporter(by=Operator()).run(pop, "pop.csv")
    took = time.perf_counter() - t
    print(f"2. population import:   {took:6.2f} s  ({r.imported / took:,.0f} rows/s) {r.imported:,} estimates", flush=True)
    province = AdministrativeUnit.objects.get(path="/62/")
    for label, kwargs in (("province total", {}), ("province, 0-4 + 5-11, women", {"age_bands": ["0-4", "5-11"], "sex": "F"})):
        times = []
        for _ in range(20):
            t = time.perf_counter()
            population(province, 2021, **kwargs)
            times.append(time.perf_counter() - t)
        print(f"   population({label}): {statistics.median(times) * 1000:.1f} ms median of 20", flush=True)


if __name__ == "__main__":
    main()
