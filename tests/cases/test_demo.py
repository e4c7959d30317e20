import datetime as dt
import random

import pytest

from cases.models import Alert, Case, Check
from geo.models import AdministrativeUnit
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_it_builds_a_deterministic_february_wave_with_checks(kontum, commune_a, monkeypatch):
    from cases import demo
    from core.demo import DemoContext

    monkeypatch.setattr(demo, "CASES", 60)
    for i in range(80):
        make_person(commune_a, full_name=f"Người Thứ {i}", birth_year=1950 + i % 60)
    ctx = DemoContext(rng=random.Random(1), people_count=80, today=dt.date(2022, 2, 14), stdout=None, province=kontum,
                      districts=list(AdministrativeUnit.objects.filter(level="district", path__startswith="/62/")),
                      communes=[commune_a])
    ctx.say = lambda text: None
    demo.build(ctx)
    assert 40 <= Case.objects.count() <= 60
    assert Case.objects.filter(confirmed_on__lt=dt.date(2022, 2, 1)).count() == 0
    assert Check.objects.count() > Case.objects.count()
    assert not Case.objects.filter(status="active", care_setting="home", last_check_at__isnull=True, confirmed_on__lt=dt.date(2022, 2, 14)).exists()
    assert all(a.check_record.warning_signs for a in Alert.objects.select_related("check_record"))
