"""Benchmark of the F0 capability on PostgreSQL (issue #3):

  1. the "nobody left unreachable" board with 30,000 active home cases and two checks a day for 14 days
     (840,000 checks): p50/p95 render time for the province (leadership, grouped by district) and for one commune
     (commune health station, grouped by team). Goals: 300 ms and 50 ms at p95.
  2. sustained check submissions over HTTP: gunicorn (2 workers × 4 threads) serving POST /api/cases/{id}/checks/ with
     keep-alive connections and new idempotency keys each run; checks/s, p50/p95 latency, and CPU per check of the
     server, PostgreSQL, the load tool and the whole machine over a fixed duration. Goal: ≥ 200 checks/s on 2 cores.
     Load tool: wrk (C, ~0.1 ms CPU per check, `apt-get install wrk`) when installed, else multi-process http.client
     clients (~0.8 ms per check, taken from the same 2 cores); --tool picks one. The output names the tool used.

    .venv/bin/python bench/cases_board.py --pg postgres://postgres@127.0.0.1:5432/phongdich_bench_cases [--cases 30000] [--days 14]
        [--seconds 20] [--clients 8] [--workers 2 --threads 4] [--tool auto|wrk|python] [--http-only] [--keep]
        [--dengue-share 0.33] [--board-only]

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

import _setup
from _setup import ROOT

BENCH_ENV = {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret-" + "x" * 30, "ALLOWED_HOSTS": "127.0.0.1,testserver",
             "SECURE_SSL_REDIRECT": "0", "DB_CONN_MAX_AGE": "60"}


def setup_django(url: str) -> None:
    """Production-like settings (DEBUG off) for the timings."""
    os.environ.update(BENCH_ENV)
    _setup.setup_django(url)
    from django.conf import settings

    # No collectstatic in a bench checkout: plain static storage instead of the manifest one.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def fill(n_cases: int, n_days: int, dengue_share: float = 0.0) -> None:
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
    dengue = None
    if dengue_share:
        # A second disease with another monitoring cadence (24 h): the board then ORs one condition per cadence.
        from diseases.packs import install_missing

        install_missing("dengue")
        dengue = Disease.objects.get(code="dengue")
    now = timezone.now()
    today = timezone.localdate()
    cases = []
    for p in Person.objects.all().only("id", "commune_id"):
        st, team = teams[p.commune_id]
        confirmed = today - dt.timedelta(days=rng.randint(0, n_days - 1))
        disease = dengue if dengue is not None and rng.random() < dengue_share else covid
        cases.append(Case(person_id=p.pk, disease=disease, commune_id=p.commune_id, confirmed_on=confirmed, test_kind="rapid_antigen",
                          team=team if rng.random() < 0.95 else None, station=st, release_due_on=confirmed + dt.timedelta(days=7),
                          last_check_at=now - dt.timedelta(hours=rng.choice([1, 5, 9, 13, 25] if disease == dengue else [1, 5, 9, 13])),
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


WRK_LUA = """
-- One POST /api/cases/{id}/checks/ per request, a random case of the list, a fresh idempotency key each time.
local cases = {%(cases)s}
local n = 0
ok, bad = 0, 0
wrk.method = "POST"
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(tid * 7919 + %(run)s)
end
local spo2 = {97, 98, 95}
function request()
  n = n + 1
  local body = string.format('{"spo2": %%d, "respiratory_rate": 18, "idempotency_key": "w%(run)s-%%d-%%d"}',
                             spo2[math.random(3)], tid, n)
  return wrk.format(nil, "/api/cases/" .. cases[math.random(#cases)] .. "/checks/", nil, body)
end
function response(status, headers, body)
  if status == 201 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
  io.write(string.format('{"n": %%d, "errors": %%d, "socket_errors": %%d, "p50_ms": %%.2f, "p95_ms": %%.2f}\\n', o, b,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def _proc_cpu_s(pids) -> float:
    """utime + stime of these processes (from /proc), in seconds; a process gone meanwhile counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _pids(ppid: int | None = None, title: str | None = None) -> list[int]:
    """Processes whose parent is `ppid`, or whose command line (a PostgreSQL backend's title) contains `title`."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            tail = (d / "stat").read_text().rsplit(")", 1)[1]
            cmdline = (d / "cmdline").read_bytes().decode(errors="replace") if title else ""
        except OSError:
            continue
        if (ppid is None or int(tail.split()[1]) == ppid) and (title is None or title in cmdline):
            out.append(int(d.name))
    return out


def _machine_busy_s() -> float:
    """CPU time the whole machine spent busy (all cores, everything but idle and iowait), from /proc/stat."""
    v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def _children_cpu_s() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _python_clients(base, token, cases, seconds, clients, run, env) -> dict:
    procs = [subprocess.Popen([sys.executable, __file__, "--client", json.dumps(
        {"token": token, "cases": cases, "seconds": seconds, "seed": i, "url": base, "run": run})], stdout=subprocess.PIPE, env=env)
        for i in range(clients)]
    results = [json.loads(p.communicate()[0].decode().strip().splitlines()[-1]) for p in procs]
    lat = sorted(x for r in results for x in r["lat"])
    return {"n": sum(r["n"] for r in results), "errors": sum(r["errors"] for r in results),
            "p50_ms": lat[len(lat) // 2] if lat else None, "p95_ms": lat[int(len(lat) * 0.95)] if lat else None}


def _wrk(base, token, cases, seconds, clients, run) -> dict:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA % {"cases": ", ".join(map(str, cases)), "token": token, "run": run})
    try:
        out = subprocess.run(["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "30s",
                              "-s", f.name, base], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def http_load(url_db: str, seconds: int, clients: int, workers: int = 2, threads: int = 4, tool: str = "auto") -> dict:
    """Check submissions over HTTP for `seconds`; CPU per check of the server, PostgreSQL, the load tool and the machine.

    The load tool is wrk (C, little CPU: more of the 2 cores for the server) when installed, else the http.client
    processes; --tool chooses. CPU is counted from the end of the warm-up to the end of the load, the server's and
    PostgreSQL's (the backends of the bench database) from /proc: persistent connections, the backends live
    through the run."""
    import shutil
    import socket

    from accounts.models import User
    from accounts.services import create_token
    from cases.models import Case

    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    user = User.objects.get(username="bench_care")
    token = create_token(user=user, name="bench")[1]
    cases = list(Case.objects.filter(commune_id=user.unit_id, status="active").values_list("id", flat=True)[:500])
    env = {**os.environ, "DATABASE_URL": url_db, **BENCH_ENV}
    run = f"{time.time():.0f}"

    with socket.socket() as sock:  # a free port: others may run servers on this machine
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "cases_wsgi:application", "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
                               "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        import requests

        for _ in range(50):
            try:
                requests.get(base + "/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        # Warm-up: every worker has imported the API and opened its database connection before the clock starts.
        with requests.Session() as s:
            for i in range(10 * workers):
                s.post(f"{base}/api/cases/{cases[i]}/checks/", json={"spo2": 98, "idempotency_key": f"warm{run}-{i}"},
                       headers={"Authorization": f"Token {token}"}, timeout=30)
        server_pids = [server.pid, *_pids(ppid=server.pid)]
        pg_title = f" {url_db.rsplit('/', 1)[1]} "  # the backends serving the bench database
        pg_pids = _pids(title=pg_title)
        cpu0 = (_proc_cpu_s(server_pids), _proc_cpu_s(pg_pids), _children_cpu_s(), _machine_busy_s())
        if tool == "wrk":
            r = _wrk(base, token, cases, seconds, clients, run)
        else:
            r = _python_clients(base, token, cases, seconds, clients, run, env)
        # A thread's first request opens its connection: backends born during the run count whole.
        cpu1 = (_proc_cpu_s(server_pids), _proc_cpu_s(set(pg_pids) | set(_pids(title=pg_title))), _children_cpu_s(), _machine_busy_s())
        load = os.getloadavg()
    finally:
        server.terminate()
        server.wait()
    n = r["n"]

    def per_check(i):
        return round((cpu1[i] - cpu0[i]) * 1000 / max(n, 1), 2)

    return {"tool": tool, "checks": n, "errors": r["errors"] + r.get("socket_errors", 0), "seconds": seconds,
            "checks_per_s": round(n / seconds, 1), "p50_ms": r["p50_ms"], "p95_ms": r["p95_ms"],
            # CPU per check, all on the same cores: gunicorn (master and workers), PostgreSQL (the bench database's backends),
            # the load tool, and the whole machine (anything else running counts here too).
            "server_cpu_ms_per_check": per_check(0), "postgres_cpu_ms_per_check": per_check(1),
            "client_cpu_ms_per_check": per_check(2), "machine_cpu_ms_per_check": per_check(3),
            "clients": clients, "server": f"gunicorn {workers} workers x {threads} threads, DB_CONN_MAX_AGE={env['DB_CONN_MAX_AGE']}"
                                                 + (", DB_PREPARED_STATEMENTS=1" if env["DB_PREPARED_STATEMENTS"] == "1" else ""), "cores": os.cpu_count(),
            "load_average_1m": round(load[0], 2)}


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
    p.add_argument("--conn-max-age", default="60", help="DB_CONN_MAX_AGE of the server (0: a connection per request)")
    p.add_argument("--prepared", action="store_true", help="server: DB_PREPARED_STATEMENTS=1 (server-side binding, prepared statements)")
    p.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto", help="load tool: wrk if installed (auto)")
    p.add_argument("--client")
    p.add_argument("--dengue-share", type=float, default=0.0,
                   help="share of the cases that are dengue (24 h cadence), e.g. 0.33: the per-disease board")
    p.add_argument("--board-only", action="store_true", help="time the board only, no HTTP check load")
    a = p.parse_args()
    BENCH_ENV["DB_CONN_MAX_AGE"] = a.conn_max_age
    BENCH_ENV["DB_PREPARED_STATEMENTS"] = "1" if a.prepared else "0"
    if a.client:
        load_client(a.client)
        return
    if not a.keep:
        name = a.pg.rsplit("/", 1)[1]
        assert "bench" in name, "use a throw-away database name containing 'bench'"
        _setup.create_database(a.pg)
    setup_django(a.pg)
    t = time.perf_counter()
    fill(a.cases, a.days, a.dengue_share)
    from cases.models import Case, Check

    print(json.dumps({"cases": Case.objects.count(), "checks": Check.objects.count(), "fill_s": round(time.perf_counter() - t, 1)}))
    if not a.http_only:
        print(json.dumps({"board": time_board(a.repeats)}))
    if a.board_only:
        return
    print(json.dumps({"http_checks": http_load(a.pg, a.seconds, a.clients, a.workers, a.threads, a.tool)}))


if __name__ == "__main__":
    main()
