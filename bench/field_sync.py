"""Benchmark: the field app's sync over a slow mobile network (Chromium's network emulation: 400 kbit/s each way,
400 ms round trip), on PostgreSQL.

    .venv/bin/python bench/field_sync.py [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_field] [--reuse]
        [--patients 300] [--contacts 600]

Builds a throw-away database (units of Kon Tum, one commune's care-team member, `--patients` active home cases with
two checks each and `--contacts` contacts under follow-up in that commune; not timed), serves it with gunicorn on
127.0.0.1, signs in with headless Chromium (Debian's), opens /fieldapp/ and then, with the network slowed:
  1. first download: the phone's storage emptied, one sync (session + both worklists, every page); goal < 10 s;
  2. incremental sync after 20 changes on the server (new checks); goal < 2 s;
  3. bytes per record: bytes on the wire (gzip) of the first download's worklist answers / records;
  4. server time for a batch of 100 check entries (POST /api/field/upload/ through Django's test client, no network),
     median of 5 batches;
  5. the computed worklists of a commune's health worker (no network, Django's test client, median of 3): today's
     vaccination session list (a province "dose 1 for 18+" campaign in progress; the commune's `--patients` +
     `--contacts` adults are its targets) and the screening targets (`--targets` of a screening campaign in its
     window), then a batch of 100 doses from the session list and one of 100 rapid tests from the screening list.
Prints the figures; asserts nothing.
"""
import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time

from _setup import ROOT, create_database, setup_django

# Playwright's sync API runs an event loop in this thread; the Django calls between its steps are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/phongdich_bench_field"
PASSWORD = "Bench-Field-2022"
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}


def build(patients: int, contacts: int):
    from django.utils import timezone

    from accounts.models import User
    from cases.models import Case, Check
    from contacts.models import Contact
    from core.text import fold
    from diseases.models import Disease
    from diseases.rules import rule_in_force
    from geo.loader import load_admin_units
    from geo.models import AdministrativeUnit
    from people.models import Person

    load_admin_units({"62"})
    commune = AdministrativeUnit.objects.get(path="/62/608/23281/")
    user = User.objects.filter(username="bench_field").first()
    if user is None:
        user = User.objects.create_user(username="bench_field", password=PASSWORD, role="care_team", unit=commune,
                                        full_name="Tổ chăm sóc (bench)")
    if Case.objects.filter(commune=commune).exists():
        return user
    today = timezone.localdate()
    covid = Disease.objects.get(code="covid19")
    f1_rule = rule_in_force(kind="f1_quarantine", on=today)
    people = Person.objects.bulk_create([
        Person(full_name=f"Người Bệnh {n:04d}", name_folded=fold(f"Người Bệnh {n:04d}"), birth_year=1950 + n % 60,
               sex="MF"[n % 2], commune=commune, phone=f"0905{n:06d}", street=f"Số {n} đường Trần Hưng Đạo")
        for n in range(patients + contacts)])
    cases = Case.objects.bulk_create([
        Case(person=p, disease=covid, commune=commune, confirmed_on=today - dt.timedelta(days=n % 6), test_kind="rapid_antigen")
        for n, p in enumerate(people[:patients])])
    now = timezone.now()
    Check.objects.bulk_create([
        Check(case=c, taken_at=now - dt.timedelta(hours=h), spo2=97, respiratory_rate=16, pulse=80)
        for c in cases for h in (4, 16)])
    Contact.objects.bulk_create([
        Contact(person=p, source_case=cases[n % len(cases)], first_exposure_on=today - dt.timedelta(days=1),
                last_exposure_on=today - dt.timedelta(days=1), rule_set=f1_rule, follow_up_end=today + dt.timedelta(days=6),
                quarantine_end=today + dt.timedelta(days=6))
        for n, p in enumerate(people[patients:])])
    return user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_figures(base: str, user, patients: int, contacts: int) -> dict:
    from playwright.sync_api import sync_playwright

    from cases import services
    from cases.models import Case

    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                     args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"])
        context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{base}/accounts/dang-nhap/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{base}/fieldapp/")
        page.wait_for_function("() => document.body.dataset.synced", timeout=120_000)

        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        wire = {}
        urls = {}
        cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.send("Network.emulateNetworkConditions", SLOW)

        def timed_sync() -> float:
            stamp = page.evaluate("document.body.dataset.synced")
            start = time.perf_counter()
            page.click("#sync")
            page.wait_for_function("(s) => document.body.dataset.synced !== s", arg=stamp, timeout=300_000)
            return time.perf_counter() - start

        # 1. First download: the phone's storage emptied (the app's own store module: the same instance).
        page.evaluate("import('/static/fieldapp/store.js').then((m) => m.wipe())")
        wire.clear()
        urls.clear()
        out["first_download_s"] = timed_sync()
        worklist_bytes = sum(n for rid, n in wire.items() if "/api/field/worklists/" in urls.get(rid, ""))
        out["first_download_bytes"] = sum(wire.values())
        out["bytes_per_record"] = worklist_bytes / (patients + contacts)
        out["records_on_phone"] = page.evaluate(
            "import('/static/fieldapp/store.js').then(async (m) => (await m.records.all('patients')).length + (await m.records.all('contacts')).length)")

        # 2. Incremental sync after 20 changes on the server.
        for case in Case.objects.filter(commune=user.unit).select_related("person", "disease").order_by("pk")[:20]:
            services.record_check(by=user, case=case, data={"spo2": 98, "respiratory_rate": 16})
        time.sleep(0.1)
        wire.clear()
        urls.clear()
        out["incremental_s"] = timed_sync()
        out["incremental_bytes"] = sum(wire.values())
        context.close()
        browser.close()
    return out


