"""The weekly assessment: every commune from the system's data, districts and the province on aggregated population."""
import datetime as dt

import pytest

from core.errors import Invalid
from levels import rules, services
from levels.models import Assessment

from .conftest import GOOD, WEEK, add_cases, enter, set_population


def _district_units(commune):
    from geo.models import AdministrativeUnit

    district = commune.parent
    return district, list(AdministrativeUnit.objects.filter(parent=district).order_by("code"))


def test_it_computes_a_commune_level_from_community_cases_only(kontum, commune_a, after_cut):
    set_population(commune_a, 10_000)
    add_cases(commune_a, 3, WEEK + dt.timedelta(days=2))  # 30/100k → band 2
    add_cases(commune_a, 50, WEEK + dt.timedelta(days=3), detected_in="quarantine")  # not counted
    add_cases(commune_a, 40, WEEK - dt.timedelta(days=1))  # previous week: not counted
    enter(commune_a, **GOOD)
    [a] = services.assess_units([commune_a], WEEK, now=after_cut)
    assert a.values["new_cases_per_100k_week"] == 30.0
    assert a.origins["new_cases_per_100k_week"]["count"] == 3
    assert a.origins["new_cases_per_100k_week"]["vi"] == "Ca bệnh: 3 ca mắc mới tại cộng đồng (07/02/2022–13/02/2022), dân số 10.000"
    assert a.level == 2 and a.version.code == "218-qd-byt"
    text = " ".join(rules.step_text(s, "vi") for s in a.steps)
    assert "= 30 → nhóm 2" in text and "Kết quả: Cấp 2" in text
    assert "nhập tay" in a.origins["full_pct"]["vi"]  # entered values win over computed ones, and say so


def test_it_assesses_district_and_province_on_aggregated_population_not_the_worst_commune(kontum, after_cut):
    district, communes = _district_units(kontum.children.order_by("code").first().children.first())
    hot, *others = communes
    for c in communes:
        set_population(c, 10_000)
        enter(c, **GOOD)
    add_cases(hot, 20, WEEK + dt.timedelta(days=1))  # 200/100k: band 3 in the commune
    enter(district, **GOOD)
    enter(kontum, **GOOD)
    results = {a.unit_id: a for a in services.assess_province(kontum, WEEK, now=after_cut)}
    assert results[hot.id].level == 3
    d = results[district.id]
    assert d.population == 10_000 * len(communes)
    assert d.values["new_cases_per_100k_week"] == round(20 * 100_000 / d.population, 2)
    assert d.level < 3  # not the worst commune
    assert results[others[0].id].level == 1
    p = results[kontum.id]
    assert p.population == d.population  # only this district has population
    assert p.level == 1


def test_it_says_what_is_missing_and_invents_no_level(kontum, commune_a, commune_b, after_cut):
    set_population(commune_a, 5_000)
    [a, b] = services.assess_units([commune_a, commune_b], WEEK, now=after_cut)
    # Commune B has no population: no rate, no level.
    assert b.level is None
    assert any(m["key"] == "new_cases_per_100k_week" and "dân số" in m["vi"] for m in b.missing)
    # Commune A has population and cases (none) but no coverage data entered.
    assert a.level is None
    keys = {m["key"] for m in a.missing}
    assert keys & {"full_pct", "high_risk_full_pct"}


def test_it_refuses_a_week_that_has_not_ended(commune_a, after_cut):
    with pytest.raises(Invalid) as exc:
        services.assess_units([commune_a], WEEK + dt.timedelta(days=7), now=after_cut)
    assert "chưa kết thúc" in exc.value.vi and "has not ended" in exc.value.en
    assert not Assessment.objects.exists()


def test_it_prefers_entered_values_and_reassessing_replaces_the_week(kontum, commune_a, after_cut):
    set_population(commune_a, 10_000)
    enter(commune_a, **GOOD)
    services.assess_units([commune_a], WEEK, now=after_cut)
    enter(commune_a, new_cases_per_100k_week=700)
    [a] = services.assess_units([commune_a], WEEK, now=after_cut)
    assert a.level == 3 and a.values["new_cases_per_100k_week"] == 700
    assert Assessment.objects.filter(unit=commune_a, week_start=WEEK).count() == 1
    assert Assessment.objects.get(unit=commune_a, week_start=WEEK).level == 3


