"""Looking a national ID up never reveals a person outside the user's jurisdiction (issue #11, data exposure).

A tracer in commune B who types the CCCD of a commune-A resident learns only that the number belongs to someone
outside his area: no name, no record number, and no contact or arrival is attached to that resident.
"""
import datetime as dt

import pytest

from contacts.models import Arrival, Contact
from core.scoping import ID_FOUND, ID_NONE, ID_OUTSIDE
from people.models import Person
from people.selectors import lookup_person_by_national_id

D = dt.date
CCCD = "062080001234"  # Kon Tum, man born 1980
OUTSIDE_VI = "thuộc một người ngoài địa bàn quản lý của bạn"
OUTSIDE_EN = "belongs to a person outside your jurisdiction"


@pytest.fixture
def resident_a(commune_a, person_factory):
    return person_factory(commune_a, full_name="Hồ Thị Bí Mật", birth_year=1980, sex="M", id_kind="cccd", id_number=CCCD)


def test_the_central_lookup_answers_found_outside_or_none(personas, resident_a):
    assert lookup_person_by_national_id(personas["commune_a"], CCCD) == (ID_FOUND, resident_a)
    assert lookup_person_by_national_id(personas["district_a"], CCCD) == (ID_FOUND, resident_a)
    assert lookup_person_by_national_id(personas["commune_b"], CCCD) == (ID_OUTSIDE, None)
    assert lookup_person_by_national_id(personas["agency"], CCCD) == (ID_OUTSIDE, None)
    assert lookup_person_by_national_id(personas["commune_b"], "062080009999") == (ID_NONE, None)
    assert lookup_person_by_national_id(personas["commune_a"], CCCD, exclude_pk=resident_a.pk) == (ID_NONE, None)


def test_the_contact_form_does_not_name_or_link_a_resident_outside_the_jurisdiction(client_for, personas, commune_b, resident_a,
                                                                                     person_factory, open_case):
    from cases.services import open_case as _open

    f0 = _open(by=personas["commune_b"], person=person_factory(commune_b, full_name="Ca Nguồn B"), confirmed_on=D(2022, 2, 10),
               test_kind="rt_pcr")
    r = client_for(personas["commune_b"]).post(f"/contacts/ca/{f0.pk}/", {
        "full_name": "Người Lạ", "birth_year": 1980, "sex": "M", "commune": commune_b.pk, "id_number": CCCD,
        "setting": "household", "last_exposure_on": "09/02/2022", "fully_vaccinated": "true", "last_dose_on": "01/11/2021"})
    page = r.content.decode()
    assert r.status_code == 200
    assert OUTSIDE_VI in page and OUTSIDE_EN in page
    assert "Bí Mật" not in page and f"hồ sơ #{resident_a.pk}" not in page and f"record #{resident_a.pk}" not in page
    assert not Contact.objects.exists()
    assert Person.objects.filter(id_number=CCCD).count() == 1


def test_the_contact_form_links_a_resident_inside_the_jurisdiction(client_for, personas, commune_a, resident_a, person_factory,
                                                                    open_case):
    f0 = open_case(person_factory(commune_a, full_name="Ca Nguồn A"), D(2022, 2, 10))
    r = client_for(personas["commune_a"]).post(f"/contacts/ca/{f0.pk}/", {
        "full_name": "Hồ Thị Bí Mật", "birth_year": 1980, "sex": "M", "commune": commune_a.pk, "id_number": CCCD,
        "setting": "household", "last_exposure_on": "09/02/2022", "fully_vaccinated": "true", "last_dose_on": "01/11/2021"})
    assert r.status_code == 302
    assert Contact.objects.get().person == resident_a


def test_the_arrival_form_does_not_name_or_link_a_resident_outside_the_jurisdiction(client_for, personas, commune_b, resident_a):
    r = client_for(personas["commune_b"]).post("/contacts/nguoi-den/", {
        "full_name": "Người Lạ", "birth_year": 1980, "sex": "M", "commune": commune_b.pk, "id_number": CCCD,
        "origin": "Hà Nội", "arrived_on": "12/02/2022", "means": "bus"})
    page = r.content.decode()
    assert r.status_code == 200
    assert OUTSIDE_VI in page and OUTSIDE_EN in page
    assert "Bí Mật" not in page and f"hồ sơ #{resident_a.pk}" not in page and f"record #{resident_a.pk}" not in page
    assert not Arrival.objects.exists()


def test_the_people_form_does_not_give_the_record_number_outside_the_jurisdiction(client_for, personas, commune_b, resident_a):
    r = client_for(personas["commune_b"]).post("/people/them/", {
        "full_name": "Người Lạ", "birth_year": "1980", "sex": "M", "id_kind": "cccd", "id_number": CCCD, "phone": "",
        "commune": commune_b.pk, "ethnicity": "01"})
    page = r.content.decode()
    assert r.status_code == 200
    assert OUTSIDE_VI in page and OUTSIDE_EN in page
    assert f"hồ sơ #{resident_a.pk}" not in page and "Bí Mật" not in page
    assert Person.objects.filter(id_number=CCCD).count() == 1


def test_the_people_api_does_not_give_the_record_id_outside_the_jurisdiction(api_for, personas, commune_a, commune_b, resident_a):
    payload = {"full_name": "Người Lạ", "birth_year": 1980, "sex": "M", "id_kind": "cccd", "id_number": CCCD}
    r = api_for(personas["commune_b"]).post("/api/people/", {**payload, "commune": commune_b.pk}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert "existing_id" not in body and str(resident_a.pk) not in str(body)
    assert OUTSIDE_EN in str(body) and OUTSIDE_VI in str(body)
    # Inside the jurisdiction the record is named, so the user can open it.
    r = api_for(personas["commune_a"]).post("/api/people/", {**payload, "commune": commune_a.pk}, format="json")
    assert r.status_code == 400 and str(resident_a.pk) in str(r.json()["existing_id"])


def test_editing_a_record_to_an_id_outside_the_jurisdiction_does_not_give_the_record_id(api_for, personas, commune_b, resident_a,
                                                                                      person_factory):
    mine = person_factory(commune_b, full_name="Đinh Văn Bê", birth_year=1980, sex="M")
    r = api_for(personas["commune_b"]).patch(f"/api/people/{mine.pk}/", {"id_kind": "cccd", "id_number": CCCD, "version": mine.version},
                                             format="json")
    assert r.status_code == 400
    assert str(resident_a.pk) not in str(r.json()) and OUTSIDE_EN in str(r.json())
