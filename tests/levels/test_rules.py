"""The pure assessment (levels.rules.assess) under the seeded criteria versions: worked examples and band boundaries."""
import datetime as dt

import pytest

from levels.models import CriteriaVersion
from levels.rules import NoVersionInForce, assess_with_version, version_in_force

COVERED_4800 = {"adult_1dose_pct": 98, "age50_full_pct": 85}
CAPACITY = {"mobile_stations_ready": True, "home_care_ready": True}


def v4800():
    return version_in_force(dt.date(2021, 11, 10))


def v218():
    return version_in_force(dt.date(2022, 2, 10))


@pytest.mark.django_db
def test_it_picks_the_version_in_force_on_the_date():
    assert v4800().code == "4800-qd-byt"
    assert v218().code == "218-qd-byt"
    assert version_in_force(dt.date(2022, 1, 26)).code == "4800-qd-byt"
    assert version_in_force(dt.date(2022, 1, 27)).code == "218-qd-byt"
    with pytest.raises(NoVersionInForce):
        version_in_force(dt.date(2021, 10, 11))


@pytest.mark.django_db
def test_it_gives_level_2_for_hanoi_early_november_2021():
    # 1 case/100k/week (band 1), 18+ one dose 98% (met), 50+ fully vaccinated 48% (not met) → level 2.
    r = assess_with_version({"new_cases_per_100k_week": 1, "adult_1dose_pct": 98, "age50_full_pct": 48, **CAPACITY}, v4800())
    assert r.level == 2
    assert r.version_code == "4800-qd-byt"
    assert r.transmission_band == 1 and r.coverage_met is False
    texts = " ".join(s.vi for s in r.steps)
    assert "nhóm 1" in texts and "không đạt" in texts and "cấp 2" in texts


@pytest.mark.django_db
def test_it_gives_level_2_for_hanoi_late_november_2021():
    r = assess_with_version({"new_cases_per_100k_week": 20, "adult_1dose_pct": 70, "age50_full_pct": 80, **CAPACITY}, v4800())
    assert r.level == 2 and r.transmission_band == 2 and r.coverage_met is True


@pytest.mark.django_db
def test_it_gives_level_3_for_dong_da_december_2021():
    r = assess_with_version({"new_cases_per_100k_week": 177, **COVERED_4800, **CAPACITY}, v4800())
    assert r.level == 3 and r.transmission_band == 4


@pytest.mark.django_db
@pytest.mark.parametrize("rate,band,covered_level,uncovered_level", [
    (0, 1, 1, 1),  # no case: no raise for coverage
    (0.5, 1, 1, 2),
    (19.99, 1, 1, 2),
    (20, 2, 2, 3),
    (49.99, 2, 2, 3),
    (50, 3, 3, 4),
    (149.99, 3, 3, 4),
    (150, 4, 3, 4),
    (5000, 4, 3, 4),
])
def test_it_bands_every_4800_boundary(rate, band, covered_level, uncovered_level):
    good = assess_with_version({"new_cases_per_100k_week": rate, **COVERED_4800, **CAPACITY}, v4800())
    bad = assess_with_version({"new_cases_per_100k_week": rate, "adult_1dose_pct": 98, "age50_full_pct": 79.99, **CAPACITY}, v4800())
    assert (good.transmission_band, good.level) == (band, covered_level)
    assert (bad.transmission_band, bad.level) == (band, uncovered_level)


@pytest.mark.django_db
@pytest.mark.parametrize("adult,elderly,met", [(70, 80, True), (69.99, 80, False), (70, 79.99, False), (100, 100, True)])
def test_it_checks_the_4800_coverage_minima_inclusively(adult, elderly, met):
    r = assess_with_version({"new_cases_per_100k_week": 10, "adult_1dose_pct": adult, "age50_full_pct": elderly, **CAPACITY}, v4800())
    assert r.coverage_met is met


@pytest.mark.django_db
@pytest.mark.parametrize("rate,band", [(19.99, 1), (20, 2), (50, 3), (600, 3), (600.01, 4)])
def test_it_bands_the_218_boundaries_with_level_4_above_600(rate, band):
    r = assess_with_version({"new_cases_per_100k_week": rate, "full_pct": 80, "high_risk_full_pct": 95, **CAPACITY}, v218())
    assert r.transmission_band == band


@pytest.mark.django_db
@pytest.mark.parametrize("full,high_risk,met", [(75, 90, True), (74.99, 90, False), (75, 89.99, False)])
def test_it_checks_the_218_coverage_minima(full, high_risk, met):
    r = assess_with_version({"new_cases_per_100k_week": 30, "full_pct": full, "high_risk_full_pct": high_risk, **CAPACITY}, v218())
    assert r.coverage_met is met
    assert r.level == (2 if met else 3)


@pytest.mark.django_db
def test_it_flags_218_oxygen_and_death_thresholds_as_unknown_and_does_not_band_them():
    r = assess_with_version({"new_cases_per_100k_week": 5, "oxygen_per_100k_week": 900, "deaths_per_100k_week": 50,
                             "full_pct": 80, "high_risk_full_pct": 95, **CAPACITY}, v218())
    assert r.level == 1
    oxygen = next(s for s in r.steps if s.key == "oxygen_per_100k_week")
    assert oxygen.confirmed is False and "chưa xác định" in oxygen.vi
    assert r.unconfirmed


@pytest.mark.django_db
def test_it_gives_no_level_and_says_what_is_missing():
    r = assess_with_version({"adult_1dose_pct": 98}, v4800())
    assert r.level is None
    assert {m.key for m in r.missing} == {"new_cases_per_100k_week", "age50_full_pct"}
    assert any("Thiếu" in m.vi for m in r.missing)


@pytest.mark.django_db
def test_it_keeps_the_previous_level_when_capacity_is_not_met():
    values = {"new_cases_per_100k_week": 5, **COVERED_4800, "mobile_stations_ready": False, "home_care_ready": True}
    r = assess_with_version(values, v4800(), previous_level=3)
    assert r.level == 3
    assert any(s.key == "c3_unmet_no_lowering" for s in r.steps)
    lowered = assess_with_version({**values, "mobile_stations_ready": True}, v4800(), previous_level=3)
    assert lowered.level == 1


@pytest.mark.django_db
def test_it_refuses_to_lower_a_level_without_capacity_data():
    r = assess_with_version({"new_cases_per_100k_week": 5, **COVERED_4800}, v4800(), previous_level=3)
    assert r.level is None
    assert {m.key for m in r.missing} == {"mobile_stations_ready", "home_care_ready"}
    # Without a previous level (nothing to lower) capacity does not decide.
    assert assess_with_version({"new_cases_per_100k_week": 5, **COVERED_4800}, v4800()).level == 1


@pytest.mark.django_db
def test_it_cites_the_source_of_every_threshold_and_flags_unconfirmed_ones():
    for version in CriteriaVersion.objects.all():
        for key, entry in version.values.items():
            assert entry["source"], key
        assert "c1_cases_band3_from" in version.unconfirmed_keys
    assert "c1_cases_band4_from" not in v218().unconfirmed_keys
