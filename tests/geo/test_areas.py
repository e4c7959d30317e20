"""geo.areas: the installation's structure and province, what lies under a unit on either structure, roll-ups
across the 2025 reorganisation (a divided commune counted once), and the denominators every app shares."""
import datetime as dt

import pytest

from geo import areas
from geo.models import AdministrativeUnit, Level, PopulationEstimate, UnitCorrespondence


def _estimates(unit, year=2021, per_band=100):
    PopulationEstimate.objects.bulk_create([
        PopulationEstimate(unit=unit, year=year, sex=sex, age_band=band, population=per_band)
        for sex in ("M", "F") for band in ("0-4", "5-11", "12-17", "18-49", "50-64", "65+")
    ])


@pytest.fixture
def divided(commune_b):
    """A pre-2025 commune split between two 2025 communes. Kon Tum's own communes were merged whole, so a part of
    commune B is given to a second 2025 commune (is_default=False), as the correspondence does for divided ones."""
    default = commune_b.successor_links.get(is_default=True).new_unit
    other = AdministrativeUnit.objects.filter(parent=default.parent, level=Level.COMMUNE).exclude(pk=default.pk).order_by("code").first()
    UnitCorrespondence.objects.create(old_unit=commune_b, new_unit=other, is_default=False)
    return commune_b


def test_the_defaults_are_the_2025_structure_and_quang_ngai(settings, kontum):
    assert areas.installation_structure() == areas.FROM_2025 == "2025"
    assert areas.installation_province_code() == "51"
    province = areas.installation_province()
    assert province.path == "/n51/" and province.level == Level.PROVINCE
    # The former Kon Tum is inside it: its pre-2025 province is part of the installation's history.
    assert "/62/" in set(areas.history_provinces().values_list("path", flat=True))
    units = areas.installation_units()
    assert units.filter(path="/62/608/23281/").exists() and units.filter(path="/n51/").exists()
    assert not units.filter(path__startswith="/n01/").exists()


def test_a_pre2025_installation_is_kon_tum(settings, kontum):
    settings.PHONGDICH_STRUCTURE = "pre2025"
    settings.PHONGDICH_PROVINCE_CODE = "62"
    assert areas.installation_province() == kontum
    units = areas.installation_units()
    assert units.filter(path="/62/608/").exists()
    # … and the 2025 communes that took over its places, so its history is shown on today's map too.
    assert units.filter(path__startswith="/n51/", level=Level.COMMUNE).exists()


def test_structure_on_a_date():
    assert areas.structure_on(dt.date(2025, 6, 30)) == areas.PRE_2025
    assert areas.structure_on(dt.date(2025, 7, 1)) == areas.FROM_2025


def test_a_2025_unit_covers_the_pre2025_communes_it_absorbed(commune_a):
    new = commune_a.successor_links.get(is_default=True).new_unit
    assert areas.units_under(new, Level.COMMUNE).filter(pk=commune_a.pk).exists()
    assert commune_a.pk in areas.commune_ids_under(new)
    province = new.parent
    communes = areas.units_under(province, Level.COMMUNE)
    assert communes.filter(path__startswith="/62/").count() == 102  # every Kon Tum commune
    # A pre-2025 unit covers its own path only.
    assert set(areas.units_under(commune_a.parent, Level.COMMUNE).values_list("path", flat=True)) == set(
        AdministrativeUnit.objects.filter(path__startswith=commune_a.parent.path, level=Level.COMMUNE).values_list("path", flat=True))


def test_a_divided_commune_is_seen_by_each_successor_but_counted_in_one(divided):
    successors = areas.successors_of([divided])[divided.pk]
    assert len(successors) > 1
    default = divided.successor_links.get(is_default=True).new_unit
    assert successors[0] == default
    for s in successors:
        assert areas.units_under(s, counting=False).filter(pk=divided.pk).exists()  # visibility: every successor
    counted = [s for s in successors if divided.pk in areas.commune_ids_under(s)]
    assert counted == [default]
    assert areas.rollup_map(areas.FROM_2025, [divided.pk]) == {divided.pk: default.pk}
    assert areas.rollup_map(areas.PRE_2025, [divided.pk]) == {divided.pk: divided.pk}
    # A 2025 commune asked for on the old map counts in its first predecessor by code (with or without ids).
    first = default.predecessor_links.filter(is_default=True).order_by("old_unit__code").first().old_unit_id
    assert areas.rollup_map(areas.PRE_2025, [default.pk]) == {default.pk: first}
    assert areas.rollup_map(areas.PRE_2025)[default.pk] == first


