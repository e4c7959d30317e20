"""The people list on either structure: a person still recorded on a pre-2025 commune is shown with the 2025
commune it rolls up to on today's map and listed under that commune's filter; with the switch, under his own."""
import pytest

from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def _rows(page):
    return {p.full_name: p.unit_label for p in page.context["page_obj"]}


def test_people_on_either_structure(personas, commune_a, commune_a2, client_for):
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    make_person(commune_a, full_name="Trần Thị Bình")
    moved = make_person(new_a, full_name="Lê Văn Cường")  # re-homed: on today's commune
    client = client_for(personas["admin"])
    page = client.get("/people/")
    assert page.status_code == 200
    assert _rows(page) == {"Trần Thị Bình": f"{commune_a.name} (nay: {new_a.name})", "Lê Văn Cường": new_a.name}
    assert 'data-structure="2025"' in page.content.decode()
    assert {c.structure for c in page.context["communes"]} == {"2025"}
    assert set(_rows(client.get(f"/people/?commune={new_a.pk}"))) == {"Trần Thị Bình", "Lê Văn Cường"}
    old = client.get(f"/people/?structure=pre2025&commune={commune_a.pk}")
    assert _rows(old)["Trần Thị Bình"] == commune_a.name
    assert {c.structure for c in old.context["communes"]} == {"pre2025"}
    # The re-homed person counts in the first predecessor of his 2025 commune on the old map (geo.areas.rollup_map).
    first_old = min(new_a.predecessor_links.filter(is_default=True).select_related("old_unit"), key=lambda link: link.old_unit.code).old_unit
    assert ("Lê Văn Cường" in _rows(old)) == (first_old == commune_a)
    assert _rows(client.get(f"/people/?commune={commune_a2.pk}&structure=pre2025")).keys() == (
        {"Lê Văn Cường"} if first_old == commune_a2 else set())
    assert moved.commune_id == new_a.pk


def test_people_api_commune_filter_takes_either_structure(personas, commune_a, api_for):
    """The API list's ?commune= is the page's filter: today's commune also lists the people still on the commune
    it took over; an id that is no unit lists nobody."""
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    make_person(commune_a, full_name="Trần Thị Bình")
    make_person(new_a, full_name="Lê Văn Cường")
    api = api_for(personas["admin"])

    def names(query):
        answer = api.get(f"/api/people/?{query}")
        assert answer.status_code == 200, answer.content
        return {p["full_name"] for p in answer.json()["results"]}

    assert names(f"commune={new_a.pk}") == {"Trần Thị Bình", "Lê Văn Cường"}
    assert "Trần Thị Bình" in names(f"commune={commune_a.pk}")
    assert names("commune=999999999") == set()
