import pytest

from people.models import Person
from people.services import search_people
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_it_finds_a_name_typed_without_diacritics(commune_a):
    an = make_person(commune_a, full_name="Nguyễn Văn An")
    make_person(commune_a, full_name="Trần Thị Bình")
    found = list(search_people(Person.objects.all(), "nguyen van an"))
    assert found == [an]


def test_it_finds_d_with_stroke_as_d(commune_a):
    dang = make_person(commune_a, full_name="Đặng Đức Độ")
    assert list(search_people(Person.objects.all(), "dang duc do")) == [dang]


def test_a_commune_user_sees_nobody_from_another_commune(personas, commune_a, commune_b, client_for):
    mine = make_person(commune_a, full_name="Người Xã A")
    other = make_person(commune_b, full_name="Người Xã B")
    client = client_for(personas["commune_a"])
    listing = client.get("/people/").content.decode()
    assert "Người Xã A" in listing and "Người Xã B" not in listing
    assert client.get(f"/people/{mine.pk}/").status_code == 200
    assert client.get(f"/people/{other.pk}/").status_code == 404
