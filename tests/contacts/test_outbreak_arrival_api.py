"""The rest of contact tracing over the API (issue #14 §3): an F2 through its F1, conversion with the positive test,
a case opened from a positive test, outbreaks (open, add a case, vector-control action, close) and arrivals (an
existing or a new person, de-duplicated; daily follow-up). Scoped (404), role-checked (403), audited, bilingual 400."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from cases.models import Case
from contacts import services
from contacts.models import Arrival, Contact, Outbreak, VectorControlAction
from people.models import Person
from testing import services as testing_services
from tests.conftest import make_person

D = dt.date


def _since():
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def _audited(model, action, since, pk=None):
    qs = AuditEvent.objects.filter(target_type=model._meta.label_lower, action=action, id__gt=since)
    return (qs.filter(target_id=str(pk)) if pk is not None else qs).exists()


@pytest.fixture
def f1(personas, commune_a, open_case):
    source = open_case(make_person(commune_a, full_name="Nguyễn Văn An"))
    return services.add_contact(by=personas["commune_a"], source_case=source, person=make_person(commune_a, full_name="Trần Thị Bình"),
                                last_exposure_on=D(2022, 1, 30))


def test_an_f2_is_recorded_through_its_f1(personas, api_for, commune_a, f1):
    p = make_person(commune_a, full_name="Lê Văn Cường", birth_year=1970)
    api = api_for(personas["commune_a"])
    body = {"person": p.pk, "source_case": f1.source_case_id, "first_exposure_on": "2022-01-31", "last_exposure_on": "2022-01-31",
            "setting": "household",
            "source_contact": f1.pk}
    r = api.post("/api/contacts/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["generation"] == "F2" and Contact.objects.get(pk=r.json()["id"]).source_contact_id == f1.pk
    outside = api_for(personas["commune_b"]).post("/api/contacts/", {**body, "person": make_person(commune_a).pk}, format="json")
    assert outside.status_code == 400


def test_convert_with_the_positive_test_takes_its_kind(personas, api_for, f1):
    api = api_for(personas["commune_a"])
    neg = testing_services.record_test(by=personas["commune_a"], person=f1.person, kind="rt_pcr", sample_code="N1",
                                       taken_on=D(2022, 2, 1), result="negative", reported_on=D(2022, 2, 2))
    r = api.post(f"/api/contacts/{f1.pk}/convert/", {"version": f1.version, "confirmed_on": "2022-02-03", "test": neg.pk}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "test"
    pos = testing_services.record_test(by=personas["commune_a"], person=f1.person, kind="rt_pcr", sample_code="P1",
                                       taken_on=D(2022, 2, 2), result="positive", reported_on=D(2022, 2, 3))
    r = api.post(f"/api/contacts/{f1.pk}/convert/", {"version": f1.version, "confirmed_on": "2022-02-03", "test": pos.pk,
                                                     "test_kind": "rapid_antigen"}, format="json")
    assert r.status_code == 201, r.content
    assert Case.objects.get(pk=r.json()["case"]).test_kind == "rt_pcr"


def test_a_positive_test_opens_the_case(personas, api_for, commune_a, f1):
    api = api_for(personas["commune_a"])
    pos = testing_services.record_test(by=personas["commune_a"], person=f1.person, kind="rt_pcr", sample_code="P2",
                                       taken_on=D(2022, 2, 2), result="positive", reported_on=D(2022, 2, 3))
    assert api_for(personas["commune_b"]).post("/api/contacts/open-case-from-test/", {"test": pos.pk}, format="json").status_code == 400
    for user in ("leader", "care_a"):  # a care team follows cases; registering one is the health staff's
        assert api_for(personas[user]).post("/api/contacts/open-case-from-test/", {"test": pos.pk}, format="json").status_code == 403
    since = _since()
    r = api.post("/api/contacts/open-case-from-test/", {"test": pos.pk}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["converted_contact"] == f1.pk and _audited(Case, "create", since, r.json()["case"])
    stranger = make_person(commune_a, full_name="Y Hơn", birth_year=1988)
    neg = testing_services.record_test(by=personas["commune_a"], person=stranger, kind="rapid_antigen", sample_code="N2",
                                       taken_on=D(2022, 2, 2), result="negative", reported_on=D(2022, 2, 2))
    refused = api.post("/api/contacts/open-case-from-test/", {"test": neg.pk}, format="json")
    assert refused.status_code == 400 and "positive" in refused.json()["message_en"] and "dương tính" in refused.json()["message_vi"]


def test_outbreaks_open_take_cases_and_vector_actions_and_close(personas, api_for, commune_a, commune_b, f1):
    api = api_for(personas["commune_a"])
    since = _since()
    r = api.post("/api/outbreaks/", {"name": "Ổ dịch thôn 1", "commune": commune_a.pk, "started_on": "2022-02-01",
                                     "place_kind": "village"}, format="json")
    assert r.status_code == 201, r.content
    ob = Outbreak.objects.get(pk=r.json()["id"])
    assert _audited(Outbreak, "create", since, ob.pk)
    assert api.post("/api/outbreaks/", {"name": "X", "commune": commune_b.pk, "started_on": "2022-02-01"},
                    format="json").status_code == 400
    future = api.post("/api/outbreaks/", {"name": "X", "commune": commune_a.pk, "started_on": "2099-02-01"}, format="json")
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "started_on"

    r = api.post(f"/api/outbreaks/{ob.pk}/cases/", {"case": f1.source_case_id}, format="json")
    assert r.status_code == 200 and ob.cases.filter(pk=f1.source_case_id).exists()
    f1.refresh_from_db()
    assert f1.outbreak_id == ob.pk
    va = {"kind": VectorControlAction.Kind.values[0], "started_on": "2022-02-02", "ended_on": "2022-02-03",
          "households_targeted": 40, "households_covered": 38}
    r = api.post(f"/api/outbreaks/{ob.pk}/vector-actions/", va, format="json")
    assert r.status_code == 201 and _audited(VectorControlAction, "create", since, r.json()["id"])
    bad = api.post(f"/api/outbreaks/{ob.pk}/vector-actions/", {**va, "households_covered": 50}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "households_covered"

    for user, code in ((personas["commune_b"], 404), (personas["leader"], 403)):
        assert api_for(user).post(f"/api/outbreaks/{ob.pk}/close/", {}, format="json").status_code == code
    r = api.post(f"/api/outbreaks/{ob.pk}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == Outbreak.Status.CLOSED
    again = api.post(f"/api/outbreaks/{ob.pk}/cases/", {"case": f1.source_case_id}, format="json")
    assert again.status_code == 400 and again.json()["message_en"]


def test_arrivals_of_known_and_new_people_with_their_follow_up(personas, api_for, commune_a, commune_b):
    api = api_for(personas["commune_a"])
    known = make_person(commune_a, full_name="Phạm Văn Đến", birth_year=1985)
    since = _since()
    r = api.post("/api/arrivals/", {"person": known.pk, "origin": "TP Hồ Chí Minh", "arrived_on": "2022-02-21",
                                    "fully_vaccinated": True}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["follow_up_end"] == "2022-03-03" and _audited(Arrival, "create", since, r.json()["id"])
    new = {"full_name": "Phạm Văn Đến", "birth_year": 1985, "sex": "M", "commune": commune_a.pk}
    dup = api.post("/api/arrivals/", {"new_person": new, "origin": "Hà Nội", "arrived_on": "2022-02-21"}, format="json")
    assert dup.status_code == 409 and dup.json()["possible_duplicates"][0]["id"] == known.pk
    r = api.post("/api/arrivals/", {"new_person": new, "accept_new": True, "origin": "Hà Nội", "arrived_on": "2022-02-21"},
                 format="json")
    assert r.status_code == 201 and Person.objects.filter(full_name="Phạm Văn Đến").count() == 2
    outside = api.post("/api/arrivals/", {"new_person": {**new, "commune": commune_b.pk}, "origin": "Hà Nội",
                                          "arrived_on": "2022-02-21"}, format="json")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "new_person.commune"
    neither = api.post("/api/arrivals/", {"origin": "Hà Nội", "arrived_on": "2022-02-21"}, format="json")
    assert neither.status_code == 400 and neither.json()["message_vi"] and neither.json()["message_en"]

    arrival = Arrival.objects.filter(person=known).get()
    assert api_for(personas["commune_b"]).post(f"/api/arrivals/{arrival.pk}/checks/", {}, format="json").status_code == 404
    assert api_for(personas["leader"]).post(f"/api/arrivals/{arrival.pk}/checks/", {}, format="json").status_code == 403
    r = api.post(f"/api/arrivals/{arrival.pk}/checks/", {"day": "2022-02-22", "has_symptoms": True, "note": "ho"}, format="json")
    assert r.status_code == 200 and r.json()["last_check_on"] == "2022-02-22" and r.json()["has_symptoms"]
    early = api.post(f"/api/arrivals/{arrival.pk}/checks/", {"day": "2022-02-20"}, format="json")
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "day"
