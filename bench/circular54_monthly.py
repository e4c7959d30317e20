"""Benchmark: the Circular 54 monthly report of the province (figures per commune and disease with the year to date,
PDF and XLSX, archived) and the timeliness of its reporting units, on the database of bench/dashboard.py (3 diseases,
2 years, 200,000 cases). Goal: under 2 s.

    .venv/bin/python bench/circular54_monthly.py [--runs 3] [--reuse] [--pg postgres://…/circ54_bench_dashboard]
"""
import argparse
import datetime as dt
import statistics
import time

import dashboard as base


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/circ54_bench_dashboard")
    ap.add_argument("--people", type=int, default=220_000)
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    base.ensure(args)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from geo.models import AdministrativeUnit
    from reports import circular54, services

    prov = AdministrativeUnit.objects.get(path="/62/")
    month = dt.date(2025, 11, 1)
    full, figures, timely, cpu = [], [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            data = circular54.build("monthly", prov, *circular54.period_bounds("monthly", month))
        figures.append(time.perf_counter() - t0)
        t0, c0 = time.perf_counter(), time.process_time()
        report = services.generate_circular54(kind="monthly", unit=prov, anchor=month)
        full.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        t0 = time.perf_counter()
        state = circular54.timeliness("monthly", prov, *circular54.period_bounds("monthly", month))
        timely.append(time.perf_counter() - t0)
    totals = {d["code"]: (data["totals"][d["code"]]["cases"], data["totals"][d["code"]]["cases_ytd"]) for d in data["diseases"]}
    print(f"monthly report 11/2025, {len(data['rows'])} communes × {len(data['diseases'])} diseases; cases (month, year to date): {totals}")
    print(f"figures only: median {statistics.median(figures) * 1000:.0f} ms ({len(q)} queries); "
          f"full report (figures + PDF + XLSX, archived): median {statistics.median(full):.2f} s, max {max(full):.2f} s "
          f"(Python CPU {statistics.median(cpu):.2f} s); goal < 2 s")
    import os

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"timeliness of {len(state['rows'])} units: median {statistics.median(timely) * 1000:.0f} ms; "
          f"on time {state['counts']['on_time']}, late {state['counts']['late']}, missing {state['counts']['missing']}; "
          f"cases reported late {state['cases_late']:,}")
    print(f"files: {report.pdf.size:,} B PDF, {report.xlsx.size:,} B XLSX")


if __name__ == "__main__":
    main()
