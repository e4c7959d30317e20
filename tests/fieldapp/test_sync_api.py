"""The sync API: incremental download with a server cursor (changes, deletions, scope changes, pages, gzip) and batch
upload answered entry by entry (stored, duplicate, refused, conflict)."""
import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Alert, Check
from contacts.models import ContactCheck
from fieldapp.models import SyncReceipt

from .conftest import download, download_all, upload

pytestmark = pytest.mark.django_db


def check(case, key, **values):
    return {"kind": "check", "key": key, "case": case.pk, "taken_at": timezone.now().isoformat(), "values": values, "symptoms": []}


def test_a_first_download_has_the_patients_of_my_area_with_their_last_checks_and_alerts(home_case, personas, api_for, commune_b):
    from cases import services

    mine = home_case()
    other = home_case(full_name="Lê Văn Cường", commune=commune_b)
    services.record_check(by=personas["care_a"], case=mine, data={"spo2": 95})
    records, ids, _cursor = download_all(api_for(personas["care_a"]), "patients")
    assert ids == [mine.pk] and other.pk not in ids
    (rec,) = records
    assert rec["person"]["full_name"] == "Nguyễn Văn An" and rec["person"]["version"] == mine.person.version
    assert rec["checks"][0]["spo2"] == 95 and len(rec["alerts"]) == 1
    # Data minimisation: no ID number, no ethnicity, no comorbidities on the phone.
    assert "id_number" not in rec["person"] and "comorbidities" not in rec["person"]


def test_a_care_team_member_in_a_team_gets_his_teams_patients_only(home_case, personas, api_for, commune_a):
    from facilities.models import Team

    team = Team.objects.create(name="Tổ 1", kind="care_team", commune=commune_a)
    team.members.add(personas["care_a"])
    ours = home_case(team=team)
    home_case(full_name="Phạm Văn Dũng")  # no team: the station's, not this member's
    _records, ids, _c = download_all(api_for(personas["care_a"]), "patients")
    assert ids == [ours.pk]


def test_the_next_download_has_only_what_changed_and_drops_what_left_my_worklist(home_case, personas, api_for, commune_a):
    from cases import services
    from facilities.models import Team

    mine = Team.objects.create(name="Tổ 1", kind="care_team", commune=commune_a)
    theirs = Team.objects.create(name="Tổ 2", kind="care_team", commune=commune_a)
    mine.members.add(personas["care_a"])
    a, b, c = home_case(team=mine), home_case(full_name="Lê Văn Cường", team=mine), home_case(full_name="Phạm Văn Dũng", team=mine)
    api = api_for(personas["care_a"])
    _r, ids, cursor = download_all(api, "patients")
    assert sorted(ids) == sorted([a.pk, b.pk, c.pk])
    # Pretend the first download was long ago (the cursor's overlap covers a minute): nothing changed since.
    from fieldapp import sync

    state = sync._load(cursor, personas["care_a"])
    old = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    cursor = sync._dump({**state, "since": old})
    a.refresh_from_db()
    type(a).objects.filter(pk__in=[a.pk, b.pk, c.pk]).update(updated_at=timezone.now() - dt.timedelta(minutes=10))
    from people.models import Person

    Person.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=10))
    Check.objects.update(recorded_at=timezone.now() - dt.timedelta(minutes=10))
    services.record_check(by=personas["care_a"], case=a, data={"spo2": 98})  # a new check on a
    # c is handed to another team: it leaves my worklist.
    c.refresh_from_db()
    services.update_case(by=personas["commune_a"], case=c, expected_version=c.version, changes={"team": theirs})
    page = download(api, "patients", cursor)
    assert [r["id"] for r in page["records"]] == [a.pk] and not page["full"]
    assert sorted(page["ids"]) == sorted([a.pk, b.pk])


