"""Each warning-sign version at its boundary values (261/QĐ-BYT; 4038 inferred and flagged unconfirmed)."""
import datetime as dt

import pytest

from cases.rules import warning_signs
from diseases.rules import rule_in_force

pytestmark = pytest.mark.django_db
V261 = dt.date(2022, 2, 1)
V4038 = dt.date(2022, 1, 15)


def codes(on, age=40, symptoms=(), **values):
    return [s.code for s in warning_signs(rule_in_force(kind="warning_signs", on=on), age=age, values=values, symptoms=list(symptoms))]


@pytest.mark.parametrize("age,rr,expected", [
    (40, 19, []), (40, 20, ["respiratory_rate"]),
    (12, 20, ["respiratory_rate"]), (11, 29, []), (11, 30, ["respiratory_rate"]),
    (5, 29, []), (5, 30, ["respiratory_rate"]), (4, 39, []), (4, 40, ["respiratory_rate"]), (1, 40, ["respiratory_rate"]),
])
def test_it_uses_the_261_respiratory_rate_by_age_band(age, rr, expected):
    assert codes(V261, age=age, respiratory_rate=rr) == expected


@pytest.mark.parametrize("spo2,expected", [(97, []), (96, ["spo2"]), (95, ["spo2"])])
def test_it_flags_spo2_at_or_below_96_under_261(spo2, expected):
    assert codes(V261, spo2=spo2) == expected


def test_it_judged_spo2_96_and_rr_20_as_no_warning_under_4038():
    assert codes(V4038, spo2=96, respiratory_rate=20) == []
    assert codes(V4038, spo2=95, respiratory_rate=21) == ["respiratory_rate", "spo2"]


@pytest.mark.parametrize("pulse,expected", [(120, []), (121, ["pulse_high"]), (50, []), (49, ["pulse_low"])])
def test_it_flags_pulse_above_120_or_below_50(pulse, expected):
    assert codes(V261, pulse=pulse) == expected


def test_it_flags_low_blood_pressure_and_listed_symptoms_only():
    assert codes(V261, systolic=90, diastolic=60) == []
    assert codes(V261, systolic=89, diastolic=59) == ["systolic_low", "diastolic_low"]
    assert codes(V261, symptoms=["cough", "dyspnoea"]) == ["symptom:dyspnoea"]
