"""The Steering Committee's home is the dashboard with its curves (issue 13 §4), with the former home tiles that the
dashboard does not already show under it, each a link to its list; other roles keep their home page of tiles."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_leadership_lands_on_the_dashboard_after_sign_in(personas, client_for, client):
    leader = personas["leader"]
    assert client_for(leader).get("/").url == reverse("reports:dashboard")
    # Signing in with the form lands there too (LOGIN_REDIRECT_URL is the home).
    r = client.post("/accounts/dang-nhap/", {"username": leader.username, "password": "Mat-khau-2022"}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("reports:dashboard")
    page = r.content.decode()
    assert 'id="disease-tabs"' in page and 'id="other-figures"' in page


def test_the_dashboard_keeps_the_home_figures_as_links(personas, client_for):
    c = client_for(personas["leader"])
    page = c.get(reverse("reports:dashboard")).content.decode()
    assert 'data-url="/reports/dieu-hanh/so-lieu-khac/?fragment=1"' in page
    fragment = c.get(reverse("reports:dashboard_tiles") + "?fragment=1")
    labels = {t["label"]: t["url"] for t in fragment.context["tiles"]}
    assert labels["Cảnh báo chưa tiếp nhận"] == "/cases/canh-bao/"
    assert '<a class="tile' in fragment.content.decode() and "<html" not in fragment.content.decode()
    # Without a script: the same tiles on a page of their own.
    assert "Cảnh báo chưa tiếp nhận" in c.get(reverse("reports:dashboard_tiles")).content.decode()
    # A health department officer (who may open the dashboard too) keeps his home, and no tiles on the dashboard.
    officer = client_for(personas["health_dept"])
    home = officer.get("/")
    assert home.status_code == 200 and home.context["tiles"]
    assert 'id="other-figures"' not in officer.get(reverse("reports:dashboard")).content.decode()


def test_other_roles_keep_their_home(personas, client_for):
    for key in ("commune_a", "care_a", "district_a", "agency"):
        r = client_for(personas[key]).get("/")
        assert r.status_code == 200 and "tiles" in r.context, key
