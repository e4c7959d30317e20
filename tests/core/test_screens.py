"""Every screen of the demo, for every role, in both languages: no raw choice codes, ISO dates, research tags or
English durations on a Vietnamese page, no untranslated Vietnamese labels on an English page, no error, and a
bounded number of queries per page.

Builds a small demo (`phongdich demo --people 1500`), signs in as each demo role and follows the links from the home
page (each URL pattern once, two clicks deep: the menu pages and what they link to), as a new user exploring the system would.
"""
import re
from collections import Counter, defaultdict, deque

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.core.screen_scan import problems

pytestmark = pytest.mark.django_db

# Queries a page may run (as NetBox asserts): a list, board or dashboard costs the same whatever the number of
# rows, so a page that ran a query per row of the demo's hundreds would break this bound.
MAX_QUERIES = 60
SKIP = ("/static/", "/i18n/", "/media/", "/quantri/", "/api/", "/accounts/dang-xuat")


def _client(user, language):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies["django_language"] = language
    if user.requires_two_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})[0]
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def _crawl(client, language, found, errors):
    seen, patterns, queue = set(), Counter(), deque([("/", 0)])
    while queue:
        url, depth = queue.popleft()
        pattern = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or url.startswith(SKIP) or patterns[pattern]:
            continue
        seen.add(url)
        patterns[pattern] += 1
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if len(queries) > MAX_QUERIES:
            errors.append(f"{len(queries)} queries on {url}")
        if response.status_code >= 500 or response.status_code == 403:
            errors.append(f"{response.status_code} {url}")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for problem in problems(html, language):
            found[problem].add(pattern)
        if depth < 2:
            queue.extend((h.replace("&amp;", "&"), depth + 1) for h in re.findall(r'href="(/[^"#]*)"', html))
    return len(seen)


def test_every_screen_of_the_demo_reads_right_for_every_role_in_both_languages(kontum, settings):
    from accounts.models import User

    settings.PHONGDICH_DEMO = True  # the demo installation: its accounts are not sent to change their password first

    call_command("demo", people=1500, stdout=open("/dev/null", "w"))
    users = {}
    for user in User.objects.exclude(role="").order_by("pk"):
        users.setdefault(user.role, user)
    assert len(users) == 10  # one per role, the regional health centre (khuvuc) included
    found, errors, visited = defaultdict(set), [], Counter()
    for language in ("vi", "en"):
        for role, user in users.items():
            visited[role] += _crawl(_client(user, language), language, found, errors)
    assert not errors, errors
    assert not found, "\n".join(f"{problem} on {sorted(pages)[:3]}" for problem, pages in sorted(found.items()))
    assert visited["health_dept"] > 50 and visited["agency_officer"] > 5  # the crawl did reach the screens


def test_the_scanner_knows_a_decimal_point_from_a_thousands_group_and_an_item_number():
    assert problems("<p>Tiêm đủ liều: 97.5%</p>", "vi")
    assert not problems("<p>Tiêm đủ liều: 97,5% của 1.234 người</p>", "vi")
    assert not problems("<p>Nhiệm vụ 2.3 — Sở Y tế</p>", "vi")
    assert problems("<p>ngày 2021-11-07 [NF]</p>", "vi") and problems("<p>icu</p>", "vi")
