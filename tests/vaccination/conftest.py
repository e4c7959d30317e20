import datetime as dt

import pytest

D = dt.date


@pytest.fixture
def products(db):
    from vaccination.models import Product

    return {p.code: p for p in Product.objects.all()}


@pytest.fixture
def adult(commune_a, person_factory):
    return person_factory(commune_a, full_name="Trần Thị Bình", date_of_birth=D(1970, 5, 10), sex="F")
