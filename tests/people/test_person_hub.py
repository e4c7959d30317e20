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
