"""Each schedule rule at its boundaries: too early, wrong age, forbidden mix, one dose too many, order, approval."""
import datetime as dt

import pytest

from vaccination import services
from vaccination.models import Schedule

D = dt.date
TODAY = D(2022, 2, 14)


def rec(person, product, kind, number, on, by=None, **kw):
    return services.record_injection(by=by, person=person, product=product, dose_kind=kind, dose_number=number,
                                     given_on=on, today=TODAY, **kw)


def codes(exc):
    return [f.code for f in exc.value.findings]


def test_it_seeds_products_and_schedules_with_flags(products):
    assert {"astrazeneca", "comirnaty", "moderna", "sinopharm", "sputnik_v", "abdala", "hayat_vax", "covaxin", "janssen", "comirnaty_paed"} <= set(products)
    abdala = Schedule.objects.get(product__code="abdala")
    assert abdala.primary_doses == 3 and not abdala.confirmed and "min_interval_days" in abdala.unconfirmed_fields
    assert Schedule.objects.get(product__code="astrazeneca").min_interval_days == 28


def test_it_refuses_pfizer_one_day_too_early_and_accepts_on_day_21(adult, products):
    rec(adult, products["comirnaty"], "primary", 1, D(2021, 9, 1))
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["comirnaty"], "primary", 2, D(2021, 9, 21))
    assert codes(exc) == ["too_early"]
    assert "22/09/2021" in exc.value.vi
    inj = rec(adult, products["comirnaty"], "primary", 2, D(2021, 9, 22))
    assert inj.completes_primary


def test_it_asks_a_supervisor_for_astrazeneca_between_4_and_8_weeks(adult, products, personas):
    rec(adult, products["astrazeneca"], "primary", 1, D(2021, 8, 1))
    with pytest.raises(services.DoseRefused):
        rec(adult, products["astrazeneca"], "primary", 2, D(2021, 8, 28))  # 27 days
    with pytest.raises(services.NeedsOverride):
        rec(adult, products["astrazeneca"], "primary", 2, D(2021, 8, 29), by=personas["vaccinator_a"], override_reason="vùng dịch")
    with pytest.raises(services.NeedsOverride):
        rec(adult, products["astrazeneca"], "primary", 2, D(2021, 8, 29), by=personas["commune_a"])
    inj = rec(adult, products["astrazeneca"], "primary", 2, D(2021, 8, 29), by=personas["commune_a"], override_reason="Vùng dịch, rút ngắn")
    assert inj.overridden_by == personas["commune_a"] and inj.warnings[0]["code"] == "early"
    from audit.models import AuditEvent

    ev = AuditEvent.objects.get(action="other", target_id=str(inj.pk))
    assert ev.records["event"] == "override_warnings" and ev.records["warnings"] == ["early"]
    assert ev.note == "Vùng dịch, rút ngắn" and ev.person_id == adult.pk


def test_it_refuses_a_forbidden_mix_and_allows_az_then_pfizer(adult, commune_a, person_factory, products):
    rec(adult, products["sinopharm"], "primary", 1, D(2021, 8, 1))
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["comirnaty"], "primary", 2, D(2021, 9, 1))
    assert codes(exc) == ["forbidden_mix"]
    other = person_factory(commune_a, full_name="Lê Văn Cường", date_of_birth=D(1980, 1, 1))
    rec(other, products["astrazeneca"], "primary", 1, D(2021, 7, 1))
    assert rec(other, products["comirnaty"], "primary", 2, D(2021, 9, 1)).completes_primary


def test_it_refuses_the_wrong_age_at_the_boundary(commune_a, person_factory, products):
    teen = person_factory(commune_a, full_name="Phạm Minh Đức", date_of_birth=D(2004, 1, 10))
    # 17 on 09/01/2022: AstraZeneca is for 18+
    with pytest.raises(services.DoseRefused) as exc:
        rec(teen, products["astrazeneca"], "primary", 1, D(2022, 1, 9))
    assert codes(exc) == ["wrong_age"]
    assert rec(teen, products["astrazeneca"], "primary", 1, D(2022, 1, 10))
    child = person_factory(commune_a, full_name="Phạm Minh Anh", date_of_birth=D(2010, 3, 1))
    # Pfizer for 12–17 only from 14/10/2021 (8688/BYT-DP)
    with pytest.raises(services.DoseRefused):
        rec(child, products["comirnaty"], "primary", 1, D(2022, 2, 1))  # 11 years old
    with pytest.raises(services.DoseRefused):
        rec(child, products["comirnaty_paed"], "primary", 1, D(2022, 2, 1))  # paediatric form not yet in force


def test_it_refuses_one_dose_too_many_and_doses_out_of_order(adult, products):
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["comirnaty"], "primary", 2, D(2021, 9, 1))
    assert codes(exc) == ["out_of_order"]
    rec(adult, products["comirnaty"], "primary", 1, D(2021, 7, 1))
    rec(adult, products["comirnaty"], "primary", 2, D(2021, 8, 1))
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["comirnaty"], "primary", 3, D(2021, 9, 1))
    assert codes(exc) == ["too_many"]
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["comirnaty"], "primary", 2, D(2021, 9, 1))
    assert codes(exc) == ["duplicate"]


def test_it_counts_abdala_third_dose_as_primary(adult, products):
    rec(adult, products["abdala"], "primary", 1, D(2021, 11, 1))
    second = rec(adult, products["abdala"], "primary", 2, D(2021, 11, 15))
    assert not second.completes_primary
    assert rec(adult, products["abdala"], "primary", 3, D(2021, 11, 29)).completes_primary


def test_it_refuses_future_dates_and_doses_before_approval(adult, products):
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["comirnaty"], "primary", 1, D(2022, 2, 15))
    assert "future" in codes(exc)
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["covaxin"], "primary", 1, D(2021, 11, 9))
    assert "before_approval" in codes(exc)


def test_it_applies_the_booster_interval_in_force(adult, products):
    rec(adult, products["comirnaty"], "primary", 1, D(2021, 6, 15))
    rec(adult, products["comirnaty"], "primary", 2, D(2021, 7, 6))
    # 11/2021 rule: booster ≥ 180 days after the last primary dose → from 02/01/2022
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["moderna"], "booster", 1, D(2022, 1, 1))
    assert codes(exc) == ["too_early"] and "02/01/2022" in exc.value.vi
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["sinopharm"], "booster", 1, D(2022, 1, 2))
    assert codes(exc) == ["not_booster"]
    assert rec(adult, products["moderna"], "booster", 1, D(2022, 1, 2))


def test_it_refuses_a_booster_before_the_primary_series_is_complete(adult, products):
    rec(adult, products["comirnaty"], "primary", 1, D(2021, 6, 15))
    with pytest.raises(services.DoseRefused) as exc:
        rec(adult, products["comirnaty"], "booster", 1, D(2022, 1, 2))
    assert codes(exc) == ["primary_incomplete"]


def test_it_warns_when_an_additional_dose_is_not_for_a_special_group(adult, products, personas):
    rec(adult, products["comirnaty"], "primary", 1, D(2021, 10, 1))
    rec(adult, products["comirnaty"], "primary", 2, D(2021, 10, 22))
    with pytest.raises(services.DoseRefused):
        rec(adult, products["comirnaty"], "additional", 1, D(2021, 11, 18))  # 27 days
    with pytest.raises(services.NeedsOverride):
        rec(adult, products["comirnaty"], "additional", 1, D(2021, 11, 19))
    adult.is_immunocompromised = True
    adult.save()
    assert rec(adult, products["comirnaty"], "additional", 1, D(2021, 11, 19))
