"""Cached aggregates are recomputed exactly when the data they read changes."""
import datetime as dt

import pytest

from core import dataversion

pytestmark = pytest.mark.django_db


def test_a_figure_is_computed_once_until_its_data_changes():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    first = dataversion.cached(("figure", 1), versions=["vaccination"], compute=compute)
    again = dataversion.cached(("figure", 1), versions=["vaccination"], compute=compute)
    assert (first, again, len(calls)) == (1, 1, 1)
    dataversion.bump("population")  # other data: still cached
    assert dataversion.cached(("figure", 1), versions=["vaccination"], compute=compute) == 1
    dataversion.bump("vaccination")
    assert dataversion.cached(("figure", 1), versions=["vaccination"], compute=compute) == 2


def test_province_coverage_follows_a_recorded_dose(personas, commune_a, kontum):
    """The province page's figures are cached, and a dose recorded through the service shows at once."""
    from tests.conftest import make_person
    from vaccination import services
    from vaccination.models import Product

    day = dt.date(2022, 2, 14)
    before = services.coverage(kontum, day)["groups"]["all"]["dose1"]["numerator"]
    person = make_person(commune_a, full_name="Nguyễn Văn An", date_of_birth=dt.date(1980, 3, 7))
    product = Product.objects.order_by("pk").first()
    services.record_injection(by=personas["health_dept"], person=person, product=product, dose_kind="primary", dose_number=1,
                              given_on=dt.date(2022, 1, 10), today=day)
    assert services.coverage(kontum, day)["groups"]["all"]["dose1"]["numerator"] == before + 1