def test_downloads_come_in_bounded_pages(home_case, personas, api_for, settings):
    settings.FIELD_PAGE_SIZE = 2
    made = [home_case(full_name=f"Người Số {n}") for n in "ABCDE"]
    api = api_for(personas["care_a"])
    first = download(api, "patients")
    assert len(first["records"]) == 2 and first["more"] and "ids" not in first
    records, ids, _c = download_all(api, "patients")
    assert sorted(r["id"] for r in records) == sorted(c.pk for c in made) == sorted(ids)


def test_the_answer_is_gzipped_when_the_phone_accepts_it(home_case, personas, api_for):
    for n in range(30):
        home_case(full_name=f"Người Thứ {chr(65 + n % 26)}")
    r = api_for(personas["care_a"]).get("/api/field/worklists/patients/", HTTP_ACCEPT_ENCODING="gzip")
    assert r["Content-Encoding"] == "gzip"


def test_a_cursor_is_the_servers_and_the_users_own(home_case, personas, api_for):
    home_case()
    _r, _i, cursor = download_all(api_for(personas["care_a"]), "patients")
    assert api_for(personas["commune_a"]).get(f"/api/field/worklists/patients/?cursor={cursor}").status_code == 400
    r = api_for(personas["care_a"]).get(f"/api/field/worklists/patients/?cursor={cursor[:-3]}xyz")
    assert r.status_code == 400 and r.json()["message_vi"]


def test_contacts_under_follow_up_are_a_worklist_and_take_a_daily_follow_up(home_case, contact_of, personas, api_for):
    case = home_case()
    contact = contact_of(case)
    api = api_for(personas["care_a"])
    records, ids, _c = download_all(api, "contacts")
    assert ids == [contact.pk] and records[0]["person"]["full_name"] == "Trần Thị Bình"
    (answer,) = upload(api, {"kind": "contact_check", "key": "f1-1", "contact": contact.pk, "day": dt.date.today().isoformat(),
                             "has_symptoms": False, "temperature": "36.9"})
    assert answer["status"] == "stored"
    assert ContactCheck.objects.filter(contact=contact).count() == 1


def test_a_batch_answers_each_entry_and_a_refused_one_stops_nothing(home_case, personas, api_for, commune_b):
    case = home_case()
    outside = home_case(full_name="Lê Văn Cường", commune=commune_b)
    api = api_for(personas["care_a"])
    answers = upload(api, check(case, "k1", spo2=98), check(case, "k2", spo2=101), check(outside, "k3", spo2=97),
                     check(case, "k4", spo2=95), {"kind": "nonsense", "key": "k5"}, {"kind": "check"})
    assert [a["status"] for a in answers] == ["stored", "refused", "refused", "stored", "refused", "refused"]
    assert "Phiếu 2" in answers[1]["message_vi"] and "Entry 2" in answers[1]["message_en"]
    assert answers[2]["code"] == "not_found"  # outside the jurisdiction reads as not found
    assert answers[3]["alert"] == Alert.objects.get().pk
    assert Check.objects.count() == 2
    # The same batch again, in another order: nothing stored twice, the refused ones refused again.
    again = upload(api, check(case, "k4", spo2=95), check(case, "k2", spo2=101), check(case, "k1", spo2=98))
    assert [a["status"] for a in again] == ["duplicate", "refused", "duplicate"]
    assert Check.objects.count() == 2 and Alert.objects.count() == 1


def test_the_same_entry_sent_twice_is_one_record(home_case, personas, api_for):
    """The network cut after the server stored the entry: the phone never got the answer and sends it again."""
    case = home_case()
    api = api_for(personas["care_a"])
    entry = check(case, "cut-1", spo2=95)
    first, = upload(api, entry)
    second, = upload(api, entry)
    assert (first["status"], second["status"]) == ("stored", "duplicate")
    assert second["id"] == first["id"] and second["alert"] == first["alert"]
    assert Check.objects.count() == 1 and Alert.objects.count() == 1 and SyncReceipt.objects.count() == 1


