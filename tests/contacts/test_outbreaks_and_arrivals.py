"""Outbreaks close only after N days without a new case (rule as data); arrivals and the public declaration."""
import datetime as dt

import pytest

from contacts import services
from contacts.models import Arrival, Outbreak
from core.errors import Invalid
from people.models import Person

D = dt.date


def test_it_closes_an_outbreak_only_after_the_rule_days_without_a_new_case(personas, commune_a, person_factory, open_case):
    ob = services.create_outbreak(by=personas["commune_a"], name="Ổ dịch thôn 1", commune=commune_a, started_on=D(2022, 2, 1))
    services.add_case_to_outbreak(by=personas["commune_a"], outbreak=ob, case=open_case(person_factory(commune_a, full_name="A"), D(2022, 2, 1)))
    services.add_case_to_outbreak(by=personas["commune_a"], outbreak=ob, case=open_case(person_factory(commune_a, full_name="B"), D(2022, 2, 5)))
    state = services.closing_state(ob, D(2022, 2, 18))
    assert state["days"] == 14 and state["closable_on"] == D(2022, 2, 19) and not state["closable"]
    with pytest.raises(Invalid) as exc:
        services.close_outbreak(by=personas["commune_a"], outbreak=ob, on=D(2022, 2, 18))
    assert "14 ngày" in exc.value.vi and "19/02/2022" in exc.value.vi
    services.close_outbreak(by=personas["commune_a"], outbreak=ob, on=D(2022, 2, 19))
    ob.refresh_from_db()
    assert ob.status == Outbreak.Status.CLOSED and ob.closing_rule.kind == "outbreak"


def test_it_shows_outbreaks_in_the_users_area_only(client_for, personas, commune_a, commune_b):
    services.create_outbreak(by=personas["commune_a"], name="Ổ dịch chợ", commune=commune_a, started_on=D(2022, 2, 1))
    assert "Ổ dịch chợ" in client_for(personas["commune_a"]).get("/contacts/o-dich/").content.decode()
    assert "Ổ dịch chợ" not in client_for(personas["commune_b"]).get("/contacts/o-dich/").content.decode()


def test_it_monitors_arrivals_under_the_rule_of_their_arrival_date(personas, commune_a, person_factory):
    a = services.record_arrival(by=personas["commune_a"], person=person_factory(commune_a), origin="TP Hồ Chí Minh",
                                arrived_on=D(2022, 2, 21), fully_vaccinated=True)
    assert "762/BYT-DP" in a.rule_set.source_document and a.test_dates == ["2022-02-26"] and a.follow_up_end == D(2022, 3, 3)


def test_it_takes_a_public_declaration_without_login_and_dedupes_people(client, kontum, commune_a, person_factory):
    known = person_factory(commune_a, full_name="Phạm Văn Đến", birth_year=1985, phone="0905123456")
    form = {"full_name": "pham van đến".title(), "birth_year": 1985, "sex": "M", "phone": "0905 123 456", "commune": commune_a.pk,
            "origin": "Hà Nội", "arrived_on": "12/02/2022", "means": "bus", "consent": "on"}
    form["full_name"] = "Phạm Văn Đến"
    page = client.get("/contacts/cong-khai/khai-bao-y-te/")
    assert page.status_code == 200 and 'name="viewport"' in page.content.decode()
    r = client.post("/contacts/cong-khai/khai-bao-y-te/", form)
    assert r.status_code == 200 and "Cảm ơn" in r.content.decode()
    assert "Phạm Văn Đến" not in r.content.decode()  # nothing personal shown back
    arrival = Arrival.objects.get()
    assert arrival.person == known and arrival.via == Arrival.Via.PUBLIC_FORM
    # Same name and year but another phone: a different person.
    client.post("/contacts/cong-khai/khai-bao-y-te/", {**form, "phone": "0987654321"})
    assert Person.objects.filter(full_name="Phạm Văn Đến").count() == 2
    # Missing consent: refused, nothing saved.
    r = client.post("/contacts/cong-khai/khai-bao-y-te/", {**form, "consent": ""})
    assert r.status_code == 200 and Arrival.objects.count() == 2


def test_it_follows_arrivals_daily_and_lists_the_unmonitored(client_for, personas, commune_a, person_factory, monkeypatch):
    from django.utils import timezone

    today = timezone.localdate()
    seen = services.record_arrival(by=personas["commune_a"], person=person_factory(commune_a, full_name="Đã Gọi"), origin="Hà Nội",
                                   arrived_on=today - dt.timedelta(days=3))
    forgotten = services.record_arrival(by=personas["commune_a"], person=person_factory(commune_a, full_name="Bị Quên"), origin="Hà Nội",
                                        arrived_on=today - dt.timedelta(days=3))
    c = client_for(personas["commune_a"])
    r = c.post("/contacts/nguoi-den/?xem=all", {"action": "check", "arrival": seen.pk, "has_symptoms": "on"})
    assert r.status_code == 302
    seen.refresh_from_db()
    assert seen.last_check_on == today and seen.has_symptoms
    assert list(services.unmonitored_arrivals(Arrival.objects.all(), today)) == [forgotten]
    page = c.get("/contacts/nguoi-den/?xem=unmonitored").content.decode()
    assert "Bị Quên" in page and "Đã Gọi" not in page
    assert client_for(personas["commune_b"]).post("/contacts/nguoi-den/", {"action": "check", "arrival": seen.pk}).status_code == 404


def test_it_records_an_outbreak_at_a_village_from_the_page(client_for, personas, commune_a, commune_b):
    from geo.models import Village

    village = Village.objects.create(commune=commune_a, name="Tổ 3", name_folded="to 3", kind="to")
    other = Village.objects.create(commune=commune_b, name="Làng B", name_folded="lang b", kind="lang")
    c = client_for(personas["commune_a"])
    r = c.post("/contacts/o-dich/", {"name": "Ổ dịch tổ 3", "commune": commune_a.pk, "place_kind": "village", "village": village.pk,
                                     "started_on": "05/02/2022"})
    ob = Outbreak.objects.get()
    assert r.status_code == 302 and ob.village == village
    r = c.post("/contacts/o-dich/", {"name": "Ngoài địa bàn", "commune": commune_a.pk, "place_kind": "village", "village": other.pk,
                                     "started_on": "05/02/2022"})
    assert r.status_code == 200 and Outbreak.objects.count() == 1  # a village outside the user's area is not offered
