import datetime as dt

import pytest

from tests.conftest import make_person, make_user


def make_case(person, **kw):
    from cases.models import Case
    from diseases.models import Disease

    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    defaults = {"confirmed_on": dt.date(2022, 2, 14), "test_kind": "rt_pcr", "detected_in": "community",
                "care_setting": "home"}
    defaults.update(kw)
    return Case.objects.create(person=person, disease=disease, commune=person.commune, **defaults)


@pytest.fixture
def district_officer(commune_a):
    """A Department-of-Health officer whose jurisdiction is commune A's district only."""
    return make_user("so_y_te_huyen_a", "health_dept", commune_a.parent)


@pytest.fixture
def resident_a(commune_a):
    return make_person(commune_a, full_name="Trần Thị Bình", phone="0912345678", id_kind="cccd",
                       id_number="062190000123", birth_year=1990)


@pytest.fixture
def resident_b(commune_b):
    return make_person(commune_b, full_name="Y Hờ Nin", phone="0987654321", birth_year=1975)
