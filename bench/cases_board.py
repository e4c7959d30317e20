"""Benchmark of the F0 capability on PostgreSQL (issue #3):

  1. the "nobody left unreachable" board with 30,000 active home cases and two checks a day for 14 days
     (840,000 checks): p50/p95 render time for the province (leadership, grouped by district) and for one commune
     (commune health station, grouped by team). Goals: 300 ms and 50 ms at p95.
  2. sustained check submissions over HTTP: gunicorn (2 workers × 4 threads) serving POST /api/cases/{id}/checks/,
     driven by a multi-process http.client keep-alive client (new idempotency keys each run); checks/s, p50/p95 latency and CPU per check (server, clients) over a fixed duration. Goal: ≥ 200 checks/s on 2 cores.

    .venv/bin/python bench/cases_board.py --pg postgres://postgres@127.0.0.1:5432/phongdich_bench_cases [--cases 30000] [--days 14]
        [--seconds 20] [--clients 8] [--workers 2 --threads 4] [--http-only] [--keep]

The database is dropped and re-created (it must be a throw-away name) unless --keep reuses one already filled.
Data loading is not timed. Needs gunicorn in the virtualenv (pip install gunicorn).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


BENCH_ENV = {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret-" + "x" * 30, "ALLOWED_HOSTS": "127.0.0.1,testserver",
             "SECURE_SSL_REDIRECT": "0", "DB_CONN_MAX_AGE": "60"}


def setup_django(url: str) -> None:
    """Production-like settings (DEBUG off) for the timings."""
    os.environ["DATABASE_URL"] = url
    os.environ.update(BENCH_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic in a bench checkout: plain static storage instead of the manifest one.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def fill(n_cases: int, n_days: int) -> None:
    import datetime as dt
    import random

    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from cases.models import Alert, Case, Check
    from core.text import fold
    from diseases.models import Disease
    from diseases.rules import rule_in_force
    from facilities.models import Facility, Team
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit, Level
    from people.models import Person

    if Case.objects.count() >= n_cases:
        return
    load_admin_units({"62"})
    rng = random.Random(3)
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
    teams = {}
    for c in communes:
        st = Facility.objects.create(name=f"Trạm Y tế {c.name}", kind="commune_health_station", unit=c)
        teams[c.pk] = (st, Team.objects.create(name=f"Tổ chăm sóc F0 {c.name}", kind="care_team", commune=c, facility=st))
    people = [Person(full_name=f"Người Bệnh {i}", name_folded=fold(f"Người Bệnh {i}"), birth_year=rng.randint(1940, 2015),
                     sex=rng.choice("MF"), commune=rng.choice(communes)) for i in range(n_cases)]
    Person.objects.bulk_create(people, batch_size=5000)
    covid = Disease.objects.get(code="covid19")
    now = timezone.now()
    today = timezone.localdate()
    cases = []
    for p in Person.objects.all().only("id", "commune_id"):
        st, team = teams[p.commune_id]
        confirmed = today - dt.timedelta(days=rng.randint(0, n_days - 1))
        cases.append(Case(person_id=p.pk, disease=covid, commune_id=p.commune_id, confirmed_on=confirmed, test_kind="rapid_antigen",
                          team=team if rng.random() < 0.95 else None, station=st, release_due_on=confirmed + dt.timedelta(days=7),
                          last_check_at=now - dt.timedelta(hours=rng.choice([1, 5, 9, 13])),
                          first_medicine_at=now - dt.timedelta(hours=20) if rng.random() < 0.97 else None))
    Case.objects.bulk_create(cases, batch_size=5000)
    rule = rule_in_force(kind="warning_signs", on=today)
    batch = []
    total = 0
    for cid in Case.objects.values_list("id", flat=True).iterator():
        for d in range(n_days):
            for h in (8, 16):
                at = now - dt.timedelta(days=d, hours=h)
                batch.append(Check(case_id=cid, taken_at=at, spo2=rng.choice([97, 98, 98, 99, 96]), respiratory_rate=18, pulse=80,
                                   temperature=36.8, rule_set=rule, warning_signs=[]))
        if len(batch) >= 20000:
            Check.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    Check.objects.bulk_create(batch)
    alerts = [Alert(case_id=cid, raised_at=now - dt.timedelta(hours=rng.choice([0.5, 2, 5])), signs=[{"code": "spo2"}])
              for cid in Case.objects.order_by("?").values_list("id", flat=True)[: n_cases // 50]]
    Alert.objects.bulk_create(alerts)
    province = AdministrativeUnit.objects.get(path="/62/")
    User.objects.create_user("bench_leader", password="x", role="leadership", unit=province)
    User.objects.create_user("bench_station", password="x", role="commune_health", unit=communes[0])
    User.objects.create_user("bench_care", password="x", role="care_team", unit=communes[0])
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def time_board(repeats: int) -> dict:
    from django.test import Client

    from accounts.models import User

    out = {}
    for label, username, group in (("province", "bench_leader", "district"), ("commune", "bench_station", "team")):
        c = Client()
        c.force_login(User.objects.get(username=username))
        c.get(f"/cases/khong-lien-lac/?by={group}", secure=True)  # warm-up
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            r = c.get(f"/cases/khong-lien-lac/?by={group}", secure=True)
            samples.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        samples.sort()
        out[label] = {"p50_ms": round(samples[len(samples) // 2], 1), "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1)}
    return out


def load_client(args_json: str) -> None:
    """One client process: POST checks in a loop over one keep-alive connection; prints its count, latencies and CPU.

    Plain http.client (not requests): the clients share the 2 cores with the server, so they must cost little.
    Idempotency keys carry the run id: a key reused from an earlier run would be answered as a repeat, not stored."""
    import http.client
    import random
    from urllib.parse import urlsplit

    a = json.loads(args_json)
    u = urlsplit(a["url"])
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Authorization": f"Token {a['token']}", "Content-Type": "application/json"}
    rng = random.Random(a["seed"])
    n, errors, lat = 0, 0, []
    end = time.time() + a["seconds"]
    while time.time() < end:
        cid = rng.choice(a["cases"])
        body = json.dumps({"spo2": rng.choice([97, 98, 95]), "respiratory_rate": 18,
                           "idempotency_key": f"b{a['run']}-{a['seed']}-{n + errors}"})
        t0 = time.perf_counter()
        conn.request("POST", f"/api/cases/{cid}/checks/", body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        lat.append((time.perf_counter() - t0) * 1000)
        if r.status == 201:
            n += 1
        else:
            errors += 1
    print(json.dumps({"n": n, "errors": errors, "cpu_s": time.process_time(), "lat": [round(x, 2) for x in lat]}))


def http_load(url_db: str, seconds: int, clients: int, workers: int = 2, threads: int = 4) -> dict:
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from cases.models import Case

    user = User.objects.get(username="bench_care")
    token = Token.objects.get_or_create(user=user)[0].key
    cases = list(Case.objects.filter(commune_id=user.unit_id, status="active").values_list("id", flat=True)[:500])
    env = {**os.environ, "DATABASE_URL": url_db, **BENCH_ENV}
    import resource
    import socket

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = f"{time.time():.0f}"

    with socket.socket() as sock:  # a free port: others may run servers on this machine
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "cases_wsgi:application", "--pythonpath", f"{ROOT},{ROOT / 'bench'}", "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        import requests

        for _ in range(50):
            try:
                requests.get(base + "/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        procs = [subprocess.Popen([sys.executable, __file__, "--client", json.dumps(
            {"token": token, "cases": cases, "seconds": seconds, "seed": i, "url": base, "run": run})], stdout=subprocess.PIPE, env=env)
            for i in range(clients)]
        results = [json.loads(p.communicate()[0].decode().strip().splitlines()[-1]) for p in procs]
    finally:
        server.terminate()
        server.wait()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    client_cpu = sum(r["cpu_s"] for r in results)
    n = sum(r["n"] for r in results)
    lat = sorted(x for r in results for x in r["lat"])
    return {"checks": n, "errors": sum(r["errors"] for r in results), "seconds": seconds, "checks_per_s": round(n / seconds, 1),
            "p50_ms": lat[len(lat) // 2] if lat else None, "p95_ms": lat[int(len(lat) * 0.95)] if lat else None,
            # CPU per check: the gunicorn server (master and workers) and the load clients, which share the same cores.
            "server_cpu_ms_per_check": round((children_cpu - client_cpu) * 1000 / max(n, 1), 2),
            "client_cpu_ms_per_check": round(client_cpu * 1000 / max(n, 1), 2),
            "clients": clients, "server": f"gunicorn {workers} workers x {threads} threads", "cores": os.cpu_count()}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_cases")
    p.add_argument("--cases", type=int, default=30000)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--repeats", type=int, default=40)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--http-only", action="store_true")
    p.add_argument("--client")
    a = p.parse_args()
    if a.client:
        load_client(a.client)
        return
    if not a.keep:
        base, name = a.pg.rsplit("/", 1)
        assert "bench" in name, "use a throw-away database name containing 'bench'"
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    setup_django(a.pg)
    t = time.perf_counter()
    fill(a.cases, a.days)
    from cases.models import Case, Check

    print(json.dumps({"cases": Case.objects.count(), "checks": Check.objects.count(), "fill_s": round(time.perf_counter() - t, 1)}))
    if not a.http_only:
        print(json.dumps({"board": time_board(a.repeats)}))
    print(json.dumps({"http_checks": http_load(a.pg, a.seconds, a.clients, a.workers, a.threads)}))


if __name__ == "__main__":
    main()
