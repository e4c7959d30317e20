"""The field app's vaccination session list and screening targets (scope, data minimisation, removals through the
sync), and the doses, rapid tests and new people entered on the phone (stored, duplicate, refused with the reason)."""
import datetime as dt
import re

import pytest

from fieldapp.models import SyncReceipt
from tests.conftest import make_person

from .conftest import TODAY, download_all, upload

pytestmark = pytest.mark.django_db


def adult(commune, name="Trần Văn Bình", **kw):
    kw.setdefault("date_of_birth", dt.date(1970, 5, 10))
    return make_person(commune, full_name=name, id_number=kw.pop("id_number", ""), phone="0905111222", **kw)


def dose(key, person, **kw):
    return {"kind": "dose", "key": key, "person": person.pk if person else None, "product": "comirnaty", "dose_kind": "primary", "dose_number": 1,
            "given_on": TODAY.isoformat(), "lot": "FF1", **kw}


def rapid(key, person=None, **kw):
    entry = {"kind": "rapid_test", "key": key, "sample_code": f"TN-{key}", "taken_on": TODAY.isoformat(), "result": "negative", **kw}
    if person is not None:
        entry["person"] = person.pk
    return entry


# --- today's vaccination session list --------------------------------------------------------------------------------
def test_the_session_list_has_the_communes_campaign_targets_due_today(dose1_campaign, personas, api_for, commune_a, commune_b):
    from geo.models import Village
    from vaccination import services
    from vaccination.selectors import product_by_code

    village = Village.objects.create(commune=commune_a, name="Thôn Kon Rếch")
    due = adult(commune_a, village=village, id_number="062070001234")
    child = make_person(commune_a, full_name="Bé Na", date_of_birth=TODAY - dt.timedelta(days=365 * 8))
    elsewhere = adult(commune_b, name="Lê Văn Cường")
    done = adult(commune_a, name="Phạm Thị Dung", sex="F")
    services.record_injection(by=personas["commune_a"], person=done, product=product_by_code("comirnaty"), dose_kind="primary",
                              dose_number=1, given_on=TODAY - dt.timedelta(days=3))
    records, ids, _c = download_all(api_for(personas["vaccinator_a"]), "session")
    assert ids == [due.pk] and child.pk not in ids and elsewhere.pk not in ids and done.pk not in ids
    (rec,) = records
    assert rec["campaign"] == "Tiêm mũi 1 cho người từ 18 tuổi" and rec["village"] == "Thôn Kon Rếch"
    assert (rec["dose_kind"], rec["dose_number"]) == ("primary", 1) and "comirnaty" in rec["products"]
    # Data minimisation: what a dose needs, not the registry.
    assert set(rec["person"]) == {"id", "version", "full_name", "birth_year", "date_of_birth", "sex", "phone", "street", "village"}
    assert "062070001234" not in str(records)
    # Roles that do not vaccinate, and staff above a commune, get none.
    assert download_all(api_for(personas["care_a"]), "session")[1] == []
    assert download_all(api_for(personas["district_a"]), "session")[1] == []
    # Moved to another commune: his old commune's people leave the phone, the new one's come.
    vaccinator = personas["vaccinator_a"]
    vaccinator.unit = commune_b
    vaccinator.save()
    assert download_all(api_for(vaccinator), "session")[1] == [elsewhere.pk]
    body = api_for(personas["vaccinator_a"]).get("/api/field/session/").json()
    assert "session" in body["worklists"] and "screening" not in body["worklists"] and body["can"]["dose"]
    assert any(p["code"] == "comirnaty" for p in body["products"])


def test_a_dose_from_the_session_list_is_stored_once_and_the_person_leaves_the_list(dose1_campaign, personas, api_for, commune_a):
    from vaccination.models import Injection

    person = adult(commune_a)
    api = api_for(personas["vaccinator_a"])
    assert download_all(api, "session")[1] == [person.pk]
    (answer,) = upload(api, dose("d-1", person))
    assert answer["status"] == "stored"
    (again,) = upload(api, dose("d-1", person))
    assert again["status"] == "duplicate" and again["id"] == answer["id"]
    assert Injection.objects.filter(person=person).count() == 1
    # The next sync drops him: the last page's ids no longer hold him.
    assert download_all(api, "session")[1] == []


