"""Vietnamese first, English selectable; dates always dd/mm/yyyy."""
import datetime as dt

import pytest

from core.auditing import record_read
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_the_ui_is_vietnamese_by_default_even_for_an_english_browser(personas, client_for):
    page = client_for(personas["commune_a"]).get("/people/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page and "Người dân" in page


def test_switching_to_english_sets_the_cookie_and_translates_the_pages(personas, commune_a, client_for):
    p = make_person(commune_a, full_name="Nguyễn Văn An", date_of_birth=dt.date(1980, 3, 7))
    client = client_for(personas["commune_a"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/people/"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert response.cookies["django_language"].value == "en"
    listing = client.get("/people/").content.decode()
    assert '<html lang="en">' in listing and "People" in listing and "Date/year of birth" in listing
    assert "07/03/1980" in listing  # dd/mm/yyyy in English too
    detail = client.get(f"/people/{p.pk}/").content.decode()
    assert "07/03/1980" in detail and "1980-03-07" not in detail and "March" not in detail
    back = client.post("/i18n/setlang/", {"language": "vi", "next": "/people/"})
    assert back.cookies["django_language"].value == "vi"
    assert "Người dân" in client.get("/people/").content.decode()


def test_the_sign_in_page_can_be_read_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/dang-nhap/"})
    assert "Sign in" in client.get("/accounts/dang-nhap/").content.decode()


def test_dates_are_typed_as_dd_mm_yyyy_in_the_person_form(personas, commune_a, client_for):
    client = client_for(personas["commune_a"])
    response = client.post("/people/them/", {"full_name": "Trần Thị Bình", "date_of_birth": "07/03/1990", "sex": "F",
                                             "id_kind": "none", "commune": commune_a.pk})
    assert response.status_code == 302
    from people.models import Person

    p = Person.objects.get()
    assert p.date_of_birth == dt.date(1990, 3, 7) and p.birth_year == 1990
    form = client.get(f"/people/{p.pk}/sua/").content.decode()
    assert 'value="07/03/1990"' in form


def test_the_audit_trail_shows_dd_mm_yyyy_times(personas, commune_a, client_for):

    record_read(by=personas["commune_a"], obj=make_person(commune_a))
    client = client_for(personas["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    import re

    page = client.get("/audit/").content.decode()
    assert re.search(r"\d\d:\d\d:\d\d \d\d/\d\d/\d{4}", page)
