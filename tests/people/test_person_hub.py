"""A person's record is the hub: from it, each role reaches what it may do for that person, and nothing else."""
import pytest

from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def _links(client, person):
    page = client.get(f"/people/{person.pk}/").content.decode()
    return page


def test_health_staff_open_a_case_and_the_vaccination_record_from_the_person(personas, commune_a, client_for):
    person = make_person(commune_a, full_name="Nguyễn Văn An")
    page = _links(client_for(personas["commune_a"]), person)
    assert f'href="/cases/them/?person={person.pk}"' in page and "Mở ca bệnh (F0)" in page
    assert f'href="/vaccination/nguoi/{person.pk}/"' in page
    assert f'href="/vaccination/nguoi/{person.pk}/giay-chung-nhan.pdf"' in page
    assert "/audit/?person=" not in page  # the trail is for administrators


def test_leadership_reads_but_is_not_offered_to_open_a_case(personas, commune_a, client_for):
    person = make_person(commune_a, full_name="Nguyễn Văn An")
    page = _links(client_for(personas["leader"]), person)
    assert "/cases/them/" not in page and f'href="/vaccination/nguoi/{person.pk}/"' in page


def test_the_administrator_sees_the_records_history_and_each_link_opens(personas, commune_a, client_for):
    import re

    person = make_person(commune_a, full_name="Nguyễn Văn An")
    client = client_for(personas["admin"])
    page = _links(client, person)
    assert f'href="/audit/?person={person.pk}"' in page
    for href in re.findall(r'<a class="button[^"]*" href="([^"]+)"', page):
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def _grow_history(person, n):
    """`n` more cases, contacts, tests, doses and audit rows for `person` (copies of the demo's rows)."""
    from audit.models import AuditEvent
    from cases.models import Case
    from contacts.models import Contact
    from testing.models import Test
    from vaccination.models import Injection

    case = Case.objects.order_by("pk").first()
    cases = Case.objects.bulk_create([Case(**{**_fields(case), "person_id": person.pk, "commune_id": person.commune_id,
                                              "self_report_token": None}) for _ in range(n)])
    contact = Contact.objects.order_by("pk").first()
    Contact.objects.bulk_create([Contact(**{**_fields(contact), "person_id": person.pk, "source_case_id": c.pk,
                                            "source_contact_id": None, "converted_case_id": None}) for c in cases])
    test = Test.objects.order_by("pk").first()
    Test.objects.bulk_create([Test(**{**_fields(test), "person_id": person.pk, "sample_code": f"HUB-{person.pk}-{i}"})
                              for i in range(n)])
    dose = Injection.objects.order_by("pk").first()
    Injection.objects.bulk_create([Injection(**{**_fields(dose), "person_id": person.pk, "commune_id": person.commune_id,
                                                "dose_kind": "booster", "dose_number": 20 + i}) for i in range(n)])
    for _ in range(n):
        AuditEvent.objects.create(action="update", target_type="people.person", target_id=str(person.pk),
                                  target_label=person.full_name, person_id=person.pk, actor_label="tram_a")


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def test_the_record_lists_cases_contacts_tests_doses_and_changes_in_constant_queries(
        kontum, settings, django_assert_max_num_queries):
    """Inline lists on the person's record, at two sizes of history: the same queries (as NetBox asserts)."""
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from people.models import Person

    settings.PHONGDICH_DEMO = True
    call_command("demo", people=300, stdout=open("/dev/null", "w"))
    user = User.objects.filter(role="commune_health").order_by("pk").first()
    client = Client()
    client.force_login(user)
    from core.scoping import scope

    small, large = scope(Person.objects.order_by("pk"), user)[:2]
    _grow_history(small, 1)
    _grow_history(large, 15)
    counts = {}
    for person in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(f"/people/{person.pk}/").content.decode()
        counts[person.pk] = len(ctx.captured_queries)
        for title in ("Ca bệnh", "Lần là người tiếp xúc", "Xét nghiệm", "Các mũi đã tiêm", "Lịch sử thay đổi"):
            assert f"<h2>{title}</h2>" in page, title
    assert counts[small.pk] == counts[large.pk], counts
    with django_assert_max_num_queries(40):
        page = client.get(f"/people/{large.pk}/").content.decode()
    # Ten rows a list at most, then "see all" where a full list exists (the doses page, the trail for administrators).
    assert page.count('href="/cases/') >= 10 and f'href="/vaccination/nguoi/{large.pk}/"' in page
    assert "HUB-" in page and "/audit/?person=" not in page  # the full trail stays the administrators'
    assert not __import__("re").search(r"\b\d{4}-\d{2}-\d{2}\b", page)  # dates dd/mm/yyyy


def test_the_record_in_english_has_english_headings(kontum, commune_a, personas, client_for):
    person = make_person(commune_a, full_name="Nguyễn Văn An")
    client = client_for(personas["commune_a"])
    client.cookies["django_language"] = "en"
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Times as a contact" in page and "Never a case." in page and "No dose recorded yet." in page


def test_roles_without_health_records_see_no_clinical_lists(kontum, commune_a, personas, client_for):
    person = make_person(commune_a, full_name="Nguyễn Văn An")
    page = client_for(personas["leader"]).get(f"/people/{person.pk}/").content.decode()
    assert "Lịch sử thay đổi" not in page  # leadership reads, does not edit: no change history
