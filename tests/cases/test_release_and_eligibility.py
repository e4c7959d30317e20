import datetime as dt

import pytest

from cases.rules import home_care_eligibility, medicine_refusals, release_dates
from diseases.rules import rule_in_force

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("confirmed,vaccinated,earliest,latest", [
    (dt.date(2021, 12, 1), True, dt.date(2021, 12, 11), dt.date(2021, 12, 15)),   # 4038: 10 days
    (dt.date(2022, 1, 5), False, dt.date(2022, 1, 15), dt.date(2022, 1, 19)),     # 11042: 10 days
    (dt.date(2022, 2, 1), True, dt.date(2022, 2, 8), dt.date(2022, 2, 11)),       # 261: 7 days, else day 10
    (dt.date(2022, 2, 1), False, dt.date(2022, 2, 8), dt.date(2022, 2, 15)),      # 261: else day 14
    (dt.date(2022, 2, 21), False, dt.date(2022, 2, 28), dt.date(2022, 3, 7)),     # 762
])
def test_it_gives_the_release_dates_of_each_version(confirmed, vaccinated, earliest, latest):
    rule = rule_in_force(kind="release", on=confirmed)
    assert release_dates(rule, confirmed_on=confirmed, fully_vaccinated=vaccinated) == (earliest, latest)


def eligibility(on, **kw):
    base = dict(age=40, severity="mild", respiratory_rate=18, spo2=98, fully_vaccinated=False, has_comorbidity=False,
                comorbidity_stable=False, pregnant=False, can_self_care=True, has_phone=True)
    base.update(kw)
    return [r.code for r in home_care_eligibility(rule_in_force(kind="home_care", on=on), **base)]


def test_it_applies_the_4038_age_limit_only_to_the_unvaccinated():
    on = dt.date(2022, 1, 10)
    assert eligibility(on, age=55) == ["age"]
    assert eligibility(on, age=55, fully_vaccinated=True) == []
    assert eligibility(on, has_comorbidity=True) == ["comorbidity"]


def test_it_has_no_age_limit_under_261_but_needs_stable_comorbidity_and_self_care():
    on = dt.date(2022, 2, 10)
    assert eligibility(on, age=75) == []
    assert eligibility(on, has_comorbidity=True) == ["comorbidity"]
    assert eligibility(on, has_comorbidity=True, comorbidity_stable=True) == []
    assert eligibility(on, can_self_care=False, has_phone=False) == ["self_care", "phone"]


def test_it_uses_the_eligibility_boundaries_of_each_version():
    assert eligibility(dt.date(2022, 1, 10), spo2=96, respiratory_rate=20) == []
    assert eligibility(dt.date(2022, 2, 10), spo2=96, respiratory_rate=20) == ["respiratory_rate", "spo2"]
    assert eligibility(dt.date(2022, 2, 10), severity="moderate") == ["severity"]


def test_it_refuses_molnupiravir_under_18_and_in_pregnancy():
    rule = rule_in_force(kind="medicine", on=dt.date(2022, 2, 10))
    assert [r.code for r in medicine_refusals(rule, item="molnupiravir", age=17, pregnant=False, breastfeeding=False)] == ["age"]
    assert medicine_refusals(rule, item="molnupiravir", age=18, pregnant=False, breastfeeding=False) == []
    assert [r.code for r in medicine_refusals(rule, item="package_c", age=30, pregnant=True, breastfeeding=False)] == ["pregnant"]
    assert medicine_refusals(rule, item="package_a", age=5, pregnant=True, breastfeeding=False) == []
