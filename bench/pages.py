"""Benchmark: every page of the menu, for every demo role, on the demo data set (SQLite and PostgreSQL).

    .venv/bin/python bench/pages.py [--people 580000] [--repeat 5] [--only sqlite|postgresql]
        [--sqlite var/bench_pages.sqlite3] [--pg postgres://postgres@127.0.0.1:5432/phongdich_bench_pages] [--reuse]
        [--role ROLE ...] [--page URL_PREFIX ...]

Builds the demo (`phongdich demo --people N`) into a throw-away SQLite file and PostgreSQL database (with `--reuse`,
an existing demo in them is kept: building the 580,000-person demo takes minutes), then signs in as each demo role
(one user per role, as `phongdich demo` prints them) and visits the home page, every entry of that user's menu
(`core.navigation`: each list with its default filters) and one person's record in the user's jurisdiction.
Each page is requested `--repeat` times through the whole Django stack (middleware, sessions, templates) with
Django's test client, with DEBUG off. Prints, per database, role and page: the status, p50 and p95 in milliseconds
and the number of SQL queries; then the pages over the goal (p95 < 500 ms on PostgreSQL, < 1 s on SQLite).
Nothing is asserted: the figures are for the reader. `--role` and `--page` (both repeatable) restrict the run to
those roles and to the pages whose url starts with one of the given prefixes ("/" alone means the home page only),
to measure a few pages before and after a change without visiting all 200.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from _setup import ROOT, child_env, create_database, setup_django

GOAL_MS = {"postgresql": 500, "sqlite": 1000}
EXTRA_PAGES = [
    ("Độ bao phủ (toàn tỉnh)", "vaccination:coverage"), ("Mũi tiêm đã ghi", "vaccination:injections"),
    ("Chỉ tiêu theo thời hạn", "vaccination:campaigns"), ("Đi từng nhà", "vaccination:villages"),
]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _pages_for(user) -> list[tuple[str, str]]:
    """(label, url) of what a user opens: the home page, the menu entries, one person's record."""
    from django.urls import NoReverseMatch, reverse

    from core.access import may_open
    from core.navigation import entries_for
    from core.scoping import scope
    from people.models import Person

    pages = [("Trang chủ", "/")]
    for entry in entries_for(user):
        try:
            pages.append((entry.label, reverse(entry.url_name)))
        except NoReverseMatch:
            continue
    # Lists and boards one click from the menu, with their default filters.
    for label, name in EXTRA_PAGES:
        if may_open(user, name):
            pages.append((label, reverse(name)))
    if user.has_role(frozenset({"leadership", "health_dept", "district_health", "commune_health", "care_team",
                                "lab", "vaccinator", "sysadmin"})):
        person = scope(Person.objects.order_by("pk"), user).only("pk").first()
        if person is not None:
            pages.append(("Hồ sơ một người", f"/people/{person.pk}/"))
    return pages


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    if user.requires_two_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})[0]
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def _wanted(url: str, prefixes: list[str]) -> bool:
    return not prefixes or any(url == p if p == "/" else url.startswith(p) for p in prefixes)


def child(people: int, repeat: int, reuse: bool, roles: list[str] | None = None,
          prefixes: list[str] | None = None) -> None:
    setup_django(migrate=True)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.models import User
    from people.models import Person

    if not (reuse and Person.objects.exists()):
        started = time.perf_counter()
        call_command("load_admin_units", verbosity=0)
        call_command("demo", people=people, not_production=True, stdout=open(os.devnull, "w"))  # DEBUG is off here
        print(f"demo built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    setup_test_environment()  # lets the test client's host in; keeps DEBUG as set (off)
    from django.conf import settings
    from django.test.utils import override_settings

    # No collectstatic needed: the manifest storage of production would only add a dictionary lookup per asset.
    # override_settings (not an assignment) also resets the storage the demo build may already have opened.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    users = {}
    for user in User.objects.exclude(role="").order_by("pk"):
        users.setdefault(user.role, user)
    rows = []
    for role, user in users.items():
        if roles and role not in roles:
            continue
        client = _client_for(user)
        for label, url in _pages_for(user):
            if not _wanted(url, prefixes or []):
                continue
            times, queries, status = [], 0, None
            for i in range(repeat + 1):  # the first request warms caches (templates, rules) and is not counted
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url, secure=True)
                    elapsed = (time.perf_counter() - started) * 1000
                if i:
                    times.append(elapsed)
                status, queries = response.status_code, len(ctx.captured_queries)
            rows.append({"role": role, "user": user.username, "page": label, "url": url, "status": status,
                         "p50": round(statistics.median(times), 1), "p95": round(_p95(times), 1), "queries": queries})
    print(json.dumps({"vendor": connection.vendor, "people": Person.objects.count(), "rows": rows}))


def run(args, database_url: str, label: str) -> dict:
    env = child_env(database_url, DEBUG="0", SECRET_KEY="bench-pages-not-secret", ALLOWED_HOSTS="testserver",
                    PHONGDICH_DEMO="1")  # the demo accounts are not sent to change their password first
    command = [sys.executable, __file__, "--child", "--people", str(args.people), "--repeat", str(args.repeat)]
    for role in args.role:
        command += ["--role", role]
    for prefix in args.page:
        command += ["--page", prefix]
    out = subprocess.run(command + (["--reuse"] if args.reuse else []), env=env, cwd=ROOT, stdout=subprocess.PIPE,
                         text=True)
    if out.returncode != 0:
        sys.exit(f"{label} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(result: dict) -> None:
    goal = GOAL_MS[result["vendor"]]
    print(f"\n{result['vendor']}, {result['people']:,} people (goal: p95 < {goal} ms)")
    print(f"{'role':<16}{'page':<34}{'url':<34}{'status':>6}{'p50 ms':>9}{'p95 ms':>9}{'queries':>8}")
    for r in result["rows"]:
        print(f"{r['role']:<16}{r['page'][:33]:<34}{r['url'][:33]:<34}{r['status']:>6}{r['p50']:>9.1f}{r['p95']:>9.1f}"
              f"{r['queries']:>8}")
    slow = [r for r in result["rows"] if r["p95"] >= goal]
    failed = [r for r in result["rows"] if r["status"] != 200]
    print(f"pages: {len(result['rows'])}, over the goal: {len(slow)}, not 200: {len(failed)}")
    for r in slow:
        print(f"  slow: {r['role']} {r['url']} p95 {r['p95']:.0f} ms")
    for r in failed:
        print(f"  status {r['status']}: {r['role']} {r['url']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=580_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite", default=str(ROOT / "var" / "bench_pages.sqlite3"))
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/phongdich_bench_pages")
    parser.add_argument("--reuse", action="store_true", help="keep a demo already built in these databases")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--role", action="append", default=[], help="only this demo role (repeatable)")
    parser.add_argument("--page", action="append", default=[], help="only pages whose url starts with this (repeatable)")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.people, args.repeat, args.reuse, args.role, args.page)
        return
    if args.only in (None, "sqlite"):
        if not args.reuse and os.path.exists(args.sqlite):
            os.remove(args.sqlite)
        report(run(args, f"sqlite:///{args.sqlite}", "SQLite"))
    if args.only in (None, "postgresql"):
        create_database(args.pg, reuse=args.reuse)
        report(run(args, args.pg, "PostgreSQL"))


if __name__ == "__main__":
    main()
