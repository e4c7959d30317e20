"""Peak memory of a people import of 1,000,000 generated rows (issue #11; goal: under 500 MB), and its time.

The file is generated to disk first (streamed, by this process); the import then runs in a child process the way
the web page runs it: a core.ImportBatch of kind "people", run by core.batches.run_batch as the console operator's
stand-in (a province-wide user), "valid rows only". The child's peak resident memory (ru_maxrss) is printed with the
time and the batch's counts.

    .venv/bin/python bench/people_import_memory.py [--rows 1000000] [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_mem]

The database is dropped and re-created (it must be a throw-away name).
"""
import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, child_env, create_database, setup_django

WORDS = ["An", "Bình", "Cúc", "Dũng", "Em", "Giang", "Hà", "Khoa", "Lan", "Minh", "Nga", "Oanh", "Phúc", "Quế", "Sơn", "Thủy", "Uyên", "Vinh", "Xuân", "Yến"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Y", "A", "Đinh", "Võ", "Hồ"]


def write_people_csv(path: Path, codes: list[str], n: int, rng: random.Random) -> None:
    """N people over the given communes, 1 % bad rows, written line by line (never whole in memory)."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Họ tên,Ngày sinh,Năm sinh,Giới tính,CCCD/CMND,Điện thoại,Dân tộc,Nghề nghiệp,Mã xã,Tên thôn\n")
        for i in range(n):
            sex = rng.choice("MF")
            year = rng.randint(1935, 2021)
            dob = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}" if rng.random() < 0.8 else ""
            century = (year // 100 - 19) * 2 + (1 if sex == "F" else 0)
            cccd = f"062{century}{year % 100:02d}{i:06d}" if year < 2010 and rng.random() < 0.7 else ""
            name = f"{rng.choice(FAMILY)} {rng.choice(WORDS)} {WORDS[i % 20]} {WORDS[(i // 20) % 20]} {WORDS[(i // 400) % 20]} {WORDS[(i // 8000) % 20]}"
            phone = f"09{rng.choice('01346789')}{rng.randint(1000000, 9999999)}" if rng.random() < 0.5 else ""
            if i % 100 == 7:
                dob = "31/02/1990"  # 1 % bad rows
            out.write(",".join([name, dob, "" if dob else str(year), "Nam" if sex == "M" else "Nữ", cccd, phone,
                                rng.choice(["Kinh", "Xơ Đăng", "Ba Na", "Gia Rai"]), rng.choice(["Nông dân", "Học sinh", ""]),
                                rng.choice(codes), "Thôn 1"]) + "\n")


def child(path: str) -> None:
    setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: F401  (the page's upload type)

    from accounts.models import User
    from core.batches import run_batch
    from core.models import ImportBatch
    from geo.models import AdministrativeUnit

    user = User.objects.create_user(username="so_y_te_bench", password="x", role="health_dept",
                                    unit=AdministrativeUnit.objects.get(path="/62/"), full_name="Bench")
    batch = ImportBatch.objects.create(kind="people", file_name="people.csv", file_path=path, created_by=user,
                                       options={"mode": "valid_only"})
    t = time.perf_counter()
    run_batch(batch_id=batch.pk)
    took = time.perf_counter() - t
    batch.refresh_from_db()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"status": batch.status, "rows": batch.rows_total, "imported": batch.imported, "errors": batch.error_count,
                      "skipped": batch.skipped_duplicates, "seconds": round(took, 1), "peak_mb": round(peak_mb)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_mem")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    create_database(args.pg)
    setup_django(args.pg, migrate=True)
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level, Village

    load_admin_units({"62"})
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE, structure="pre2025"))
    Village.objects.bulk_create([Village(commune=c, name="Thôn 1", name_folded="thon 1") for c in communes])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        t = time.perf_counter()
        write_people_csv(path, [c.code for c in communes], args.rows, random.Random(2022))
        print(f"file: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB, written in {time.perf_counter() - t:.0f} s", flush=True)
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], env=child_env(args.pg), cwd=ROOT,
                             capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"import failed:\n{out.stderr[-3000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"people import of {r['rows']:,} rows ({r['status']}): {r['seconds']} s, {r['rows'] / r['seconds']:,.0f} rows/s; "
          f"imported {r['imported']:,}, bad {r['errors']:,}, duplicates {r['skipped']:,}")
    print(f"peak memory of the importing process: {r['peak_mb']:,} MB (goal: under 500 MB)")


if __name__ == "__main__":
    main()