def test_a_key_of_another_user_is_refused(home_case, personas, api_for):
    case = home_case()
    upload(api_for(personas["care_a"]), check(case, "shared", spo2=97))
    (answer,) = upload(api_for(personas["commune_a"]), check(case, "shared", spo2=97))
    assert answer["status"] == "refused" and answer["code"] == "key_used"


def test_a_person_edited_on_the_server_and_on_the_phone_is_a_conflict(home_case, personas, api_for):
    from people import services

    case = home_case()
    person = case.person
    api = api_for(personas["care_a"])
    (rec,), _ids, _c = download_all(api, "patients")
    base = rec["person"]["version"]
    services.update_person(by=personas["commune_a"], person=person, data={"phone": "0912000111"}, expected_version=person.version)
    entry = {"kind": "person_edit", "key": "p-1", "person": person.pk, "base_version": base, "changes": {"phone": "0905999888"}}
    (answer,) = upload(api, entry)
    assert answer["status"] == "conflict"
    assert answer["server"]["phone"] == "0912000111" and answer["mine"] == {"phone": "0905999888"}
    # Both languages: the phone shows the one of its user's language.
    assert "sửa trên máy chủ" in answer["message_vi"] and "changed on the server" in answer["message_en"]
    person.refresh_from_db()
    assert person.phone == "0912000111"  # never overwritten silently
    # The user keeps his own: the phone sends it again on the server's version.
    (answer,) = upload(api, {**entry, "key": "p-2", "base_version": answer["server"]["version"]})
    assert answer["status"] == "stored"
    person.refresh_from_db()
    assert person.phone == "0905999888"


def test_a_user_who_lost_access_is_refused(home_case, personas, api_for, commune_b):
    case = home_case()
    user = personas["care_a"]
    api = api_for(user)
    # Moved to another commune: his old patients' entries are refused, each with its reason.
    user.unit = commune_b
    user.save()
    (answer,) = upload(api, check(case, "moved-1", spo2=97))
    assert answer["status"] == "refused" and answer["code"] == "not_found"
    assert download_all(api, "patients")[1] == []
    # Deactivated: the whole sync is refused.
    user.is_active = False
    user.save()
    r = api.get("/api/field/session/")
    assert r.status_code == 401 and r.json()["code"] == "signed_out" and r.json()["message_vi"]
    assert api.post("/api/field/upload/", {"entries": [check(case, "x", spo2=97)]}, format="json").status_code == 401
    assert Check.objects.count() == 0


def test_roles_outside_the_health_readers_are_refused(personas, api_for):
    r = api_for(personas["agency"]).get("/api/field/session/")
    assert r.status_code == 403 and r.json()["code"] == "no_access"


def test_the_session_ships_the_warning_sign_rule_versions(personas, api_for):
    body = api_for(personas["care_a"]).get("/api/field/session/").json()
    sources = [r["source_document"] for r in body["rules"]]
    assert any(s.startswith("261/QĐ-BYT") for s in sources)
    v261 = next(r for r in body["rules"] if r["source_document"].startswith("261/QĐ-BYT"))
    assert v261["values"]["spo2_max"] == 96
    assert body["settings"]["wipe_after_days"] >= 1
    assert body["can"]["new_person"] is False  # a care-team member does not add people


def test_new_people_found_in_the_field_by_commune_staff(personas, api_for, commune_a):
    from people.models import Person

    (answer,) = upload(api_for(personas["commune_a"]), {"kind": "new_person", "key": "np-1", "data": {
        "full_name": "Y Blong", "birth_year": 1975, "sex": "F", "street": "Thôn 3"}})
    assert answer["status"] == "stored"
    assert Person.objects.get(pk=answer["id"]).commune == commune_a
    (answer,) = upload(api_for(personas["care_a"]), {"kind": "new_person", "key": "np-2", "data": {"full_name": "A", "birth_year": 1975}})
    assert answer["status"] == "refused" and answer["code"] == "forbidden"


