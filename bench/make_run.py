"""Benchmark: `make run` end to end on a fresh SQLite database — migrate, load the administrative units, build the demo
(both eras) — timed step by step, as a new user runs it. Goal: under 3 minutes with the default people count of
`make run` (Makefile PEOPLE).

    .venv/bin/python bench/make_run.py [--people 580000 ...] [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_run]

The installation step of `make run` (pip and npm packages) depends on the network and caches, not on phongdich: it is
not timed here (on a machine with warm caches it takes seconds: `make install` after the first). Wall time depends
on the machine's load: the script prints the CPU count and load average before and after, and the CPU seconds of
each step (user + system: the wall time of an idle machine, each step being single-threaded), so a figure taken on
a shared machine can be read for what it is. Each run is a subprocess with a fresh database.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from _setup import ROOT, child_env, create_database

STEPS = [
    ("migrate", ["manage.py", "migrate", "--no-input", "-v0"]),
    ("load_admin_units", ["manage.py", "load_admin_units"]),
]


def run(people: int, database_url: str) -> dict:
    env = child_env(database_url, DEBUG="1")
    out = {"people": people, "database": database_url.split(":", 1)[0], "steps": {}, "cpu_steps": {}}
    started = time.perf_counter()
    cpu_started = _children_cpu()
    for name, args in [*STEPS, ("demo", ["manage.py", "demo", "--if-empty", "--people", str(people)])]:
        t0, c0 = time.perf_counter(), _children_cpu()
        proc = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{name} failed:\n{proc.stderr[-3000:]}")
        out["steps"][name] = round(time.perf_counter() - t0, 1)
        out["cpu_steps"][name] = round(_children_cpu() - c0, 1)
        if name == "demo":
            out["demo_lines"] = [line for line in proc.stdout.splitlines() if "…" not in line][-90:]
    out["total_s"] = round(time.perf_counter() - started, 1)
    # CPU seconds (user + system) of the steps: what the wall time is on an idle machine (each step uses one core,
    # apart from PostgreSQL's own processes), whatever the load of a shared one.
    out["total_cpu_s"] = round(_children_cpu() - cpu_started, 1)
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[100_000])
    parser.add_argument("--pg", default=None, help="also on this PostgreSQL database (dropped and re-created)")
    parser.add_argument("--verbose", action="store_true", help="print the demo's own lines (per-app figures)")
    args = parser.parse_args()
    print(json.dumps({"cpus": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()]}))
    for people in args.people:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(people, f"sqlite:///{tmp}/run.sqlite3")
        lines = result.pop("demo_lines")
        print(json.dumps({**result, "load_after": [round(x, 2) for x in os.getloadavg()], "goal_s": 180,
                          "ok_wall": result["total_s"] < 180, "ok_cpu": result["total_cpu_s"] < 180}))
        if args.verbose:
            print("\n".join(lines))
        if args.pg:
            create_database(args.pg)
            result = run(people, args.pg)
            result.pop("demo_lines")
            print(json.dumps({**result, "load_after": [round(x, 2) for x in os.getloadavg()]}))


if __name__ == "__main__":
    main()
