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


def test_the_dashboard_keeps_the_home_figures_it_does_not_show_as_links(personas, client_for):
    r = client_for(personas["leader"]).get(reverse("reports:dashboard"))
    tiles = r.context["tiles"]
    labels = {t["label"] for t in tiles}
    assert "Cảnh báo chưa tiếp nhận" in labels
    assert all(t["url"] for t in tiles if t["label"] == "Cảnh báo chưa tiếp nhận")
    # A health department officer (who may open the dashboard too) keeps his home, and no tiles on the dashboard.
    officer = client_for(personas["health_dept"])
    home = officer.get("/")
    assert home.status_code == 200 and home.context["tiles"]
    assert officer.get(reverse("reports:dashboard")).context["tiles"] == []


def test_other_roles_keep_their_home(personas, client_for):
    for key in ("commune_a", "care_a", "district_a", "agency"):
        r = client_for(personas[key]).get("/")
        assert r.status_code == 200 and "tiles" in r.context, key
