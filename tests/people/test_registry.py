"""Creating, finding, de-duplicating and merging people, in the UI and through the API."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from core.auditing import record_read
from core.errors import Invalid
from people import services
from people.models import Person
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

CCCD_AN = "062080001234"  # Kon Tum, man born 1980


def person_data(commune, **kw):
    data = {"full_name": "nguyễn  văn an", "birth_year": 1980, "sex": "M", "id_kind": "cccd", "id_number": CCCD_AN,
            "phone": "+84 168 912 3456", "commune": commune}
    data.update(kw)
    return data


def form_post(commune, **kw):
    data = {"full_name": "Nguyễn Văn An", "birth_year": "1980", "sex": "M", "id_kind": "none", "id_number": "",
            "phone": "", "commune": commune.pk, "ethnicity": "01"}
    data.update(kw)
    return data


# --- Creation: normalised, validated, audited ---------------------------------------------------------------
def test_it_creates_a_person_with_normalised_name_and_phone(personas, commune_a):
    p = services.create_person(by=personas["commune_a"], data=person_data(commune_a))
    assert p.full_name == "Nguyễn Văn An" and p.name_folded == "nguyen van an"
    assert p.phone == "0389123456"  # 0168 → 038 (2018 renumbering)
    event = AuditEvent.objects.get(action="create", person_id=p.pk)
    assert event.actor == personas["commune_a"] and event.changes["full_name"] == [None, "Nguyễn Văn An"]


def test_it_refuses_a_cccd_that_disagrees_with_the_sex(personas, commune_a):
    with pytest.raises(Invalid) as exc:
        services.create_person(by=personas["commune_a"], data=person_data(commune_a, sex="F"))
    assert "CCCD" in exc.value.vi and "CCCD" in exc.value.en
    assert not Person.objects.exists()


def test_it_refuses_a_village_of_another_commune(personas, commune_a, commune_a2):
    from geo.models import Village

    other = Village.objects.create(commune=commune_a2, name="Tổ 1", name_folded="to 1", kind="to_dan_pho")
    with pytest.raises(Invalid):
        services.create_person(by=personas["commune_a"], data=person_data(commune_a, village=other))


# --- Same ID = same person -----------------------------------------------------------------------------------
def test_it_refuses_an_id_number_that_is_already_registered(personas, commune_a):
    first = services.create_person(by=personas["commune_a"], data=person_data(commune_a))
    with pytest.raises(services.DuplicateId) as exc:
        services.create_person(by=personas["commune_a"], data=person_data(commune_a, full_name="Nguyễn Văn Ân"))
    assert exc.value.existing == first and f"#{first.pk}" in str(exc.value)


def test_the_ui_links_to_the_record_that_has_the_id(personas, commune_a, client_for):
    first = make_person(commune_a, id_kind="cmnd", id_number="233123456")
    response = client_for(personas["commune_a"]).post("/people/them/", form_post(commune_a, full_name="Trần Văn Bình", id_kind="cmnd", id_number="233123456"))
    assert response.status_code == 200
    assert f"#{first.pk}" in response.content.decode()
    assert Person.objects.count() == 1


def test_the_api_answers_400_with_the_existing_record(personas, commune_a, api_for):
    first = make_person(commune_a, id_kind="cmnd", id_number="233123456")
    response = api_for(personas["commune_a"]).post("/api/people/", {"full_name": "Trần Văn Bình", "birth_year": 1990, "sex": "M", "id_kind": "cmnd", "id_number": "233123456", "commune": commune_a.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["existing_id"] == [str(first.pk)] or response.json()["existing_id"] == first.pk or str(first.pk) in str(response.json()["existing_id"])


def test_the_api_answers_400_with_both_languages_for_a_bad_phone(personas, commune_a, api_for):
    response = api_for(personas["commune_a"]).post("/api/people/", {"full_name": "Trần Văn Bình", "birth_year": 1990, "sex": "M", "phone": "0112345678", "commune": commune_a.pk}, format="json")
    assert response.status_code == 400
    assert "Số điện thoại" in str(response.json()) and "phone number" in str(response.json())


# --- Same folded name + birth year + commune = proposed duplicate ------------------------------------------------
def test_it_proposes_a_duplicate_with_the_same_folded_name_year_and_commune(commune_a, commune_a2):
    an = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980)
    make_person(commune_a2, full_name="Nguyễn Văn An", birth_year=1980)  # another commune
    make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1981)  # another year
    found = list(services.possible_duplicates(full_name="nguyen van  AN", birth_year=1980, commune=commune_a))
    assert found == [an]


def test_the_ui_proposes_duplicates_before_creating_and_creates_after_confirmation(personas, commune_a, client_for):
    an = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980)
    client = client_for(personas["commune_a"])
    response = client.post("/people/them/", form_post(commune_a, full_name="Nguyen Van An"))
    assert response.status_code == 200 and f"/people/{an.pk}/" in response.content.decode()
    assert Person.objects.count() == 1
    response = client.post("/people/them/", form_post(commune_a, full_name="Nguyen Van An", confirm_not_duplicate="on"))
    assert response.status_code == 302 and Person.objects.count() == 2


def test_the_api_proposes_duplicates_before_creating(personas, commune_a, api_for):
    an = make_person(commune_a, full_name="Nguyễn Văn An", birth_year=1980)
    api = api_for(personas["commune_a"])
    body = {"full_name": "Nguyen van an", "birth_year": 1980, "sex": "M", "commune": commune_a.pk}
    response = api.post("/api/people/", body, format="json")
    assert response.status_code == 409, response.content
    assert [d["id"] for d in response.json()["possible_duplicates"]] == [an.pk]
    response = api.post("/api/people/", {**body, "confirm_not_duplicate": True}, format="json")
    assert response.status_code == 201
    assert Person.objects.count() == 2


def test_the_duplicates_page_lists_groups_in_the_users_jurisdiction_only(personas, commune_a, commune_b, client_for):
    make_person(commune_a, full_name="Lê Thị Hoa", birth_year=1970)
    make_person(commune_a, full_name="Le Thi Hoa", birth_year=1970)
    make_person(commune_b, full_name="Phạm Văn Xa", birth_year=1960)
    make_person(commune_b, full_name="Phạm Văn Xa", birth_year=1960)
    page = client_for(personas["commune_a"]).get("/people/trung-lap/").content.decode()
    assert "Lê Thị Hoa" in page and "Phạm Văn Xa" not in page


# --- Merge ----------------------------------------------------------------------------------------------------
def test_a_merge_keeps_linked_records_and_the_audit_trail(personas, commune_a):
    by = personas["commune_a"]
    keep = services.create_person(by=by, data=person_data(commune_a, id_kind="none", id_number="", phone=""))
    dup = services.create_person(by=by, data=person_data(commune_a, full_name="Nguyen Van An"))
    child = make_person(commune_a, full_name="Nguyễn Văn Bé", birth_year=2018, guardian=dup)
    record_read(by=by, obj=dup)
    before = AuditEvent.objects.filter(person_id=dup.pk).count()

    services.merge_people(by=by, keep=keep, duplicate=dup)

    child.refresh_from_db(), keep.refresh_from_db(), dup.refresh_from_db()
    assert child.guardian == keep  # linked records move to the record kept
    assert dup.merged_into == keep  # the duplicate's row stays, pointing to the survivor
    assert (keep.id_kind, keep.id_number, keep.phone) == ("cccd", CCCD_AN, "0389123456")  # blanks filled
    assert AuditEvent.objects.filter(person_id=dup.pk).count() == before + 1  # nothing erased
    merge = AuditEvent.objects.get(action="merge", person_id=keep.pk)
    assert merge.records["merged"] == dup.pk and merge.records["moved"] == {"people.person.guardian": 1}


def test_a_merged_duplicate_leaves_lists_and_frees_its_id(personas, commune_a, client_for):
    by = personas["commune_a"]
    keep = make_person(commune_a, full_name="Nguyễn Văn An")
    dup = make_person(commune_a, full_name="Nguyễn Văn An", id_kind="cmnd", id_number="233123456")
    services.merge_people(by=by, keep=keep, duplicate=dup)
    listing = client_for(by).get("/people/?q=nguyen van an").content.decode()
    assert f"/people/{keep.pk}/" in listing and f"/people/{dup.pk}/" not in listing
    keep.refresh_from_db()
    assert keep.id_number == "233123456"


def test_the_duplicates_page_merges_two_records(personas, commune_a, client_for):
    keep = make_person(commune_a, full_name="Lê Thị Hoa", birth_year=1970)
    dup = make_person(commune_a, full_name="Le Thi Hoa", birth_year=1970)
    response = client_for(personas["commune_a"]).post("/people/trung-lap/", {"keep": keep.pk, "duplicate": dup.pk})
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk


def test_it_refuses_to_merge_a_record_with_itself(personas, commune_a):
    p = make_person(commune_a)
    with pytest.raises(Invalid):
        services.merge_people(by=personas["commune_a"], keep=p, duplicate=p)


def test_a_user_cannot_merge_records_outside_his_commune(personas, commune_a, commune_b, client_for):
    keep = make_person(commune_a, full_name="Lê Thị Hoa", birth_year=1970)
    dup = make_person(commune_b, full_name="Le Thi Hoa", birth_year=1970)
    client_for(personas["commune_a"]).post("/people/trung-lap/", {"keep": keep.pk, "duplicate": dup.pk})
    dup.refresh_from_db()
    assert dup.merged_into_id is None


# --- Search ---------------------------------------------------------------------------------------------------
def test_it_finds_people_by_id_phone_and_word_starts(commune_a):
    an = make_person(commune_a, full_name="Nguyễn Văn Anh", id_kind="cmnd", id_number="233123456", phone="0912345678")
    lan = make_person(commune_a, full_name="Trần Thị Lan")
    qs = Person.objects.all()
    assert list(services.search_people(qs, "233123456")) == [an]
    assert list(services.search_people(qs, "+84 91 234 5678")) == [an]
    assert list(services.search_people(qs, "van an")) == [an]
    assert list(services.search_people(qs, "an")) == [an]  # not "Lan": the typed text starts a word
    assert list(services.search_people(qs, "LAN")) == [lan]


def test_the_list_page_paginates_search_results_in_name_order_and_keeps_the_query(personas, commune_a, client_for):
    for i in range(30):
        make_person(commune_a, full_name=f"Nguyễn Văn {chr(65 + i % 26)}{i:02d}")
    client = client_for(personas["commune_a"])
    page1 = client.get("/people/", {"q": "nguyen van"}).content.decode()
    assert "Nguyễn Văn A00" in page1 and "Nguyễn Văn Z25" not in page1
    assert "q=nguyen+van&amp;page=2" in page1
    page2 = client.get("/people/", {"q": "nguyen van", "page": 2}).content.decode()
    assert "Nguyễn Văn Z25" in page2 and "Nguyễn Văn A00" not in page2


def test_the_list_page_asks_to_narrow_a_search_with_too_many_matches(personas, commune_a, client_for, monkeypatch):
    monkeypatch.setattr(services, "SEARCH_CAP", 5)
    monkeypatch.setattr(services.search_page, "__defaults__", (25, 5))
    for i in range(8):
        make_person(commune_a, full_name=f"Nguyễn Văn Số{i}")
    page = client_for(personas["commune_a"]).get("/people/", {"q": "nguyen"}).content.decode()
    assert 'id="capped"' in page and page.count("/people/") >= 5


def test_the_list_page_ignores_a_malformed_filter(personas, commune_a, client_for):
    make_person(commune_a)
    assert client_for(personas["commune_a"]).get("/people/", {"commune": "abc", "village": "x"}).status_code == 200


def test_the_list_page_answers_htmx_with_the_results_only(personas, commune_a, client_for):
    make_person(commune_a, full_name="Nguyễn Văn An")
    response = client_for(personas["commune_a"]).get("/people/", {"q": "nguyen van an"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Nguyễn Văn An" in body and "<html" not in body


def test_a_person_known_only_by_birth_year_shows_the_year(personas, commune_a, client_for):
    p = make_person(commune_a, full_name="Y Hơn", birth_year=1948)
    page = client_for(personas["commune_a"]).get(f"/people/{p.pk}/").content.decode()
    assert "1948" in page
    q = make_person(commune_a, full_name="A Blông", date_of_birth=dt.date(1990, 3, 7))
    assert "07/03/1990" in client_for(personas["commune_a"]).get(f"/people/{q.pk}/").content.decode()


def test_phones_typed_with_spaces_and_country_code_are_accepted_in_the_form_and_the_api(personas, commune_a, client_for, api_for):
    response = client_for(personas["commune_a"]).post("/people/them/", form_post(commune_a, phone="+84 168 912 3456"))
    assert response.status_code == 302
    assert Person.objects.get().phone == "0389123456"
    created = api_for(personas["commune_a"]).post("/api/people/", {"full_name": "Trần Thị Bình", "birth_year": 1990, "sex": "F", "phone": "+84 91 234 5678", "commune": commune_a.pk}, format="json")
    assert created.status_code == 201 and created.json()["phone"] == "0912345678"


def test_the_form_explains_an_invalid_phone_in_both_languages(personas, commune_a, client_for):
    page = client_for(personas["commune_a"]).post("/people/them/", form_post(commune_a, phone="0112345678")).content.decode()
    assert "Số điện thoại không hợp lệ" in page or "đầu số" in page
    assert not Person.objects.exists()


def test_only_editors_are_offered_the_add_button(personas, commune_a, client_for):
    assert "/people/them/" in client_for(personas["commune_a"]).get("/people/").content.decode()
    assert "/people/them/" not in client_for(personas["leader"]).get("/people/").content.decode()
    assert client_for(personas["leader"]).get("/people/them/").status_code == 403