def test_a_dose_the_schedule_refuses_comes_back_with_the_reason(dose1_campaign, personas, api_for, commune_a):
    from vaccination.models import Injection

    person = adult(commune_a)
    api = api_for(personas["vaccinator_a"])
    answers = upload(api, dose("d-2", person, dose_number=2), dose("d-3", person, given_on=(TODAY + dt.timedelta(days=2)).isoformat()),
                     dose("d-4", person, product="khong-co"))
    assert [a["status"] for a in answers] == ["refused", "refused", "refused"]
    assert answers[0]["message_vi"].startswith("Phiếu 1:") and answers[0]["message_en"].startswith("Entry 1:")
    assert "tương lai" in answers[1]["message_vi"] and "future" in answers[1]["message_en"]
    assert "khong-co" in answers[2]["message_vi"]
    assert not Injection.objects.exists() and not SyncReceipt.objects.exists()


def test_the_session_list_page_queries_are_bounded(dose1_campaign, personas, api_for, commune_a, django_assert_max_num_queries):
    for n in range(15):
        adult(commune_a, name=f"Người Thứ {chr(65 + n)}")
    api = api_for(personas["vaccinator_a"])
    with django_assert_max_num_queries(16):
        page = api.get("/api/field/worklists/session/").json()
    assert len(page["ids"]) == 15


def test_a_catch_up_campaigns_children_are_on_the_session_list_and_take_a_routine_dose(personas, api_for, commune_a, kontum):
    from diseases.packs import install_missing, load, shipped_pack
    from vaccination.models import Campaign, Product, RoutineDose
    from vaccination.services import record_routine_dose

    install_missing("covid19")
    load(shipped_pack("measles"), "measles.yaml")
    mr = Product.objects.get(code="mr")
    campaign = Campaign.objects.create(name="Tiêm bù sởi", target="catch_up", disease=mr.disease, age_min=1, age_min_months=12,
                                       age_below=11, target_doses=2, starts_on=TODAY - dt.timedelta(days=5),
                                       deadline=TODAY + dt.timedelta(days=30), unit=kontum)
    child = make_person(commune_a, full_name="Bé Hoa", date_of_birth=TODAY - dt.timedelta(days=365 * 5), sex="F")
    record_routine_dose(by=None, person=child, product=mr, given_on=TODAY - dt.timedelta(days=400), dose_number=1)
    api = api_for(personas["vaccinator_a"])
    records, ids, _c = download_all(api, "session")
    assert ids == [child.pk]
    (rec,) = records
    assert (rec["campaign_id"], rec["dose_kind"], rec["dose_number"]) == (campaign.pk, "routine", 2) and "mr" in rec["products"]
    (answer,) = upload(api, dose("r-1", child, product="mr", dose_kind="", dose_number=2, campaign=campaign.pk, lot=""))
    assert answer["status"] == "stored" and answer["routine"]
    assert RoutineDose.objects.get(pk=answer["id"]).campaign == campaign
    assert download_all(api, "session")[1] == []


# --- screening targets ----------------------------------------------------------------------------------------------
def test_screening_targets_are_those_of_my_area_not_yet_sampled(screening, personas, api_for, commune_a, commune_b):
    from testing import services
    from testing.models import CampaignTarget

    campaign = screening()
    later = screening(name="Chưa mở", deadline=TODAY + dt.timedelta(days=30), within_days=3)
    todo = adult(commune_a, id_number="062070001234")
    sampled = adult(commune_a, name="Phạm Thị Dung", sex="F")
    far = adult(commune_b, name="Lê Văn Cường")
    not_open = adult(commune_a, name="Đỗ Văn Em")
    for p in (todo, sampled, far):
        CampaignTarget.objects.create(campaign=campaign, person=p, group="Trường TH Kon Tum")
    CampaignTarget.objects.create(campaign=later, person=not_open, group="Trường THCS")
    services.record_test(by=personas["commune_a"], person=sampled, kind="rapid_antigen", sample_code="S-1",
                         taken_on=TODAY - dt.timedelta(days=1), result="negative")
    records, ids, _c = download_all(api_for(personas["commune_a"]), "screening")
    assert ids == [todo.pk]
    (rec,) = records
    assert rec["campaigns"] == [{"name": "Giáo viên sau Tết", "group": "Trường TH Kon Tum", "deadline": campaign.deadline.isoformat()}]
    assert rec["kinds"] == ["rapid_antigen"] and "062070001234" not in str(records) and "id_number" not in rec["person"]
    # The province's lab sees the whole province's; a vaccinator records no tests and gets none.
    assert sorted(download_all(api_for(personas["lab"]), "screening")[1]) == sorted([todo.pk, far.pk])
    assert download_all(api_for(personas["vaccinator_a"]), "screening")[1] == []


