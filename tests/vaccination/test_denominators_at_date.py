"""Denominators at the date (issue #12 §4): population by age band aged by cohort to the assessment date, the
registry shown next to the official population, figures over 100 % flagged with their reason, campaign projections
bounded."""
import datetime as dt
import io
import random

import pytest

from geo.models import PopulationEstimate
from geo.services import age_cohorts, population_at

D = dt.date


def test_cohorts_age_into_the_next_band_and_births_fill_the_first():
    base = {"0-4": 500, "5-11": 700, "12-17": 600, "18-49": 3200, "50-64": 1500, "65+": 700}
    later = age_cohorts(base, 5)
    assert later["65+"] > base["65+"]  # a third of the 50–64 of the base year are 65+ five years on
    assert later["50-64"] < base["50-64"] + 3200 * 5 / 32  # gains a sixth of 18–49, loses a third to 65+
    assert later["0-4"] == base["0-4"]  # five years of births at the base year's rate
    assert abs(sum(later.values()) - sum(base.values()) - 5 * 100) <= 6  # five years of births; nobody moved or died
    assert age_cohorts(base, 0) == base
    earlier = age_cohorts(base, -2)
    assert abs(sum(earlier.values()) - (sum(base.values()) - 2 * 100)) <= 6  # the two youngest cohorts were not born yet
    assert earlier["65+"] < base["65+"]  # the 65- and 66-year-olds were still 50–64


def test_population_at_a_later_date_is_aged_and_says_so(commune_a):
    for band, n in (("50-64", 150), ("65+", 350)):
        PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="M", age_band=band, population=n)
    same_year = population_at(commune_a, D(2021, 9, 1))
    assert same_year["aged_years"] == 0 and same_year["bands"]["65+"] == 350
    later = population_at(commune_a, D(2024, 9, 1))
    assert later["year"] == 2021 and later["aged_years"] == 3 and later["source_bands"]["65+"] == 350
    assert later["bands"]["65+"] == 350 + 3 * 10  # 3 cohorts of 62–64-year-olds come in, nobody leaves


def test_a_band_over_100_percent_is_flagged_and_both_counts_are_shown(client_for, personas, commune_a, person_factory, products):
    from vaccination import services
    from vaccination.models import PersonVaccination

    PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="M", age_band="18-49", population=2)
    people = [person_factory(commune_a, full_name=f"Người Thứ {chr(65 + i)}", date_of_birth=D(1990, 1, 1 + i)) for i in range(3)]
    for p in people:
        PersonVaccination.objects.create(person_id=p.pk, commune_id=commune_a.pk, birth_date=p.date_of_birth, first_on=D(2021, 8, 1),
                                         dose_count=1)
    cov = services.coverage(commune_a, D(2021, 12, 1))
    cell = cov["bands"]["18-49"]["dose1"]
    assert (cell["numerator"], cell["denominator"], cell.get("over")) == (3, 2, True)
    assert cov["registry"]["18-49"] == 3 and cov["registry_exceeds"] == ["18-49"]
    page = client_for(personas["commune_a"]).get(f"/vaccination/bao-phu/?don_vi={commune_a.pk}&ngay=01/12/2021").content.decode()
    assert "&gt; 100 %" in page and "vượt dân số ước tính" in page and "150.0" not in page
    assert 'id="registry-exceeds"' in page and 'id="denominators"' in page


def test_a_slow_campaign_is_not_projected_centuries_ahead(commune_a, person_factory, products):
    from vaccination import outreach
    from vaccination.models import Campaign, PersonVaccination

    PopulationEstimate.objects.create(unit=commune_a, year=2021, sex="M", age_band="18-49", population=100_000)
    p = person_factory(commune_a, full_name="Người Duy Nhất", date_of_birth=D(1990, 1, 1))
    PersonVaccination.objects.create(person_id=p.pk, commune_id=commune_a.pk, birth_date=p.date_of_birth, first_on=D(2021, 12, 10),
                                     dose_count=1)
    campaign = Campaign.objects.create(name="Chậm", target="dose1", age_min=18, target_pct=100, starts_on=D(2021, 7, 1),
                                       deadline=D(2021, 12, 31), unit=commune_a)
    prog = outreach.progress(campaign, D(2021, 12, 14))
    assert prog.red_flag and prog.projected_on is None  # 100,000 people at 1 every 14 days: not a date in 5856


@pytest.mark.parametrize("seed", [3])
def test_coverage_on_the_demo_never_exceeds_100_percent_unless_flagged(kontum, seed):
    """A small demo (the real generator and dose importer), coverage of the province, a district and the 2025 province
    at dates from 2021 to today: no cell above 100 % unless flagged, and flagged only where the registry truly holds
    more people of that age than the (aged) population."""
    from core.demo import DemoContext
    from geo.models import AdministrativeUnit, Level, Village
    from people.demo_generator import generate
    from vaccination import demo as vaccination_demo
    from vaccination import services

    today = D(2022, 2, 14)
    communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/608/", level=Level.COMMUNE).order_by("code")[:4])
    villages = []
    for c in communes:
        villages.append((c, [Village.objects.create(commune=c, name=f"Thôn {i}") for i in range(1, 3)]))
    rng = random.Random(seed)
    generate(villages, 1500, rng, today)
    vaccination_demo.build(DemoContext(rng=rng, people_count=1500, today=today, stdout=io.StringIO()))
    new_province = AdministrativeUnit.objects.get(path="/n51/")
    units = [kontum, communes[0].parent, new_province]
    groups = {"all": services.BANDS, "12+": services.BANDS[2:], "18+": services.BANDS[3:], "50+": services.BANDS[4:]}
    over = []
    for on in (D(2021, 6, 30), D(2021, 12, 31), today, D(2023, 6, 30), D(2025, 6, 30), dt.date.today()):
        for unit in units:
            cov = services.coverage(unit, on)
            cells = [(b, d, c) for b, row in cov["bands"].items() for d, c in row.items()]
            cells += [(g, d, c) for g, row in cov["groups"].items() for d, c in row.items()]
            for name, dose, c in cells:
                if c["percentage"] is not None and c["percentage"] > 100:
                    assert c.get("over"), (unit, on, name, dose, c)
                    assert set(groups.get(name, [name])) & set(cov["registry_exceeds"]), (unit, on, name, dose, c)
                    over.append((unit.path, on, name, dose, c["percentage"]))
    # Before ageing (issue #12) the 65+ band stood at 145 % on the living demo; now at most a stray flagged band.
    assert not [o for o in over if o[2] in ("65+", "50+", "18+")], over
