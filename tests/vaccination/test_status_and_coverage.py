"""Status at dates across rule changes (10696 → 762), next dose and overdue; coverage against hand-computed sums."""
import datetime as dt

from geo.models import PopulationEstimate
from vaccination import services

D = dt.date
TODAY = D(2022, 2, 14)


def rec(person, product, kind, number, on):
    return services.record_injection(by=None, person=person, product=product, dose_kind=kind, dose_number=number,
                                     given_on=on, today=TODAY)


def test_it_judges_fully_vaccinated_under_the_definition_in_force(adult, products):
    rec(adult, products["comirnaty"], "primary", 1, D(2021, 6, 15))
    rec(adult, products["comirnaty"], "primary", 2, D(2021, 7, 6))
    # 10696 (16/12/2021–20/02/2022): last dose ≥14 days and ≤6 months (180 days) before
    assert services.is_fully_vaccinated(adult, D(2021, 12, 16)) is True  # 163 days
    assert services.is_fully_vaccinated(adult, D(2022, 1, 2)) is True  # 180 days
    assert services.is_fully_vaccinated(adult, D(2022, 1, 3)) is False  # 181 days: lapsed
    assert services.person_status(adult, D(2022, 1, 3))["status"] == "lapsed"
    # 762 (from 21/02/2022): ≥2 doses, last ≥14 days, no upper bound
    assert services.is_fully_vaccinated(adult, D(2022, 2, 21)) is True
    # before any definition: primary series complete counts
    assert services.is_fully_vaccinated(adult, D(2021, 7, 6)) is True


def test_it_needs_14_days_after_the_last_dose(adult, products):
    rec(adult, products["moderna"], "primary", 1, D(2021, 12, 1))
    rec(adult, products["moderna"], "primary", 2, D(2021, 12, 29))
    assert services.person_status(adult, D(2022, 1, 11))["status"] == "partial"
    assert services.person_status(adult, D(2022, 1, 12))["status"] == "full"
    assert services.person_status(adult, D(2021, 11, 30))["status"] == "none"


def test_it_tells_the_next_dose_and_when_it_is_overdue(adult, products):
    rec(adult, products["astrazeneca"], "primary", 1, D(2021, 9, 1))
    nxt = services.person_status(adult, D(2021, 10, 1))["next_dose"]
    assert (nxt.kind, nxt.number, nxt.due_on, nxt.overdue) == ("primary", 2, D(2021, 10, 27), False)  # 8 weeks
    assert services.person_status(adult, D(2021, 12, 15))["next_dose"].overdue is True
    rec(adult, products["astrazeneca"], "primary", 2, D(2021, 10, 27))
    nxt = services.person_status(adult, D(2022, 2, 1))["next_dose"]
    assert (nxt.kind, nxt.number, nxt.due_on) == ("booster", 1, D(2022, 4, 25))  # 180 days


def _pop(unit, band, n, year=2021):
    PopulationEstimate.objects.create(unit=unit, year=year, sex="M", age_band=band, population=n)


def test_it_computes_coverage_per_band_with_rolled_up_denominators(commune_a, commune_a2, commune_b, person_factory, products, kontum):
    for unit in (commune_a, commune_a2):
        _pop(unit, "18-49", 10)
        _pop(unit, "50-64", 5)
        _pop(unit, "65+", 5)
    _pop(commune_b, "18-49", 100)
    a1 = person_factory(commune_a, full_name="A Một", date_of_birth=D(1990, 1, 1))
    a2 = person_factory(commune_a2, full_name="A Hai", date_of_birth=D(1960, 1, 1), comorbidities=["Tiểu đường"])
    a3 = person_factory(commune_a2, full_name="A Ba", date_of_birth=D(1950, 1, 1))
    b1 = person_factory(commune_b, full_name="B Một", date_of_birth=D(1990, 1, 1))
    for p in (a1, a2, a3, b1):
        rec(p, products["comirnaty"], "primary", 1, D(2021, 9, 1))
    for p in (a2, b1):
        rec(p, products["comirnaty"], "primary", 2, D(2021, 9, 22))
    district = commune_a.parent
    cov = services.coverage(district, D(2021, 12, 31))
    assert cov["bands"]["18-49"]["dose1"] == {"numerator": 1, "denominator": 20, "percentage": 5.0}
    assert cov["bands"]["50-64"]["full"] == {"numerator": 1, "denominator": 10, "percentage": 10.0}
    assert cov["groups"]["18+"]["dose1"] == {"numerator": 3, "denominator": 40, "percentage": 7.5}
    assert cov["groups"]["50+"]["full"]["percentage"] == 5.0
    # on a date before the 2nd doses
    assert services.coverage(district, D(2021, 9, 21))["groups"]["18+"]["full"]["numerator"] == 0
    province = services.coverage(kontum, D(2021, 12, 31))
    assert province["groups"]["18+"]["dose1"] == {"numerator": 4, "denominator": 140, "percentage": round(400 / 140, 2)}
    levels = services.coverage_for_levels(district, D(2021, 12, 31))
    assert levels == {"adult_1dose_pct": 7.5, "age50_full_pct": 5.0, "high_risk_full_pct": 100.0, "full_pct": 2.5}
    # The bulk form used by the weekly assessment of every unit gives the same figures, unit by unit.
    units = [district, kontum, commune_a, commune_a2, commune_b]
    many = services.coverage_for_levels_many(units, D(2021, 12, 31))
    assert many == {u.pk: services.coverage_for_levels(u, D(2021, 12, 31)) for u in units}


def test_it_uses_age_on_the_date_for_the_band(commune_a, person_factory, products):
    _pop(commune_a, "12-17", 1)
    _pop(commune_a, "18-49", 1)
    p = person_factory(commune_a, full_name="Tuổi Mười Tám", date_of_birth=D(2003, 10, 20))
    rec(p, products["comirnaty"], "primary", 1, D(2021, 10, 20))
    assert services.coverage(commune_a, D(2021, 10, 20))["bands"]["18-49"]["dose1"]["numerator"] == 1
    # a birthday later: the same person counted among 18–49 only from the 18th birthday
    cov = services.coverage(commune_a, D(2021, 10, 19))
    assert cov["bands"]["12-17"]["dose1"]["numerator"] == 0 and cov["bands"]["18-49"]["dose1"]["numerator"] == 0


def test_it_shows_the_trend_month_by_month(commune_a, person_factory, products):
    _pop(commune_a, "18-49", 2)
    p = person_factory(commune_a, full_name="Xu Hướng", date_of_birth=D(1990, 1, 1))
    rec(p, products["moderna"], "primary", 1, D(2021, 10, 5))
    rec(p, products["moderna"], "primary", 2, D(2021, 11, 20))
    trend = services.coverage_trend(commune_a, D(2021, 12, 15), months=4)
    assert [t["on"] for t in trend] == [D(2021, 9, 30), D(2021, 10, 31), D(2021, 11, 30), D(2021, 12, 15)]
    assert [t["dose1"] for t in trend] == [0.0, 50.0, 50.0, 50.0]
    assert [t["full"] for t in trend] == [0.0, 0.0, 50.0, 50.0]
