import datetime as dt

import pytest

from diseases.models import RuleSet
from diseases.rules import NoRuleInForce, rule_in_force, valid_until, why

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind,on,source", [
    ("home_care", dt.date(2021, 8, 21), "4038/QĐ-BYT"),
    ("home_care", dt.date(2022, 1, 30), "4038/QĐ-BYT"),
    ("home_care", dt.date(2022, 1, 31), "261/QĐ-BYT"),
    ("warning_signs", dt.date(2022, 1, 30), "4038/QĐ-BYT"),
    ("warning_signs", dt.date(2022, 1, 31), "261/QĐ-BYT"),
    ("release", dt.date(2021, 12, 28), "4038/QĐ-BYT"),
    ("release", dt.date(2021, 12, 29), "11042/BYT-DP"),
    ("release", dt.date(2022, 1, 31), "261/QĐ-BYT"),
    ("release", dt.date(2022, 2, 20), "261/QĐ-BYT"),
    ("release", dt.date(2022, 2, 21), "762/BYT-DP"),
    ("medicine", dt.date(2022, 2, 1), "261/QĐ-BYT"),
])
def test_it_picks_the_version_in_force_on_each_boundary(kind, on, source):
    assert rule_in_force(kind=kind, on=on).source_document.startswith(source)


def test_it_refuses_a_date_before_any_version():
    with pytest.raises(NoRuleInForce) as refused:
        rule_in_force(kind="home_care", on=dt.date(2020, 1, 22))
    assert refused.value.en == "No home care rule for COVID-19 on 22/01/2020: add a version that covers this date"


def test_before_home_care_every_covid_case_was_treated_in_hospital():
    rule = rule_in_force(kind="home_care", on=dt.date(2021, 8, 20))
    assert rule.value("home_care_allowed") is False and rule.valid_to == dt.date(2021, 8, 20)


def test_it_flags_unconfirmed_values_and_cites_a_source_for_every_value():
    for rule in RuleSet.objects.filter(disease__code="covid19"):
        for key, entry in rule.values.items():
            assert entry["source"], (rule, key)
    assert "rr_under_1_min" in rule_in_force(kind="warning_signs", on=dt.date(2022, 2, 1)).unconfirmed_keys
    assert rule_in_force(kind="warning_signs", on=dt.date(2022, 2, 1)).value("spo2_max") == 96


def test_it_explains_which_version_applies_and_until_when():
    rule = rule_in_force(kind="release", on=dt.date(2022, 2, 5))
    reason = why(rule, dt.date(2022, 2, 5), "ngày xác định", "confirmation date")
    assert "261/QĐ-BYT" in reason["vi"] and "05/02/2022" in reason["vi"] and "31/01/2022" in reason["vi"]
    assert valid_until(rule) == dt.date(2022, 2, 20)


def test_it_does_not_seed_the_kinds_other_capabilities_own():
    assert not RuleSet.objects.filter(disease__code="covid19", kind__in=["f1_quarantine", "fully_vaccinated"], created_by__isnull=True,
                                      source_document__in=["261/QĐ-BYT ngày 31/01/2022"]).exists()
