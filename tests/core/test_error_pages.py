"""Error pages come in the site's frame, with the menu and a way back, in the user's language; the menu and the
buttons of a page offer only what the user's role may open."""
import re

import pytest

pytestmark = pytest.mark.django_db


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_a_refused_page_is_a_framed_vietnamese_page_with_the_menu_and_a_way_back(personas, client_for):
    client = client_for(personas["leader"])
    response = client.get("/vaccination/nhap/", HTTP_REFERER="http://testserver/vaccination/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Không có quyền xem trang này" in page and "Forbidden" not in page
    assert 'class="mainnav"' in page and 'href="/people/"' in page  # the leader's menu
    assert 'href="/"' in page and 'href="http://testserver/vaccination/"' in page  # home and back


def test_the_refusal_reads_in_english_for_an_english_user(personas, client_for):
    client = _english(client_for(personas["leader"]))
    page = client.get("/levels/nhap-so-lieu/").content.decode()
    assert "You may not open this page" in page and "Không có quyền" not in page


def test_a_missing_page_is_framed_too_and_a_foreign_referer_is_not_offered_as_way_back(personas, client_for):
    response = client_for(personas["commune_a"]).get("/people/999999999/", HTTP_REFERER="https://evil.example/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page and 'class="mainnav"' in page and "evil.example" not in page


def test_an_anonymous_visitor_gets_the_framed_404_without_a_menu(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.content.decode()
    assert 'class="mainnav"' not in response.content.decode()


@pytest.mark.urls("tests.core.urls_boom")
def test_a_server_error_is_framed_and_says_nothing_saved_is_lost(personas, client_for):
    client = client_for(personas["commune_a"])
    client.raise_request_exception = False
    response = client.get("/loi-thu/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi" in page and "không bị mất" in page and 'class="mainnav"' in page
    assert "Traceback" not in page and "RuntimeError" not in page


def test_a_stale_form_gets_the_framed_session_page_not_djangos_csrf_page(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["commune_a"])
    response = client.post("/people/them/", {"full_name": "Trần Thị Bình"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in page and "CSRF verification failed" not in page and 'class="mainnav"' in page


@pytest.mark.parametrize("who", ["leader", "lab", "care_a", "vaccinator_a", "agency", "district_a"])
def test_no_menu_entry_and_no_button_on_a_menu_page_answers_403(personas, client_for, who):
    """Leadership used to meet a bare 403 behind buttons its pages showed (imports, bed counts, level entry)."""
    client = client_for(personas[who])
    home = client.get("/").content.decode()
    menu = re.findall(r'<nav class="mainnav".*?</nav>', home, re.S)
    menu_links = set(re.findall(r'href="(/[^"?#]*)"', menu[0])) if menu else set()
    checked: set[str] = set()
    for url in sorted(menu_links):
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code != 200:
            continue
        for link in set(re.findall(r'href="(/[^"?#]*/)"', response.content.decode())) - menu_links - checked:
            if link.startswith(("/static/", "/i18n/", "/accounts/", "/api/", "/quantri/")) or re.search(r"\d", link):
                continue
            checked.add(link)
            assert client.get(link).status_code != 403, f"{url} links to {link}, which answers 403 to {who}"
