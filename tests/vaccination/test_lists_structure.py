"""Vaccination lists on either structure: a dose and a village keep the commune of their time; on today's map (the
default) their rows name the 2025 commune it rolls up to, and a 2025 commune's filter holds the villages of the
pre-2025 communes it took over; with the switch, each shows its own unit."""
import datetime as dt

import pytest

from geo.models import Village

pytestmark = pytest.mark.django_db


def test_the_doses_list_names_the_commune_of_today(personas, adult, products, commune_a, client_for):
    from vaccination.models import Injection

    new_a = commune_a.successor_links.get(is_default=True).new_unit
    Injection.objects.create(person=adult, commune=commune_a, product=next(iter(products.values())), dose_number=1,
                             given_on=dt.date(2021, 9, 1))
    client = client_for(personas["admin"])
    page = client.get("/vaccination/mui-tiem/")
    assert [i.unit_label for i in page.context["page_obj"]] == [f"{commune_a.name} (nay: {new_a.name})"]
    assert 'data-structure="2025"' in page.content.decode()
    old = client.get("/vaccination/mui-tiem/?structure=pre2025")
    assert [i.unit_label for i in old.context["page_obj"]] == [commune_a.name]
    assert "structure=pre2025&amp;page=" in old.content.decode() or old.context["page_obj"].paginator.num_pages == 1
    assert old.context["structure_qs"] == "structure=pre2025&"


def test_villages_by_a_commune_of_either_structure(personas, commune_a, commune_b, client_for):
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    Village.objects.create(commune=commune_a, name="Thôn 1", name_folded="thon 1")
    Village.objects.create(commune=commune_b, name="Thôn 2", name_folded="thon 2")
    client = client_for(personas["admin"])
    rows = {v.name: v.unit_label for v in client.get(f"/vaccination/di-tung-nha/?xa={new_a.pk}").context["page_obj"]}
    assert rows == {"Thôn 1": f"{commune_a.name} (nay: {new_a.name})"}
    rows = {v.name: v.unit_label for v in client.get(f"/vaccination/di-tung-nha/?xa={commune_b.pk}&structure=pre2025").context["page_obj"]}
    assert rows == {"Thôn 2": commune_b.name}


def test_the_coverage_api_answers_on_the_structure_asked(api_for, personas, adult, products, commune_a):
    from geo.models import PopulationEstimate

    new_a = commune_a.successor_links.get(is_default=True).new_unit
    PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="F", age_band="50-64", population=2)
    api_for(personas["vaccinator_a"]).post("/api/vaccination/injections/", {
        "person": adult.pk, "product": products["comirnaty"].pk, "dose_kind": "primary", "dose_number": 1,
        "given_on": "2021-12-01"}, format="json")
    api = api_for(personas["admin"])
    url = f"/api/vaccination/injections/coverage/?unit={commune_a.pk}&on=2021-12-31"
    old = api.get(url).json()
    assert old["unit_id"] == commune_a.pk and old["structure"] == "pre2025"
    today = api.get(url + "&structure=2025").json()
    # The 2025 commune's figures hold the dose and the population recorded on its predecessor.
    assert today["unit_id"] == new_a.pk and today["structure"] == "2025"
    assert today["groups"]["50+"]["dose1"]["numerator"] >= 1
    assert api.get(url + "&structure=xyz").status_code == 400
