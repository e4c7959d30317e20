"""Benchmark: parse the five seed directives; precision and recall against the hand-made answer file; ms per seed.

    .venv/bin/python bench/directives_parse.py [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_directives] [--runs 20]

Uses a PostgreSQL database of its own (migrated, with Kon Tum's units so that "Ủy ban nhân dân các huyện,
thành phố" fans out to the ten districts). Assignees are scored as (task ref, agency) pairs; deadlines as
(task ref, date) pairs plus (task ref, recurrence) pairs, against tests/directives/fixtures/answers.json.
"""
import argparse
import json
import statistics
import time

from _setup import ROOT, create_database, setup_django

FIXTURES = ROOT / "tests" / "directives" / "fixtures"


def setup(url: str) -> None:
    create_database(url, reuse=True)  # kept between runs: only its units are needed
    setup_django(url, migrate=True)
    from geo.models import AdministrativeUnit

    if not AdministrativeUnit.objects.filter(path="/62/").exists():
        from geo.loader import load_admin_units

        load_admin_units({"62"})


def score(got: set, expected: set) -> tuple[int, int, int]:
    return len(got & expected), len(got), len(expected)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_directives")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    setup(args.pg)
    from directives.catalog import catalog_from_db
    from directives.parser import parse

    answers = json.loads((FIXTURES / "answers.json").read_text(encoding="utf-8"))
    totals = {"assignees": [0, 0, 0], "deadlines": [0, 0, 0]}
    print(f"{'seed':28} {'tasks':>5} {'ms (median)':>12} {'assignee P/R':>14} {'deadline P/R':>14}")
    for name, expected in answers.items():
        text = (FIXTURES / name).read_text(encoding="utf-8")
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            catalog = catalog_from_db()  # as the command does: the agency list is read for every parse
            got = parse(text, catalog)
            times.append((time.perf_counter() - t0) * 1000)

        def expand(names, catalog=catalog):
            out = set()
            for n in names:
                out |= set(catalog.group(n[1:])) if n.startswith("@") else {n}
            return out

        ga = {(t["ref"], a) for t in got["tasks"] for a in t["assignees"]}
        ea = {(t["ref"], a) for t in expected["tasks"] for a in expand(t["assignees"])}
        gd = {(t["ref"], t["deadline"]) for t in got["tasks"] if t["deadline"]} | {
            (t["ref"], json.dumps(t["recurrence"], sort_keys=True)) for t in got["tasks"] if t["recurrence"]}
        ed = {(t["ref"], t["deadline"]) for t in expected["tasks"] if t["deadline"]} | {
            (t["ref"], json.dumps(t["recurrence"], sort_keys=True)) for t in expected["tasks"] if t["recurrence"]}
        rows = {}
        for key, g, e in (("assignees", ga, ea), ("deadlines", gd, ed)):
            tp, ng, ne = score(g, e)
            for i, v in enumerate((tp, ng, ne)):
                totals[key][i] += v
            rows[key] = f"{tp / ng if ng else 1:.2f}/{tp / ne if ne else 1:.2f}"
        print(f"{name:28} {len(got['tasks']):>5} {statistics.median(times):>12.1f} {rows['assignees']:>14} {rows['deadlines']:>14}")
    for key, (tp, ng, ne) in totals.items():
        print(f"{key}: precision {tp / ng if ng else 1:.3f} ({tp}/{ng}), recall {tp / ne if ne else 1:.3f} ({tp}/{ne})")


if __name__ == "__main__":
    main()