def test_it_uses_the_version_in_force_at_the_end_of_the_week(kontum, commune_a):
    from django.utils import timezone

    set_population(commune_a, 10_000)
    week = dt.date(2021, 11, 1)
    enter(commune_a, week=week, adult_1dose_pct=98, age50_full_pct=48, mobile_stations_ready=True, home_care_ready=True)
    [a] = services.assess_units([commune_a], week, now=timezone.now())
    assert a.version.code == "4800-qd-byt" and a.level == 1  # no case: no raise for coverage
    add_cases(commune_a, 1, week + dt.timedelta(days=1))
    [a] = services.assess_units([commune_a], week, now=timezone.now())
    assert a.level == 2  # band 1, elderly coverage not met → +1 (Hanoi, early November 2021)


def test_it_runs_as_a_monday_job_after_the_cut_and_the_schedule_is_configurable(settings, kontum, commune_a):
    from django.apps import apps

    from core.jobs import SCHEDULE

    job = SCHEDULE["levels.weekly_assessment"]
    assert (job.day_of_week, job.hour, job.minute) == ("mon", "0", "5")
    assert job.path == "levels.services.weekly_assessment"
    settings.LEVELS_ASSESSMENT_SCHEDULE = {"day_of_week": "sun", "hour": "18"}
    apps.get_app_config("levels").ready()
    assert (SCHEDULE["levels.weekly_assessment"].day_of_week, SCHEDULE["levels.weekly_assessment"].hour) == ("sun", "18")
    del settings.LEVELS_ASSESSMENT_SCHEDULE
    apps.get_app_config("levels").ready()
    set_population(commune_a, 10_000)
    enter(commune_a, **GOOD)
    n = services.weekly_assessment(week_start=WEEK.isoformat())
    assert n == Assessment.objects.filter(week_start=WEEK).count() > 100  # 102 communes, 10 districts, the province
    assert Assessment.objects.get(unit=commune_a, week_start=WEEK).level == 1


def test_it_keeps_the_published_level_when_capacity_is_not_met(kontum, commune_a, personas, after_cut):
    from django.utils import timezone

    set_population(commune_a, 10_000)
    prev = WEEK - dt.timedelta(days=7)
    enter(commune_a, week=prev, **GOOD, new_cases_per_100k_week=300)
    services.assess_units([commune_a], prev, now=after_cut)
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=prev, level=3)
    services.decide(by=personas["leader"], decision=d, level=3, decision_number="1/QĐ-UBND", decision_date=prev,
                    effective_from=timezone.make_aware(dt.datetime(2022, 2, 8)), expected_version=d.version,
                    now=timezone.make_aware(dt.datetime(2022, 2, 5)))
    services.publish(by=personas["leader"], decision=d, expected_version=d.version)
    enter(commune_a, **{**GOOD, "mobile_stations_ready": False})
    [a] = services.assess_units([commune_a], WEEK, now=after_cut)
    assert a.level == 3
    assert any(s["key"] == "c3_unmet_no_lowering" for s in a.steps)


def test_it_imports_criteria_values_and_reports_every_bad_row(personas, kontum, commune_a, commune_b):
    from levels.importers import CriteriaImporter
    from levels.models import CriteriaEntry

    csv = ("Mã đơn vị,Tuần,new_cases_per_100k_week,full_pct\n"
           f"{commune_a.code},09/02/2022,12.5,80\n"
           "99999,09/02/2022,1,80\n"
           f"{commune_b.code},09/02/2022,abc,80\n").encode()
    result = CriteriaImporter(by=personas["health_dept"]).run(csv, "tieu-chi.csv")
    assert not result.saved and [e.line for e in result.errors] == [3, 4]
    assert result.errors[0].column == "Mã đơn vị" and "không phải là số" in result.errors[1].message_vi
    assert not CriteriaEntry.objects.exists()
    ok = CriteriaImporter(by=personas["health_dept"]).run(csv.split(b"\n99999")[0] + b"\n", "tieu-chi.csv")
    assert ok.saved and ok.imported == 1
    e = CriteriaEntry.objects.get(unit=commune_a)
    assert e.week_start == WEEK and e.values == {"new_cases_per_100k_week": 12.5, "full_pct": 80.0} and e.origin == "imported"
    # A commune worker may only import for his own commune.
    outside = CriteriaImporter(by=personas["commune_a"]).run(
        f"Mã đơn vị,Tuần,full_pct\n{commune_b.code},09/02/2022,80\n".encode(), "x.csv")
    assert not outside.saved and "ngoài địa bàn" in outside.errors[0].message_vi