def test_a_rapid_test_from_the_screening_list_removes_the_target_at_the_next_sync(screening, personas, api_for, commune_a):
    from testing.models import CampaignTarget, Test

    campaign = screening()
    person = adult(commune_a)
    CampaignTarget.objects.create(campaign=campaign, person=person, group="Trường TH")
    api = api_for(personas["commune_a"])
    assert download_all(api, "screening")[1] == [person.pk]
    answers = upload(api, rapid("t-1", person), rapid("t-2", person, result="maybe"), rapid("t-1", person))
    assert [a["status"] for a in answers] == ["stored", "refused", "duplicate"]
    assert "maybe" in answers[1]["message_vi"] and "maybe" in answers[1]["message_en"]
    assert Test.objects.get(person=person).kind == "rapid_antigen"
    assert download_all(api, "screening")[1] == []


def test_an_invalid_result_keeps_the_target_on_the_list(screening, personas, api_for, commune_a):
    from testing.models import CampaignTarget

    campaign = screening()
    person = adult(commune_a)
    CampaignTarget.objects.create(campaign=campaign, person=person, group="Trường TH")
    api = api_for(personas["commune_a"])
    assert upload(api, rapid("t-inv", person, result="invalid"))[0]["status"] == "stored"
    assert download_all(api, "screening")[1] == [person.pk]  # to be sampled again


# --- new people found in the field -------------------------------------------------------------------------------------
def new_person(key, **data):
    data.setdefault("full_name", "Y Hơn")
    data.setdefault("birth_year", 1985)
    data.setdefault("sex", "F")
    return {"kind": "new_person", "key": key, "data": data}


def test_a_new_person_with_village_and_cccd_and_a_dose_and_a_test_naming_her_by_key(personas, api_for, commune_a):
    from geo.models import Village
    from people.models import Person
    from testing.models import Test
    from vaccination.models import Injection

    village = Village.objects.create(commune=commune_a, name="Làng Plei Rơ")
    api = api_for(personas["commune_a"])
    batch = [new_person("np-1", date_of_birth="1985-03-02", id_number="062185001234", phone="0905 333 444", village=village.pk,
                        street="Nhà rông"),
             {**dose("d-np", None), "person_key": "np-1"},
             {**rapid("t-np"), "person_key": "np-1"}]
    answers = upload(api, *batch)
    assert [a["status"] for a in answers] == ["stored", "stored", "stored"], answers
    person = Person.objects.get(pk=answers[0]["id"])
    assert (person.village, person.commune, person.id_number, person.phone) == (village, commune_a, "062185001234", "0905333444")
    assert Injection.objects.get().person == person and Test.objects.get().person == person
    # The whole batch again (the answer was lost): nothing stored twice.
    assert [a["status"] for a in upload(api, *batch)] == ["duplicate"] * 3
    assert Person.objects.filter(full_name="Y Hơn").count() == 1 and Injection.objects.count() == 1
    # The same CCCD again is the same person: refused, naming the record.
    (answer,) = upload(api, new_person("np-2", full_name="Y Hơn Khác", id_number="062185001234"))
    assert answer["status"] == "refused" and answer["code"] == "duplicate_id" and f"#{person.pk}" in answer["message_vi"]


