"""geo.areas helpers for lists on either structure: a record's label ("Xã A (nay: Phường B)"), a unit filter of
either structure matching what counts in the unit, and the switch dropping a unit of the other structure."""
import pytest
from django.test import RequestFactory

from geo import areas
from geo.models import AdministrativeUnit, Level, UnitCorrespondence

pytestmark = pytest.mark.django_db


def test_labels_name_the_unit_of_its_time_and_the_one_it_rolls_up_to(commune_a):
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    assert areas.unit_labels([commune_a, new_a]) == {commune_a.pk: f"{commune_a.name} (nay: {new_a.name})", new_a.pk: new_a.name}
    first_old = (UnitCorrespondence.objects.filter(new_unit=new_a, is_default=True).order_by("old_unit__code")
                 .first().old_unit)
    assert areas.unit_labels([commune_a, new_a], areas.PRE_2025) == {
        commune_a.pk: commune_a.name, new_a.pk: f"{new_a.name} (trước: {first_old.name})"}
    assert areas.unit_labels([]) == {}


def test_a_unit_filter_of_either_structure(commune_a, commune_b):
    new_a = commune_a.successor_links.get(is_default=True).new_unit
    communes = AdministrativeUnit.objects.filter(level=Level.COMMUNE)
    on_new = set(communes.filter(areas.unit_filter_q(new_a.pk, "")).values_list("pk", flat=True))
    assert {commune_a.pk, new_a.pk} <= on_new and commune_b.pk not in on_new
    on_old = set(communes.filter(areas.unit_filter_q(str(commune_a.pk), "")).values_list("pk", flat=True))
    first_old = (UnitCorrespondence.objects.filter(new_unit=new_a, is_default=True).order_by("old_unit__code")
                 .first().old_unit)
    assert commune_a.pk in on_old and (new_a.pk in on_old) == (first_old == commune_a)
    district = set(communes.filter(areas.unit_filter_q(commune_a.parent_id, "")).values_list("pk", flat=True))
    assert commune_a.pk in district and new_a.pk in district  # its first predecessor lies in that district
    assert not communes.filter(areas.unit_filter_q("x", "")).exists()
    assert not communes.filter(areas.unit_filter_q(10**9, "")).exists()


def test_the_switch_drops_a_unit_of_the_other_structure():
    from django.template import Context, Template

    request = RequestFactory().get("/cases/?commune=5&status=active&page=2")
    html = Template("{% load geo_tags %}{% structure_switch %}").render(Context({"request": request}))
    assert "structure=pre2025" in html and "status=active" in html and "commune=" not in html and "page=" not in html
