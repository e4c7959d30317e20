"""The leadership dashboard's per-commune figures (incidence map, steepest rise) on either structure: today's map by
default, a 2025 commune's figure the sum of the pre-2025 communes that roll up into it; its list link counts the same."""
import datetime as dt

import pytest
from django.urls import reverse

from geo.models import UnitCorrespondence
from reports import dashboard

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 2, 14)


def make_case(person_factory, commune, **kw):
    from cases.models import Case
    from diseases.models import Disease

    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    defaults = {"confirmed_on": DAY, "test_kind": "rt_pcr", "detected_in": "community", "care_setting": "home"}
    defaults.update(kw)
    return Case.objects.create(person=person_factory(commune), disease=disease, commune=commune, **defaults)


def test_the_dashboard_groups_on_2025_communes_by_default(person_factory, personas, commune_a, kontum, client_for):
    new = commune_a.successor_links.get(is_default=True).new_unit
    other = UnitCorrespondence.objects.filter(new_unit=new, is_default=True).exclude(old_unit=commune_a).first().old_unit
    make_case(person_factory, commune_a)
    make_case(person_factory, commune_a)
    make_case(person_factory, other)
    old = dashboard.build(disease="covid19", unit=kontum, day=DAY, basis="report", structure="pre2025")
    assert {f["unit_id"]: f["value"] for f in old["incidence"]} == {commune_a.pk: 2, other.pk: 1}
    assert {f["unit_id"]: f["value"] for f in old["rising"]} == {commune_a.pk: 2, other.pk: 1}

    client = client_for(personas["leader"])
    page = client.get(reverse("reports:dashboard") + "?benh=covid19&theo=report&ngay=14/02/2022")
    data = page.context["data"]
    assert data["structure"] == "2025" and "Theo địa giới" in page.content.decode()
    assert {f["unit_id"]: f["value"] for f in data["incidence"]} == {new.pk: 3}
    assert {f["unit_id"]: f["value"] for f in data["rising"]} == {new.pk: 3}
    # The figure's list holds the three cases, each still on its pre-2025 commune.
    listing = client.get(data["rising"][0]["url"])
    assert listing.context["page_obj"].paginator.count == 3
    # The map is drawn on the 2025 communes.
    features = client.get(reverse("reports:dashboard") + "?benh=covid19&theo=report&ngay=14/02/2022&ban_do=1").json()
    ids = {f.get("id") or f["properties"].get("id") for f in features["features"]}
    assert new.pk in ids and commune_a.pk not in ids
