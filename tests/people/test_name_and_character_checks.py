"""Names refuse markup, formulas and control characters; impossible characters anywhere get a clear 400 (issue #11).

Real Vietnamese names, those of the Central Highlands' peoples included (apostrophes, hyphens, diacritics typed
precomposed or combining), must still pass.
"""
import unicodedata

import pytest

from core.errors import Invalid
from people import services
from people.models import Person
from people.validators import check_name, check_text

pytestmark = pytest.mark.django_db

REAL_NAMES = [
    "Nguyễn Thị Minh Khai", "Đặng Thị Ngọc Thịnh", "Trần Quốc Toản", "H'Hen Niê", "Y Bih Niê", "Ksor H’Ble", "A Lăng Thị Mai",
    "Rơ Châm Ly", "Nguyễn-Trần Bảo Ân", "Hoàng Thị Ư", "Lý Ngọc Ẩn (con)",
    unicodedata.normalize("NFD", "Phạm Thị Hường"),  # combining marks, as some phones type them
    "Võ\u00a0Thị\tSáu",  # a no-break space or a tab pasted from a spreadsheet: normalised to one space
]
BAD_NAMES = [
    ('<img src=x onerror="alert(1)">', "<"), ('<a href="http://evil.example">Ân</a>', "<"), ('=HYPERLINK("http://x","y")', "="),
    ("@SUM(1+1)", "@"), ("Lê\x00 Văn Tám", "U+0000"), ("Lê\x07Văn", "U+0007"), ("An; DROP TABLE", ";"), ("Tám & Bảy", "&"),
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_vietnamese_names_pass(name):
    assert check_name(name) == name


@pytest.mark.parametrize(("name", "shown"), BAD_NAMES)
def test_names_with_markup_formulas_or_control_characters_are_refused_in_both_languages(name, shown):
    with pytest.raises(Invalid) as exc:
        check_name(name)
    assert shown in exc.value.vi and shown in exc.value.en
    assert "Họ tên" in exc.value.vi and "name" in exc.value.en and exc.value.field == "full_name"


def test_check_text_refuses_nul_and_control_characters_but_keeps_line_breaks():
    assert check_text("dòng 1\r\ndòng 2\tcột") == "dòng 1\r\ndòng 2\tcột"
    for bad in ("a\x00b", "a\x1bb", "a\ud800b", "a\ufffeb"):
        with pytest.raises(Invalid):
            check_text(bad)


def test_the_registry_refuses_a_markup_name_through_the_service(personas, commune_a):
    for name in ('<img src=x onerror="alert(1)">', "Bé <b>An</b>"):
        with pytest.raises(Invalid):
            services.create_person(by=personas["commune_a"], data={"full_name": name, "birth_year": 1990, "sex": "M", "commune": commune_a})
    with pytest.raises(Invalid) as exc:
        services.create_person(by=personas["commune_a"], data={"full_name": "Lê Văn Tám", "guardian_name": "=1+1", "birth_year": 2020,
                                                             "sex": "M", "commune": commune_a})
    assert exc.value.field == "guardian_name"
    assert not Person.objects.exists()
    for name in REAL_NAMES:
        services.create_person(by=personas["commune_a"], data={"full_name": name, "birth_year": 1990, "sex": "F", "commune": commune_a})
    assert Person.objects.count() == len(REAL_NAMES)


def test_the_people_form_shows_the_name_refusal(client_for, personas, commune_a):
    r = client_for(personas["commune_a"]).post("/people/them/", {
        "full_name": '<img src=x onerror="alert(1)">', "birth_year": "1980", "sex": "M", "id_kind": "none", "id_number": "",
        "phone": "", "commune": commune_a.pk, "ethnicity": "01"})
    page = r.content.decode()
    assert r.status_code == 200
    assert "Họ tên chỉ gồm chữ cái" in page and "A name may only contain letters" in page
    assert "<img src=x" not in page  # echoed escaped, never as markup
    assert not Person.objects.exists()


def test_the_people_api_refuses_a_markup_name_with_400(api_for, personas, commune_a):
    r = api_for(personas["commune_a"]).post("/api/people/", {"full_name": "<script>alert(1)</script>", "birth_year": 1990, "sex": "M",
                                                             "commune": commune_a.pk}, format="json")
    assert r.status_code == 400
    assert "A name may only contain letters" in str(r.json())
    assert not Person.objects.exists()


def test_a_nul_byte_in_a_query_parameter_gets_a_clear_400_on_page_and_api(client_for, api_for, personas):
    page = client_for(personas["commune_a"]).get("/people/", {"q": "Nguyễn\x00"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "ký tự không hợp lệ" in text and "not allowed" in text and "U+0000" in text
    api = api_for(personas["commune_a"]).get("/api/people/", {"q": "An\x00"})
    assert api.status_code == 400
    assert "U+0000" in api.json()["message_vi"] and "not allowed" in api.json()["message_en"]


def test_a_nul_byte_in_a_raw_form_value_is_refused_and_nothing_is_saved(client_for, personas, commune_a, person_factory):
    import datetime as dt

    from contacts import services as contacts
    from contacts.models import Arrival

    arrival = contacts.record_arrival(by=personas["commune_a"], person=person_factory(commune_a), origin="Hà Nội",
                                      arrived_on=dt.date.today() - dt.timedelta(days=1))
    from urllib.parse import urlencode

    c = client_for(personas["commune_a"])
    fields = {"action": "check", "arrival": arrival.pk, "note": "sốt\x00 nhẹ"}
    # As a browser posts a plain form (urlencoded), and as a multipart form.
    r = c.post("/contacts/nguoi-den/?xem=all", urlencode(fields), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and "U+0000" in r.content.decode()
    r = c.post("/contacts/nguoi-den/?xem=all", fields)
    assert r.status_code == 400 and "U+0000" in r.content.decode()
    assert Arrival.objects.get().last_check_on is None


def test_a_nul_byte_in_a_json_body_is_refused_with_the_api_error_shape(api_for, personas, commune_a, person_factory):
    p = person_factory(commune_a, full_name="Lê Văn Tám")
    r = api_for(personas["commune_a"]).patch(f"/api/people/{p.pk}/", {"street": "Thôn\u0000 2", "version": p.version}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert set(body) >= {"detail", "message_vi", "message_en"} and "street" in body["message_en"]
    p.refresh_from_db()
    assert p.street == ""


def test_a_nul_byte_in_a_public_token_is_a_clear_400(client, kontum):
    r = client.get("/cases/cong-khai/xac-minh/abc%00def/")
    assert r.status_code == 400 and "U+0000" in r.content.decode()
