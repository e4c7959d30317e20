"""Helpers of the levels tests: population, cases and entered criteria for Kon Tum's communes."""
import datetime as dt

import pytest

WEEK = dt.date(2022, 2, 7)  # a Monday under 218/QĐ-BYT; its data cut is 14/02/2022 00:00
BANDS = {"0-4": 0.08, "5-11": 0.12, "12-17": 0.1, "18-49": 0.45, "50-64": 0.17, "65+": 0.08}
GOOD = {"full_pct": 80, "high_risk_full_pct": 95, "adult_1dose_pct": 98, "age50_full_pct": 90,
        "mobile_stations_ready": True, "home_care_ready": True}


def set_population(unit, total: int, year: int = 2021):
    from geo.models import PopulationEstimate

    PopulationEstimate.objects.filter(unit=unit).delete()
    rows = []
    for band, share in BANDS.items():
        n = round(total * share)
        rows += [PopulationEstimate(unit=unit, year=year, sex="M", age_band=band, population=n // 2),
                 PopulationEstimate(unit=unit, year=year, sex="F", age_band=band, population=n - n // 2)]
    PopulationEstimate.objects.bulk_create(rows)


def add_cases(commune, n: int, on: dt.date, detected_in: str = "community", **extra):
    from cases.models import Case
    from diseases.models import Disease
    from people.models import Person

    disease = Disease.objects.get_or_create(code="covid19", defaults={"name": "COVID-19"})[0]
    people = Person.objects.bulk_create([Person(commune=commune, full_name=f"Người bệnh {i}", name_folded=f"nguoi benh {i}",
                                                birth_year=1980, sex="M") for i in range(n)])
    Case.objects.bulk_create([Case(person=p, disease=disease, commune=commune, confirmed_on=on, test_kind="rt_pcr",
                                   detected_in=detected_in, **extra) for p in people])


def enter(unit, week=WEEK, **values):
    from levels.models import CriteriaEntry

    e, _ = CriteriaEntry.objects.get_or_create(unit=unit, week_start=week)
    e.values = {**e.values, **values}
    e.save()
    return e


@pytest.fixture
def after_cut():
    """A moment after the data cut of WEEK."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(2022, 2, 14, 0, 10))
