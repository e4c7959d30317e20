"""The demo builder gives a realistic share of residents their doses through the real importer, deterministically."""
import datetime as dt
import io
import random

from core.demo import DemoContext
from vaccination import demo
from vaccination.models import Campaign, Injection, PersonVaccination

D = dt.date


def test_it_vaccinates_a_realistic_share_of_the_demo_residents(kontum, commune_a, person_factory):
    rng = random.Random(1)
    for i in range(60):
        person_factory(commune_a, full_name=f"Người Thứ {chr(65 + i % 26)}{chr(65 + i // 26)}",  # no digits: the registry's name rule date_of_birth=D(1940 + i, 1 + i % 12, 1 + i % 28),
                       id_number=f"0620{(1940 + i) % 100:02d}{i:06d}" if i % 3 else "")
    ctx = DemoContext(rng=rng, people_count=60, today=D(2022, 2, 14), stdout=io.StringIO(), province=kontum)
    demo.build(ctx)
    adults = 60 - sum(1 for i in range(60) if 1940 + i > 2003)
    vaccinated = PersonVaccination.objects.count()
    assert 0.8 * adults <= vaccinated <= adults + 10
    assert Injection.objects.filter(dose_kind="booster").exists()
    assert not Injection.objects.filter(given_on__gt=D(2022, 2, 14)).exists()
    assert Campaign.objects.filter(deadline=D(2021, 12, 31)).exists()
