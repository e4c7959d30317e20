"""Tracing pages and API: trace from a case, see the rule applied, jurisdiction, roles, chain API."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from contacts import services
from contacts.models import Contact

D = dt.date


@pytest.fixture
def f0(commune_a, person_factory, open_case):
    return open_case(person_factory(commune_a, full_name="Trần Văn Nguồn"), D(2022, 2, 10))


def post_contact(client, case, commune, **kw):
    data = {"full_name": "Lê Thị Hoa", "birth_year": 1990, "sex": "F", "commune": commune.pk, "setting": "household",
            "last_exposure_on": "09/02/2022", "fully_vaccinated": "true", "last_dose_on": "01/11/2021"}
    data.update(kw)
    return client.post(f"/contacts/ca/{case.pk}/", data)


def test_it_traces_a_contact_from_a_case_and_shows_the_rule_applied(client_for, personas, commune_a, f0):
    c = client_for(personas["commune_a"])
    r = post_contact(c, f0, commune_a)
    assert r.status_code == 302, r.content.decode()[:2000]
    contact = Contact.objects.get()
    assert contact.person.full_name == "Lê Thị Hoa" and contact.quarantine_days == 7  # 10696, fully vaccinated
    page = c.get(f"/contacts/{contact.pk}/").content.decode()
    assert "10696/BYT-MT" in page and "16/02/2022" in page  # quarantine end
    assert AuditEvent.objects.filter(action="view", target_id=str(contact.pk)).exists()


def test_it_proposes_duplicates_before_creating_a_person(client_for, personas, commune_a, f0, person_factory):
    same = person_factory(commune_a, full_name="Lê Thị Hoa", birth_year=1990, sex="F")
    c = client_for(personas["commune_a"])
    r = post_contact(c, f0, commune_a)
    assert r.status_code == 200 and "Chọn người này" in r.content.decode()
    assert not Contact.objects.exists()
    r = post_contact(c, f0, commune_a, existing_person=same.pk)
    assert r.status_code == 302 and Contact.objects.get().person == same


def test_it_refuses_an_exposure_after_own_confirmation_on_the_form(client_for, personas, commune_a, f0, person_factory, open_case):
    p = person_factory(commune_a, full_name="Đã Mắc", id_number="062090001234")
    open_case(p, D(2022, 2, 1))
    r = post_contact(client_for(personas["commune_a"]), f0, commune_a, full_name="Đã Mắc", id_number="062090001234")
    assert r.status_code == 200 and "đã là F0" in r.content.decode()
    assert not Contact.objects.exists()


def test_it_hides_other_communes_contacts_and_keeps_leadership_read_only(client_for, personas, commune_a, f0, person_factory):
    contact = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Con"),
                                   last_exposure_on=D(2022, 2, 9))
    assert client_for(personas["commune_b"]).get(f"/contacts/{contact.pk}/").status_code == 404
    assert client_for(personas["commune_b"]).get(f"/contacts/ca/{f0.pk}/").status_code == 404
    assert client_for(personas["district_a"]).get(f"/contacts/{contact.pk}/").status_code == 200
    leader = client_for(personas["leader"])
    assert leader.get(f"/contacts/{contact.pk}/").status_code == 200
    assert post_contact(leader, f0, commune_a).status_code == 403
    assert client_for(personas["agency"]).get("/contacts/").status_code == 403


def test_it_serves_the_chain_with_generations_and_hides_outsiders(api_for, personas, commune_a, commune_b, person_factory, open_case, f0):
    c1 = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_b, full_name="Ở Xã B"),
                              last_exposure_on=D(2022, 2, 9))
    case_b = services.convert_to_case(by=personas["commune_a"], contact=c1, confirmed_on=D(2022, 2, 11))
    services.add_contact(by=personas["commune_a"], source_case=case_b, person=person_factory(commune_b, full_name="F1 Xã B"),
                         last_exposure_on=D(2022, 2, 10))
    r = api_for(personas["commune_a"]).get(f"/api/chains/{f0.pk}/")
    assert r.status_code == 200
    nodes = {n["data"]["id"]: n["data"] for n in r.json()["elements"]["nodes"]}
    assert nodes[f"case-{f0.pk}"]["generation"] == 0 and nodes[f"case-{case_b.pk}"]["generation"] == 1
    assert "Ở Xã B" not in nodes[f"case-{case_b.pk}"]["label"]  # outside commune A: no personal data
    assert len(r.json()["elements"]["edges"]) == 2
    r = api_for(personas["commune_b"]).get(f"/api/chains/{case_b.pk}/")
    data = {n["data"]["id"]: n["data"] for n in r.json()["elements"]["nodes"]}
    assert data[f"case-{f0.pk}"]["generation"] == -1 and "Nguồn" not in data[f"case-{f0.pk}"]["label"]
    assert api_for(personas["commune_b"]).get(f"/api/chains/{f0.pk}/").status_code == 404


def test_it_converts_from_the_contact_page(client_for, personas, commune_a, f0, person_factory):
    contact = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Con"),
                                   last_exposure_on=D(2022, 2, 9))
    # A care team follows the contact but does not register F0 (the API's rule too): no form, and the POST is refused.
    care = client_for(personas["care_a"])
    page = care.get(f"/contacts/{contact.pk}/")
    assert page.status_code == 200 and 'id="convert-form"' not in page.content.decode()
    assert care.post(f"/contacts/{contact.pk}/chuyen-f0/", {"confirmed_on": "12/02/2022"}).status_code == 403
    assert 'id="convert-form"' in client_for(personas["commune_a"]).get(f"/contacts/{contact.pk}/").content.decode()
    r = client_for(personas["commune_a"]).post(f"/contacts/{contact.pk}/chuyen-f0/", {"confirmed_on": "12/02/2022"})
    contact.refresh_from_db()
    assert contact.converted_case is not None
    assert r.status_code == 302 and r.url == f"/contacts/ca/{contact.converted_case_id}/"


def test_it_creates_contacts_through_the_api(api_for, personas, commune_a, f0, person_factory):
    p = person_factory(commune_a, full_name="Qua API")
    r = api_for(personas["commune_a"]).post("/api/contacts/", {"person": p.pk, "source_case": f0.pk, "first_exposure_on": "2022-02-08",
                                                              "last_exposure_on": "2022-02-09", "setting": "workplace"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["rule_source"].startswith("10696/BYT-MT") and r.json()["quarantine_days"] == 14
    bad = api_for(personas["commune_a"]).post("/api/contacts/", {"person": f0.person_id, "source_case": f0.pk, "first_exposure_on": "2022-02-08",
                                                                "last_exposure_on": "2022-02-09"}, format="json")
    assert bad.status_code == 400
    assert api_for(personas["commune_b"]).get("/api/contacts/").json()["count"] == 0


def test_it_records_an_f2_through_the_form(client_for, personas, commune_a, person_factory, open_case):
    f0 = open_case(person_factory(commune_a, full_name="Ca Tháng Mười Hai"), D(2021, 12, 20))
    f1 = services.add_contact(by=personas["commune_a"], source_case=f0, person=person_factory(commune_a, full_name="Mẹ"),
                              last_exposure_on=D(2021, 12, 19))
    r = post_contact(client_for(personas["commune_a"]), f0, commune_a, full_name="Hàng Xóm", last_exposure_on="20/12/2021",
                     source_contact=f1.pk)
    assert r.status_code == 302
    f2 = Contact.objects.get(person__full_name="Hàng Xóm")
    assert f2.generation == "F2" and f2.source_contact == f1


def test_it_shows_home_tiles_counted_in_the_users_area(client_for, personas, commune_a, person_factory):
    services.create_outbreak(by=personas["commune_a"], name="Ổ dịch chợ", commune=commune_a, started_on=D(2022, 2, 1))
    mine = client_for(personas["commune_a"]).get("/").context["tiles"]
    other = client_for(personas["commune_b"]).get("/").context["tiles"]
    value = {t["label"]: t["value"] for t in mine}
    assert value["Ổ dịch đang hoạt động"] == 1 and "Người tiếp xúc chưa được theo dõi" in value
    assert {t["label"]: t["value"] for t in other}["Ổ dịch đang hoạt động"] == 0
    assert not [t for t in client_for(personas["agency"]).get("/").context["tiles"] if t["label"] == "Ổ dịch đang hoạt động"]
