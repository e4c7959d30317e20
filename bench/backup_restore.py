"""Benchmark: the time to restore the demo database (580,000 residents by default) from a `phongdich backup`.

    .venv/bin/python bench/backup_restore.py [--people 580000] [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_backup]
                                             [--reuse] [--jobs 1]

The shell-level drill, as a province would run it: `manage.py demo` builds the source database (not timed),
`manage.py backup` writes an encrypted archive, `manage.py restore` brings it into a second, empty database, then
the row count and md5 of every table are compared. Prints the archive size and the backup, restore and check
times. Both databases are throw-away names, dropped and re-created (--reuse keeps an already built source).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, child_env, create_database, setup_django


def manage(url: str, *args: str, **env: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=child_env(url, **env), check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=580_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_backup")
    parser.add_argument("--reuse", action="store_true", help="keep the source database if it exists")
    parser.add_argument("--jobs", type=int, default=1, help="pg_restore --jobs (1: one transaction)")
    opts = parser.parse_args()
    source, target = opts.pg, opts.pg + "_restored"

    if not create_database(source, reuse=opts.reuse):
        print(f"building the demo database ({opts.people:,} residents, not timed)...", flush=True)
        built = manage(source, "migrate", "--no-input", "-v0")
        built += manage(source, "load_admin_units")
        # work_mem for the build only: with the default 4 MB, the demo's vaccination-coverage query (an IN over
        # 580,000 ids) cannot use a hashed subplan and runs for hours on a fresh, unanalysed table.
        built += manage(source, "demo", "--people", str(opts.people), PGOPTIONS="-c work_mem=256MB")
        print(f"  built in {built:.0f} s")
    create_database(target)

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(source)
        from core import backup

        key = backup.generate_key()
        env = {"BACKUP_DIR": tmp, "BACKUP_ENCRYPTION_KEY": key, "BACKUP_COPY_TO": ""}
        t_backup = manage(source, "backup", "--no-media", **env)
        archive = next(Path(tmp).glob("phongdich-*.tar.enc"))
        t_restore = manage(source, "restore", str(archive), "--database-url", target, "--no-media", "--no-input",
                           "--jobs", str(opts.jobs), **env)
        size = archive.stat().st_size

        import dj_database_url

        start = time.perf_counter()
        a = backup.fingerprints(dj_database_url.parse(source))
        b = backup.fingerprints(dj_database_url.parse(target))
        t_check = time.perf_counter() - start
    people = a.get("people_person", (0, ""))[0]
    rows = sum(n for n, _ in a.values())
    print(f"PostgreSQL 15, {people:,} residents, {len(a)} tables, {rows:,} rows; archive {size / 2**20:.1f} MiB "
          f"(encrypted)")
    print(f"backup   {t_backup:8.1f} s")
    mode = f"--jobs={opts.jobs}" if opts.jobs > 1 else "one transaction"
    print(f"restore  {t_restore:8.1f} s   (pg_restore {mode})")
    print(f"check    {t_check:8.1f} s   every table equal: {a == b}")
    if a != b:
        sys.exit(1)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