def test_a_possible_duplicate_is_refused_until_confirmed_and_its_dependants_wait(personas, api_for, commune_a):
    from people.models import Person

    existing = make_person(commune_a, full_name="Y Hơn", birth_year=1985, sex="F")
    api = api_for(personas["commune_a"])
    answers = upload(api, new_person("np-3"), {**rapid("t-3"), "person_key": "np-3"})
    assert [a["status"] for a in answers] == ["refused", "refused"]
    assert answers[0]["code"] == "possible_duplicate" and answers[0]["possible_duplicates"][0]["id"] == existing.pk
    assert f"#{existing.pk}" in answers[0]["message_vi"] and "same name" in answers[0]["message_en"]
    assert "chưa được lưu" in answers[1]["message_vi"] and "not stored" in answers[1]["message_en"]
    # "Add anyway": the same keys again, the person confirmed as someone else.
    answers = upload(api, new_person("np-3", confirm_not_duplicate=True), {**rapid("t-3"), "person_key": "np-3"})
    assert [a["status"] for a in answers] == ["stored", "stored"]
    assert Person.objects.filter(full_name="Y Hơn").count() == 2


def test_a_new_persons_bad_fields_are_refused_with_the_reason(personas, api_for, commune_a, commune_b):
    from geo.models import Village

    other_village = Village.objects.create(commune=commune_b, name="Thôn Xa")
    api = api_for(personas["commune_a"])
    answers = upload(api, new_person("b-1", sex=""), new_person("b-2", birth_year="năm ngoái"),
                     new_person("b-3", village=other_village.pk), new_person("b-4", id_number="12345"),
                     new_person("b-5", commune=commune_b.pk))
    assert [a["status"] for a in answers] == ["refused"] * 5
    assert "giới tính" in answers[0]["message_vi"] and "sex" in answers[0]["message_en"]
    assert "Năm sinh" in answers[1]["message_vi"]
    assert "Thôn/làng" in answers[2]["message_vi"]
    assert "12" in answers[3]["message_vi"]
    assert answers[4]["code"] == "not_found"
    # A person key of another user's entry names nobody.
    upload(api, new_person("mine-1", full_name="Y Ngọc"))
    (answer,) = upload(api_for(personas["vaccinator_a"]), {**dose("d-x", None), "person_key": "mine-1"})
    assert answer["status"] == "refused"


# --- the menu entry -----------------------------------------------------------------------------------------------
def test_field_roles_find_the_app_and_its_install_help_in_the_menu(personas, client_for):
    for persona in ("care_a", "commune_a", "vaccinator_a", "lab"):
        page = client_for(personas[persona]).get("/fieldapp/cai-dat/")
        assert page.status_code == 200
        html = page.content.decode()
        assert re.search(r'href="/fieldapp/"[^>]*>Ứng dụng thực địa</a>', html) and 'href="/fieldapp/cai-dat/"' in html
        assert "http://testserver/fieldapp/" in html and "Thêm vào màn hình chính" in html
    # Not in the menu of those who do not work in the villages (they may still open it).
    html = client_for(personas["leader"]).get("/fieldapp/cai-dat/").content.decode()
    assert not re.search(r'href="/fieldapp/"[^>]*>Ứng dụng thực địa</a>', html)
    assert client_for(personas["agency"]).get("/fieldapp/cai-dat/").status_code == 403


def test_the_app_and_install_pages_read_right_in_both_languages(personas):
    """The screen scanner of tests/core/test_screens.py (raw codes, ISO dates, untranslated labels) on the two pages
    the field roles' menu now leads to."""
    from django.test import Client

    from tests.core.screen_scan import problems

    for language in ("vi", "en"):
        client = Client()
        client.force_login(personas["commune_a"])
        client.cookies["django_language"] = language
        for url in ("/fieldapp/", "/fieldapp/cai-dat/"):
            response = client.get(url)
            assert response.status_code == 200
            assert problems(response.content.decode(), language) == [], (url, language)
    english = client.get("/fieldapp/cai-dat/").content.decode()
    assert "Installing the field app on a phone" in english and "Field app" in english
