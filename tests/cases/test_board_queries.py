"""The board's cost does not grow with the number of rows (no query per team or commune), and it speaks English."""
import pytest

from facilities.models import Team

pytestmark = pytest.mark.django_db


def test_it_renders_the_board_in_a_fixed_number_of_queries(open_case, personas, client_for, commune_a, django_assert_max_num_queries):
    for i in range(6):
        team = Team.objects.create(name=f"Tổ {i}", kind="care_team", commune=commune_a)
        open_case(full_name=f"Người Bệnh {i}", team=team)
    c = client_for(personas["commune_a"])
    with django_assert_max_num_queries(14):
        r = c.get("/cases/khong-lien-lac/?by=team")
    assert r.status_code == 200 and "Tổ 5" in r.content.decode()


def test_it_shows_the_case_page_in_english_when_chosen(open_case, personas, client_for):
    case = open_case()
    c = client_for(personas["care_a"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "Monitoring check" in page and "Transfer now" in page
