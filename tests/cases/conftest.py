import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_person


@pytest.fixture(autouse=True)
def _covid_rules(db):
    """The rule versions come from a data migration; a live-server test elsewhere may have flushed them."""
    from diseases.rules import clear_local
    from diseases.seed_covid19 import install

    install()
    clear_local()  # a rolled-back test may have added a version without a signal on the rollback


@pytest.fixture
def open_case(personas, commune_a):
    """open_case(**kw) → an active home case in commune A, confirmed on 05/02/2022 unless told otherwise."""
    from cases import services

    def make(person=None, **kw):
        person = person or make_person(commune_a, full_name=kw.pop("full_name", "Nguyễn Văn An"), birth_year=kw.pop("birth_year", 1980),
                                       phone="0905123456")
        kw.setdefault("confirmed_on", dt.date(2022, 2, 5))
        kw.setdefault("test_kind", "rapid_antigen")
        kw.setdefault("detected_in", "community")
        return services.open_case(by=personas["commune_a"], person=person, **kw)

    return make


def at(y, m, d, hh=8, mm=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))