def test_the_entry_page_imports_a_criteria_file_as_a_background_batch(personas, kontum, commune_a, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import ImportBatch
    from levels.models import CriteriaEntry

    settings.VAR_DIR = tmp_path
    c = client_for(personas["health_dept"])
    body = f"Mã đơn vị,Tuần,full_pct\n{commune_a.code},09/02/2022,80\n99999,09/02/2022,80\n".encode()
    page = c.post("/levels/nhap-so-lieu/", {"file": SimpleUploadedFile("tieu-chi.csv", body)}).content.decode()
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.error_count, batch.errors[0]["line"]) == ("criteria", "rejected", 1, 3)
    assert 'id="import-errors"' in page and not CriteriaEntry.objects.exists()  # all or nothing
    page = c.post("/levels/nhap-so-lieu/", {"file": SimpleUploadedFile("tieu-chi.csv", body.split(b"99999")[0])}).content.decode()
    assert "Đã nhập 1 dòng." in page and CriteriaEntry.objects.get().values == {"full_pct": 80.0}


def test_it_replaces_a_whole_week_in_one_pass_and_keeps_decisions_linked(monkeypatch, kontum, commune_a, personas, after_cut):
    monkeypatch.setattr(services, "COPY_MIN_ROWS", 0)  # PostgreSQL: the COPY path, as for the whole country
    set_population(commune_a, 10_000)
    enter(commune_a, **GOOD)
    first = {a.unit_id: a for a in services.assess_province(kontum, WEEK, now=after_cut)}
    assert all(a.pk for a in first.values())
    d = services.propose(by=personas["health_dept"], unit=commune_a, week_start=WEEK, level=1)
    enter(commune_a, new_cases_per_100k_week=30)
    second = {a.unit_id: a for a in services.assess_province(kontum, WEEK, now=after_cut)}
    assert second[commune_a.id].pk == first[commune_a.id].pk
    assert Assessment.objects.filter(week_start=WEEK).count() == 113
    stored = Assessment.objects.get(unit=commune_a, week_start=WEEK)
    assert stored.level == 2 and "Kết quả: Cấp 2" in " ".join(rules.step_text(s, "vi") for s in stored.steps)
    d.refresh_from_db()
    assert d.assessment_id == stored.pk


def test_it_counts_free_beds_in_the_district_and_icu_beds_in_the_province(kontum, commune_a, commune_a2, after_cut):
    from django.utils import timezone

    from cases.models import Admission, Case
    from facilities.models import BedCapacity, Facility

    set_population(commune_a, 10_000)
    set_population(commune_a2, 10_000)
    hospital = Facility.objects.create(name="Bệnh viện Đa khoa tỉnh", kind="provincial_hospital", unit=commune_a.parent)
    BedCapacity.objects.create(facility=hospital, bed_type="ordinary", total=30)
    BedCapacity.objects.create(facility=hospital, bed_type="oxygen", total=10)
    BedCapacity.objects.create(facility=hospital, bed_type="icu", total=4)
    add_cases(commune_a, 3, WEEK)
    at = timezone.make_aware(dt.datetime(2022, 2, 10, 8))
    for i, case in enumerate(Case.objects.filter(commune=commune_a)):
        Admission.objects.create(case=case, facility=hospital, bed_type="oxygen", admitted_at=at,
                                 discharged_at=at + dt.timedelta(days=1) if i == 0 else None)
    results = {a.unit_id: a for a in services.assess_province(kontum, WEEK, now=after_cut)}
    # 40 COVID beds, 2 still occupied at the cut → 38 free for the district's 20,000 people = 190 per 100,000.
    assert results[commune_a.id].values["free_beds_per_100k"] == 190.0
    assert results[commune_a.parent_id].values["free_beds_per_100k"] == 190.0
    assert "38" in results[commune_a.parent_id].origins["free_beds_per_100k"]["vi"]
    assert results[kontum.id].values["icu_beds_per_100k"] == 20.0


def test_entered_values_take_precedence_over_computed_ones_and_fill_what_no_source_gives(kontum, commune_a, commune_a2, after_cut):
    set_population(commune_a, 10_000)
    add_cases(commune_a, 50, WEEK)  # computed: 500 per 100,000 — the entered correction wins
    enter(commune_a, new_cases_per_100k_week=25, full_pct=80, high_risk_full_pct=92, mobile_stations_ready=True, home_care_ready=True)
    [a, a2] = services.assess_units([commune_a, commune_a2], WEEK, now=after_cut)
    assert a.level == 2 and "nhập tay" in a.origins["new_cases_per_100k_week"]["vi"]
    assert a2.level is None  # no population, nothing entered: missing, with the reason
    assert "Chưa có dân số" in " ".join(m["vi"] for m in a2.missing)
