"""The contact-tracing writes over the API: edit (409 when stale), daily follow-ups, conversion to a case, linking two
cases; each scoped, audited, and refusing bad input in the API's one error shape."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from cases.models import Case
from contacts import services
from contacts.models import Contact, ContactCheck
from tests.conftest import make_person


@pytest.fixture
def contact(personas, commune_a, open_case):
    source = open_case(make_person(commune_a, full_name="Nguyễn Văn An"))
    person = make_person(commune_a, full_name="Trần Thị Bình", birth_year=1990)
    return services.add_contact(by=personas["commune_a"], source_case=source, person=person,
                                last_exposure_on=dt.date(2022, 1, 30))


def test_edit_audits_and_answers_409_when_stale(personas, api_for, contact):
    api = api_for(personas["commune_a"])
    r = api.patch(f"/api/contacts/{contact.pk}/", {"version": contact.version, "place": "Chợ Kon Tum"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["place"] == "Chợ Kon Tum" and r.json()["version"] == contact.version + 1
    assert AuditEvent.objects.filter(target_type="contacts.contact", target_id=str(contact.pk), action="update").exists()
    stale = api.patch(f"/api/contacts/{contact.pk}/", {"version": contact.version, "place": "Nhà"}, format="json")
    assert stale.status_code == 409
    bad = api.patch(f"/api/contacts/{contact.pk}/", {"version": contact.version + 1, "last_exposure_on": "2030-01-01"},
                    format="json")
    assert bad.status_code == 400 and bad.json()["message_vi"] and bad.json()["message_en"]
    assert api_for(personas["commune_b"]).patch(f"/api/contacts/{contact.pk}/", {"version": 2}, format="json").status_code == 404


def test_follow_ups_are_recorded_once_per_day_and_audited(personas, api_for, contact):
    api = api_for(personas["commune_a"])
    r = api.post(f"/api/contacts/{contact.pk}/follow-ups/", {"day": "2022-01-31", "has_symptoms": True,
                                                            "symptoms": "ho", "temperature": "37.8"}, format="json")
    assert r.status_code == 201, r.content
    check = ContactCheck.objects.get(contact=contact)
    assert check.has_symptoms and AuditEvent.objects.filter(target_type="contacts.contactcheck", target_id=str(check.pk)).exists()
    again = api.post(f"/api/contacts/{contact.pk}/follow-ups/", {"day": "2022-01-31"}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "day"
    assert "31/01/2022" in again.json()["message_vi"]
    assert [c["day"] for c in api.get(f"/api/contacts/{contact.pk}/follow-ups/").json()] == ["2022-01-31"]
    assert api_for(personas["commune_b"]).post(f"/api/contacts/{contact.pk}/follow-ups/", {"day": "2022-02-01"},
                                               format="json").status_code == 404


def test_convert_makes_a_case_and_keeps_the_link(personas, api_for, contact):
    api = api_for(personas["commune_a"])
    stale = api.post(f"/api/contacts/{contact.pk}/convert/", {"version": contact.version + 5, "confirmed_on": "2022-02-02"},
                     format="json")
    assert stale.status_code == 409 and not Case.objects.filter(person=contact.person).exists()
    r = api.post(f"/api/contacts/{contact.pk}/convert/", {"version": contact.version, "confirmed_on": "2022-02-02"},
                 format="json")
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()["case"])
    assert case.person == contact.person and r.json()["contact"]["status"] == Contact.Status.CONVERTED
    assert AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk), action="create").exists()
    twice = api.post(f"/api/contacts/{contact.pk}/convert/", {"version": contact.version + 1, "confirmed_on": "2022-02-02"},
                     format="json")
    assert twice.status_code == 400 and "already" in twice.json()["message_en"]


def test_link_two_cases_scoped_and_refusing_cycles(personas, api_for, commune_a, commune_b, open_case):
    a = open_case(make_person(commune_a, full_name="Lê Văn Cường"), confirmed_on=dt.date(2022, 2, 1))
    b = open_case(make_person(commune_a, full_name="Phạm Thị Dung"), confirmed_on=dt.date(2022, 2, 4))
    outside = open_case(make_person(commune_b, full_name="Hồ Văn Em"), confirmed_on=dt.date(2022, 2, 4))
    api = api_for(personas["commune_a"])
    r = api.post("/api/contacts/link-cases/", {"infector_case": a.pk, "infected_case": b.pk, "last_exposure_on": "2022-02-01"},
                 format="json")
    assert r.status_code == 201, r.content
    link = Contact.objects.get(pk=r.json()["id"])
    assert (link.source_case, link.converted_case) == (a, b)
    assert AuditEvent.objects.filter(target_type="contacts.contact", target_id=str(link.pk)).exists()
    cycle = api.post("/api/contacts/link-cases/", {"infector_case": b.pk, "infected_case": a.pk,
                                                   "last_exposure_on": "2022-01-31"}, format="json")
    assert cycle.status_code == 400 and cycle.json()["message_vi"] and cycle.json()["message_en"]
    far = api.post("/api/contacts/link-cases/", {"infector_case": a.pk, "infected_case": outside.pk,
                                                 "last_exposure_on": "2022-02-01"}, format="json")
    assert far.status_code == 400 and far.json()["errors"][0]["field"] == "infected_case"
    assert "Em" not in far.content.decode()
