"""The one scoping mechanism (core.scoping) and the dd/mm/yyyy parsing every form and import relies on."""
import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from core.parsing import ParseError, format_date, parse_date, parse_decimal, parse_int
from core.scoping import get_for_user, scope, visible_units
from people.models import Person
from tests.conftest import make_person, make_user


# --- Scoping -----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_each_level_sees_its_unit_and_the_units_below(personas, commune_a, commune_a2, commune_b):
    a, a2, b = make_person(commune_a), make_person(commune_a2), make_person(commune_b)
    seen = {key: set(scope(Person.objects.all(), personas[key])) for key in personas}
    assert seen["commune_a"] == {a} and seen["commune_b"] == {b}
    assert seen["district_a"] == {a, a2}
    assert seen["leader"] == seen["health_dept"] == seen["admin"] == {a, a2, b}
    assert seen["agency"] == set()


@pytest.mark.django_db
def test_a_user_of_a_2025_commune_sees_the_records_of_the_old_communes_it_absorbed(kontum, commune_a):
    from geo.models import UnitCorrespondence

    link = UnitCorrespondence.objects.filter(old_unit=commune_a).select_related("new_unit").first()
    assert link is not None, "the 2025 structure and its correspondence are loaded with the units"
    p = make_person(commune_a)
    new_user = make_user("xa_moi", "commune_health", link.new_unit)
    assert list(scope(Person.objects.all(), new_user)) == [p]
    assert commune_a in set(visible_units(new_user))


@pytest.mark.django_db
def test_inactive_and_anonymous_users_see_nothing(personas, commune_a):
    from django.contrib.auth.models import AnonymousUser

    make_person(commune_a)
    user = personas["commune_a"]
    user.is_active = False
    assert not scope(Person.objects.all(), user).exists()
    assert not scope(Person.objects.all(), AnonymousUser()).exists()
    assert not scope(Person.objects.all(), None).exists()


@pytest.mark.django_db
def test_outsiders_get_404_not_403(personas, commune_a):
    p = make_person(commune_a)
    assert get_for_user(Person, personas["commune_a"], pk=p.pk) == p
    with pytest.raises(Http404):
        get_for_user(Person, personas["commune_b"], pk=p.pk)


@pytest.mark.django_db
def test_a_model_without_a_declared_jurisdiction_is_refused(personas):
    from audit.models import AuditEvent

    with pytest.raises(ImproperlyConfigured):
        scope(AuditEvent.objects.all(), personas["commune_a"])


@pytest.mark.django_db
def test_visible_units_of_a_commune_user_are_his_commune_only(personas, commune_a):
    assert list(visible_units(personas["commune_a"]).filter(level="commune")) == [commune_a]


# --- Parsing ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "date"),
    [("07/03/1990", dt.date(1990, 3, 7)), ("7/3/1990", dt.date(1990, 3, 7)), ("07-03-1990", dt.date(1990, 3, 7)),
     ("07.03.1990", dt.date(1990, 3, 7)), ("1990-03-07", dt.date(1990, 3, 7)), ("07/03/1990 00:00:00", dt.date(1990, 3, 7)),
     ("", None), (None, None), (dt.datetime(1990, 3, 7, 8, 0), dt.date(1990, 3, 7))],
)
def test_it_reads_dates_as_vietnamese_write_them(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize("text", ["31/02/2022", "03/07/90", "1990/03/07", "hôm qua", "13/13/2022"])
def test_it_refuses_impossible_or_ambiguous_dates_in_both_languages(text):
    with pytest.raises(ParseError) as exc:
        parse_date(text)
    assert exc.value.vi and exc.value.en and text in exc.value.en


def test_it_reads_numbers_with_vietnamese_separators():
    assert parse_int("1.234") == 1234 and parse_int(" 12 ") == 12 and parse_int(3.0) == 3
    assert parse_decimal("36,5") == 36.5 and parse_decimal("1.234,5") == 1234.5
    with pytest.raises(ParseError):
        parse_int("12a")
    assert format_date(dt.date(2022, 2, 14)) == "14/02/2022"