def test_vaccination_denominators_equal_the_population_module(divided, commune_a):
    from geo.services import population, population_by_band
    from vaccination import services as vaccination

    _estimates(divided, per_band=100)
    _estimates(commune_a, per_band=7)
    on = dt.date(2021, 9, 1)  # the estimates' year: no cohort ageing (tests/vaccination/test_denominators_at_date.py)
    later = dt.date(2023, 3, 1)
    province = divided.successor_links.get(is_default=True).new_unit.parent
    for unit in [province, divided.parent, divided, *areas.successors_of([divided])[divided.pk]]:
        bands, year = vaccination.population(unit, on)
        assert (bands, year) == population_by_band(unit, on)
        assert vaccination.population(unit, later) == population_by_band(unit, later)
        assert sum(bands.values()) == population(unit, 2021)
        cov = vaccination.coverage(unit, on)
        assert cov["groups"]["all"]["dose1"]["denominator"] == population(unit, 2021)
        assert vaccination.coverage(unit, later)["population"] == population_by_band(unit, later)[0]
    # The divided commune counts once in the 2025 province: 12 × 100 + 12 × 7, not 12 × 100 per successor.
    assert population(province, 2021) == 12 * 100 + 12 * 7
    successors = areas.successors_of([divided])[divided.pk]
    a_new = commune_a.successor_links.get(is_default=True).new_unit
    assert sum(population(s, 2021) for s in successors) == 12 * 100 + (12 * 7 if a_new in successors else 0)
    assert sum(vaccination.population(s, on)[0]["18-49"] for s in successors) == 2 * 100 + (2 * 7 if a_new in successors else 0)


def test_scoping_uses_the_areas_module(personas, divided):
    """A user of a 2025 commune sees the records of every pre-2025 commune it took a part of; querysets stay unique."""
    from core.scoping import scope
    from geo.models import Village
    from tests.conftest import make_user

    v = Village.objects.create(commune=divided, name="Thôn 1")
    for s in areas.successors_of([divided])[divided.pk]:
        user = make_user(f"xa_{s.code}", "commune_health", s)
        assert list(scope(Village.objects.all(), user)) == [v]


def test_the_2025_map_shows_the_population_of_the_absorbed_communes(divided, commune_a):
    from geo.services import population, population_by_unit

    _estimates(divided, per_band=100)
    _estimates(commune_a, per_band=7)
    province = areas.installation_province()
    children = list(province.children.all())
    values = population_by_unit(children, 2021)
    assert sum(values.values()) == population(province, 2021) == 12 * 107  # the divided commune once
    default = divided.successor_links.get(is_default=True).new_unit
    assert values[default.pk] >= 1200
    assert population_by_unit([divided.parent], 2021) == {divided.parent.pk: population(divided.parent, 2021)}


def test_the_structure_switch_shows_the_same_place_on_the_other_map(client_for, personas, commune_a):
    c = client_for(personas["admin"])  # sees the whole installation: both provinces, /62/ and /n51/
    page = c.get("/geo/ban-do/").content.decode()
    assert "Theo địa giới:" in page and 'data-structure="2025"' in page and "?structure=pre2025" in page
    new = commune_a.successor_links.get(is_default=True).new_unit
    r = c.get(f"/geo/ban-do/{commune_a.pk}/?structure=2025")
    assert r.status_code == 302 and r["Location"].startswith(f"/geo/ban-do/{new.pk}/")
    assert areas.unit_on(commune_a, areas.FROM_2025) == new
    assert areas.unit_on(new, areas.PRE_2025).structure == areas.PRE_2025
    assert areas.unit_on(commune_a.parent, areas.FROM_2025) == new.parent
    cov = c.get("/vaccination/bao-phu/?structure=pre2025").content.decode()
    assert 'data-structure="pre2025"' in cov


def test_the_api_aggregates_answer_on_the_structure_asked(api_for, personas, commune_a):
    _estimates(commune_a, per_band=5)
    api = api_for(personas["commune_a"])
    new = commune_a.successor_links.get(is_default=True).new_unit
    own = api.get(f"/api/units/{commune_a.pk}/population/?year=2021").json()
    other = api.get(f"/api/units/{commune_a.pk}/population/?year=2021&structure=2025").json()
    assert (own["unit"], own["structure"], own["population"]) == (commune_a.pk, "pre2025", 60)
    assert (other["unit"], other["structure"]) == (new.pk, "2025") and other["population"] >= 60
    assert api.get(f"/api/units/{commune_a.pk}/population/?year=2021&structure=1990").status_code == 400