def batch_figures(user) -> list[float]:
    from django.test import Client
    from django.utils import timezone

    from cases.models import Case

    client = Client()
    client.force_login(user)
    ids = list(Case.objects.filter(commune=user.unit).order_by("pk").values_list("pk", flat=True)[:100])
    times = []
    for run in range(5):
        entries = [{"kind": "check", "key": f"bench-{time.time_ns()}-{run}-{n}", "case": cid,
                    "taken_at": timezone.now().isoformat(), "values": {"spo2": 97 - (n % 3), "pulse": 80}, "symptoms": []}
                   for n, cid in enumerate(ids)]
        start = time.perf_counter()
        r = client.post("/api/field/upload/", {"entries": entries}, content_type="application/json", HTTP_HOST="127.0.0.1")
        times.append(time.perf_counter() - start)
        assert r.status_code == 200, r.content[:300]
    return times


def list_figures(commune, targets: int) -> dict:
    """Server time of the session and screening worklists and of batches of 100 doses and 100 rapid tests."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from people.models import Person
    from testing.campaigns import create_campaign as create_screening
    from testing.models import CampaignTarget
    from vaccination.outreach import create_campaign

    today = timezone.localdate()
    user = User.objects.filter(username="bench_field_station").first() or User.objects.create_user(
        username="bench_field_station", password=PASSWORD, role="commune_health", unit=commune, full_name="Trạm (bench)")
    province = commune.parent.parent
    create_campaign(by=None, data={"name": f"Bench mũi 1 {time.time_ns()}", "target": "dose1", "age_min": 18,
                                   "starts_on": today - dt.timedelta(days=5), "deadline": today + dt.timedelta(days=30), "unit": province})
    screening = create_screening(by=None, name=f"Bench sàng lọc {time.time_ns()}", unit=province, deadline=today + dt.timedelta(days=2),
                                 within_days=7, accepted_kinds=["rapid_antigen"])
    people = list(Person.objects.filter(commune=commune).order_by("pk")[:targets])
    CampaignTarget.objects.bulk_create([CampaignTarget(campaign=screening, person=p, group=f"Trường {n % 5}") for n, p in enumerate(people)])
    client = Client()
    client.force_login(user)
    out = {}
    def fetch_all(name):
        """Every page of a worklist, as the phone asks for them: (records, ids, bytes)."""
        records, cursor, size = [], "", 0
        while True:
            r = client.get(f"/api/field/worklists/{name}/", {"cursor": cursor} if cursor else {}, HTTP_HOST="127.0.0.1")
            assert r.status_code == 200, r.content[:300]
            body = r.json()
            records += body["records"]
            size += len(r.content)
            cursor = body["cursor"]
            if not body["more"]:
                return records, body["ids"], size

    due = []
    for name in ("session", "screening"):
        times = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                records, ids, size = fetch_all(name)
                times.append(time.perf_counter() - start)
        out[name] = (statistics.median(times), len(ids), len(queries), size)
        if name == "session":
            due = records[:100]
    stamp = time.time_ns()
    doses = [{"kind": "dose", "key": f"bench-d-{stamp}-{n}", "person": rec["id"], "product": (rec["products"] or ["comirnaty"])[0],
              "dose_kind": "primary", "dose_number": 1, "given_on": today.isoformat(), "lot": "B1"} for n, rec in enumerate(due)]
    tests = [{"kind": "rapid_test", "key": f"bench-t-{stamp}-{n}", "person": p.pk, "sample_code": f"B-{stamp}-{n}",
              "taken_on": today.isoformat(), "result": "negative"} for n, p in enumerate(people[:100])]
    for name, entries in (("doses", doses), ("tests", tests)):
        start = time.perf_counter()
        r = client.post("/api/field/upload/", {"entries": entries}, content_type="application/json", HTTP_HOST="127.0.0.1")
        out[name] = (time.perf_counter() - start, sum(a["status"] == "stored" for a in r.json()["answers"]), len(entries))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--contacts", type=int, default=600)
    parser.add_argument("--targets", type=int, default=500)
    args = parser.parse_args()
    create_database(args.pg, reuse=args.reuse)
    os.environ["DATABASE_URL"] = args.pg
    setup_django(migrate=True)
    user = build(args.patients, args.contacts)

    port = free_port()
    env = {**os.environ, "DATABASE_URL": args.pg, "PYTHONPATH": str(ROOT), "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "cases_wsgi:application", "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
                               "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "4", "--log-level", "warning"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        figures = browser_figures(base, user, args.patients, args.contacts)
    finally:
        server.terminate()
        server.wait(timeout=20)
    batches = batch_figures(user)
    lists = list_figures(user.unit, args.targets)

    print(f"field sync, {args.patients} patients + {args.contacts} contacts, network 400 kbit/s, 400 ms RTT (PostgreSQL)")
    print(f"  first download          {figures['first_download_s']:6.2f} s  (goal < 10 s)  "
          f"{figures['first_download_bytes'] / 1024:.0f} KiB on the wire, {figures['records_on_phone']} records on the phone")
    print(f"  incremental, 20 changes {figures['incremental_s']:6.2f} s  (goal < 2 s)   {figures['incremental_bytes'] / 1024:.1f} KiB")
    print(f"  bytes per record        {figures['bytes_per_record']:6.0f} B  (gzip, worklist answers)")
    print(f"  batch of 100 checks     {statistics.median(batches) * 1000:6.0f} ms server time (median of 5; "
          f"min {min(batches) * 1000:.0f}, max {max(batches) * 1000:.0f})")
    for name, label in (("session", "session list"), ("screening", "screening targets")):
        seconds, n, queries, size = lists[name]
        print(f"  {label:<23} {seconds * 1000:6.0f} ms server time, {n} people, {queries} queries, {size / 1024:.0f} KiB "
              "unzipped (every page; median of 3)")
    for name, label in (("doses", "batch of 100 doses"), ("tests", "batch of 100 rapid tests")):
        seconds, stored, sent = lists[name]
        print(f"  {label:<23} {seconds * 1000:6.0f} ms server time, {stored} of {sent} stored")


if __name__ == "__main__":
    sys.exit(main())