def test_the_worklist_page_queries_are_bounded(home_case, personas, api_for, django_assert_max_num_queries):
    from cases import services

    for n in range(12):
        c = home_case(full_name=f"Người Thứ {chr(65 + n)}")
        services.record_check(by=personas["care_a"], case=c, data={"spo2": 95})
    api = api_for(personas["care_a"])
    with django_assert_max_num_queries(12):
        download(api, "patients")


def test_the_endpoints_are_in_the_openapi_schema(client_for, personas):
    r = client_for(personas["health_dept"]).get("/api/schema/", HTTP_ACCEPT="application/json")
    text = r.content.decode()
    for path in ("/api/field/session/", "/api/field/worklists/{name}/", "/api/field/upload/"):
        assert path in text


def test_the_door_to_door_list_goes_to_the_phone_and_takes_visit_outcomes(personas, api_for, commune_a, commune_b):
    from geo.models import Village
    from tests.conftest import make_person
    from vaccination.models import Visit

    village = Village.objects.create(commune=commune_a, name="Thôn Plei Đôn")
    elder = make_person(commune_a, full_name="Cụ Già", date_of_birth=dt.date(1940, 1, 1), village=village)
    api = api_for(personas["vaccinator_a"])
    records, ids, _c = download_all(api, "door")
    assert elder.pk in ids
    rec = next(r for r in records if r["id"] == elder.pk)
    assert rec["village"] == "Thôn Plei Đôn" and rec["state"] == "unvaccinated" and "id_number" not in rec["person"]
    today = dt.date.today().isoformat()
    answers = upload(api, {"kind": "door_visit", "key": "dv-1", "person": elder.pk, "day": today, "outcome": "refused", "reason": ""},
                     {"kind": "door_visit", "key": "dv-2", "person": elder.pk, "day": today, "outcome": "absent"})
    assert [a["status"] for a in answers] == ["refused", "stored"]  # a refusal needs its reason
    assert Visit.objects.filter(person=elder, outcome="absent").count() == 1
    # District staff do not go door to door: an empty list, not the district's every village.
    assert download_all(api_for(personas["district_a"]), "door")[1] == []


def test_doses_and_rapid_tests_entered_in_the_field(personas, api_for, commune_a):
    from testing.models import Test
    from tests.conftest import make_person
    from vaccination.models import Injection

    person = make_person(commune_a, full_name="Trần Thị Bình", date_of_birth=dt.date(1970, 5, 10), sex="F")
    answers = upload(api_for(personas["vaccinator_a"]),
                     {"kind": "dose", "key": "d-1", "person": person.pk, "product": "comirnaty", "dose_kind": "primary",
                      "dose_number": 1, "given_on": "2021-06-15", "lot": "FF1234"},
                     {"kind": "dose", "key": "d-2", "person": person.pk, "product": "no-such-vaccine", "dose_kind": "primary",
                      "dose_number": 2, "given_on": "2021-07-06"},
                     {"kind": "rapid_test", "key": "t-0", "person": person.pk, "sample_code": "TN-1", "taken_on": "2021-06-15"})
    assert [a["status"] for a in answers] == ["stored", "refused", "refused"]
    assert answers[2]["code"] == "forbidden"  # a vaccinator does not record tests
    assert Injection.objects.filter(person=person, lot="FF1234").count() == 1
    today = dt.date.today().isoformat()
    api = api_for(personas["commune_a"])
    answers = upload(api, {"kind": "rapid_test", "key": "t-1", "person": person.pk, "sample_code": "TN-1", "taken_on": today, "result": "positive"},
                     {"kind": "rapid_test", "key": "t-2", "person": person.pk, "sample_code": "TN-2", "taken_on": today, "result": "maybe"})
    assert [a["status"] for a in answers] == ["stored", "refused"]
    assert Test.objects.get(sample_code="TN-1").result == "positive"
