"""Every list, board and dashboard of the menu runs the same number of queries whatever the number of rows (as
NetBox asserts): each page is counted on a small demo, then again after the registry has grown (more people, cases,
contacts, tests and doses in the same communes). A page that runs a query per row fails here long before the
580,000-person demo makes it slow."""
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

ROLES = ("health_dept", "regional_health", "district_health", "commune_health", "lab", "vaccinator")
EXTRA = ("vaccination:coverage", "vaccination:injections", "vaccination:campaigns", "vaccination:villages")


def _fields(obj, **over):
    return {**{f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}, **over}


def _grow(factor: int) -> None:
    """Copies of every person (in the same commune and village) with copies of their cases, contacts, tests and doses."""
    from cases.models import Case
    from contacts.models import Contact
    from people.models import Person
    from testing.models import Test
    from vaccination.models import Injection
    from vaccination.services import refresh_summary

    people = list(Person.objects.filter(merged_into__isnull=True).order_by("pk"))
    cases = {c.person_id: c for c in Case.objects.order_by("pk")}
    contacts = {c.person_id: c for c in Contact.objects.order_by("pk")}
    tests = {t.person_id: t for t in Test.objects.order_by("pk")}
    doses: dict[int, list] = {}
    for d in Injection.objects.order_by("pk"):
        doses.setdefault(d.person_id, []).append(d)
    for n in range(factor):
        copies = Person.objects.bulk_create([Person(**_fields(p, id_number="", phone=p.phone)) for p in people])
        pairs = list(zip(people, copies, strict=True))
        Case.objects.bulk_create([Case(**_fields(cases[p.pk], person_id=c.pk, self_report_token=None))
                                  for p, c in pairs if p.pk in cases])
        Contact.objects.bulk_create([Contact(**_fields(contacts[p.pk], person_id=c.pk, source_contact_id=None,
                                                       converted_case_id=None))
                                     for p, c in pairs if p.pk in contacts])
        Test.objects.bulk_create([Test(**_fields(tests[p.pk], person_id=c.pk, sample_code=f"{tests[p.pk].sample_code}-{n}"))
                                  for p, c in pairs if p.pk in tests])
        Injection.objects.bulk_create([Injection(**_fields(d, person_id=c.pk)) for p, c in pairs for d in doses.get(p.pk, [])])
        refresh_summary([c.pk for p, c in pairs if p.pk in doses])


def _counts(users) -> dict[tuple[str, str], int]:
    from django.urls import reverse

    from core.access import may_open
    from core.dataversion import bump
    from core.navigation import entries_for

    bump("vaccination")
    bump("population")
    out = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        urls = ["/"] + [reverse(e.url_name) for e in entries_for(user)] + [reverse(n) for n in EXTRA if may_open(user, n)]
        for url in urls:
            client.get(url)  # warm per-process caches (rules, templates, cached aggregates)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code == 200:
                out[(role, url)] = len(ctx.captured_queries)
    return out


def test_menu_pages_run_the_same_queries_with_three_times_the_rows(kontum, settings):
    from accounts.models import User

    settings.PHONGDICH_DEMO = True
    call_command("demo", people=400, stdout=open("/dev/null", "w"))
    users = {}
    for user in User.objects.filter(role__in=ROLES).order_by("pk"):
        users.setdefault(user.role, user)
    before = _counts(users)
    _grow(2)
    after = _counts(users)
    assert len(before) > 50
    grew = {key: (before[key], after.get(key)) for key in before if after.get(key) != before[key]}
    assert not grew, "queries that grow with the rows (before, after):\n" + "\n".join(
        f"  {role} {url}: {b} → {a}" for (role, url), (b, a) in sorted(grew.items()))
    assert not [k for k in before if re.search(r"\d{4}-\d{2}-\d{2}", k[1])]


def test_coverage_is_warmed_for_the_province_and_its_districts(kontum, settings, django_assert_max_num_queries):
    """The nightly job (and the end of a dose import) computes the coverage page's figures: the first reader of the
    day reads them from the cache."""
    from accounts.models import User
    from vaccination.services import warm_coverage

    settings.PHONGDICH_DEMO = True
    call_command("demo", people=200, stdout=open("/dev/null", "w"))
    assert warm_coverage() > 1
    user = User.objects.filter(role="health_dept").order_by("pk").first()
    client = Client()
    client.force_login(user)
    with django_assert_max_num_queries(15):
        assert client.get("/vaccination/bao-phu/").status_code == 200
