"""Issue #14 §3: the levels pages' writes over the API — run, propose/decide/publish per unit and per week, thresholds
and adaptations of a criteria version, measures, entered figures — the same services, roles, scoping and audit."""
import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from levels import services
from levels.models import CriteriaEntry, CriteriaVersion, LevelDecision, Measure
from tests.conftest import make_user
from tests.core.test_write_api_admin_apps import assert_error

from .conftest import GOOD, WEEK, enter, set_population

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(kontum, commune_a, after_cut):
    set_population(commune_a, 10_000)
    enter(commune_a, **GOOD, new_cases_per_100k_week=30)
    return services.assess_units([commune_a], WEEK, now=after_cut)[0]


@pytest.fixture
def leader_b(commune_b):
    return make_user("lanh_dao_huyen_b", "leadership", commune_b.parent)


def test_a_unit_s_level_is_proposed_decided_and_published(personas, api_for, commune_a, computed, leader_b):
    dept, leader = personas["health_dept"], personas["leader"]
    base = f"/api/levels/units/{commune_a.pk}/{WEEK.isoformat()}"
    assert_error(api_for(dept).post(f"{base}/propose/", {"level": 3}, format="json"), 400, "reason")  # an override
    assert_error(api_for(dept).post(f"{base}/propose/", {"level": "x"}, format="json"), 400, "level")
    assert_error(api_for(leader).post(f"{base}/propose/", {"level": 2}, format="json"), 403)
    r = api_for(dept).post(f"{base}/propose/", {"level": 2}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "proposed"
    d = LevelDecision.objects.get(pk=r.json()["id"])
    effective = (timezone.now() + dt.timedelta(days=3)).isoformat()
    decision = {"level": 2, "decision_number": "12/QĐ-UBND", "decision_date": timezone.localdate().isoformat(),
                "effective_from": effective, "version": d.version}
    assert_error(api_for(leader_b).post(f"{base}/decide/", decision, format="json"), 404)  # another district
    assert_error(api_for(leader).post(f"{base}/decide/", {**decision, "version": d.version + 3}, format="json"), 409)
    assert_error(api_for(leader).post(f"{base}/decide/", {**decision, "effective_from": "mai"}, format="json"), 400,
                 "effective_from")
    r = api_for(leader).post(f"{base}/decide/", decision, format="json")
    assert r.status_code == 200 and r.json()["status"] == "decided"
    d.refresh_from_db()
    assert_error(api_for(dept).post(f"{base}/publish/", {"version": d.version}, format="json"), 403)
    assert_error(api_for(leader).post(f"{base}/publish/", {"version": d.version - 1}, format="json"), 409)
    r = api_for(leader).post(f"{base}/publish/", {"version": d.version}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert AuditEvent.objects.filter(target_type="levels.leveldecision", target_id=str(d.pk)).count() == 3
    assert_error(api_for(dept).post(f"/api/levels/units/{commune_a.pk}/not-a-date/propose/", {"level": 2}, format="json"), 404)


def test_a_whole_week_is_run_proposed_and_decided(personas, api_for, commune_a, computed):
    dept, leader = personas["health_dept"], personas["leader"]
    r = api_for(dept).post("/api/levels/propose-week/", {"week": WEEK.isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["proposed"] >= 1
    assert_error(api_for(leader).post("/api/levels/propose-week/", {"week": WEEK.isoformat()}, format="json"), 403)
    payload = {"week": WEEK.isoformat(), "decision_number": "15/QĐ-UBND", "decision_date": timezone.localdate().isoformat(),
               "effective_from": (timezone.now() + dt.timedelta(days=3)).isoformat()}
    assert_error(api_for(leader).post("/api/levels/decide-week/", {**payload, "effective_from": ""}, format="json"), 400,
                 "effective_from")
    r = api_for(leader).post("/api/levels/decide-week/", payload, format="json")
    assert r.status_code == 200 and r.json()["decided"] >= 1
    assert LevelDecision.objects.filter(unit=commune_a, week_start=WEEK, status="published").exists()
    assert_error(api_for(personas["commune_a"]).post("/api/levels/run/", {"week": WEEK.isoformat()}, format="json"), 403)
    r = api_for(dept).post("/api/levels/run/", {"week": WEEK.isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["assessed"] >= 1


def test_thresholds_are_corrected_and_versions_adapted(personas, api_for, kontum):
    v = CriteriaVersion.objects.get(code="4800-qd-byt")
    dept = personas["health_dept"]
    api = api_for(dept)
    url = f"/api/levels/criteria-versions/{v.pk}/threshold/"
    data = {"key": "c1_cases_band3_from", "value": 50, "source": "4800/QĐ-BYT bản gốc", "confirmed": True, "version": v.version}
    assert_error(api_for(personas["commune_a"]).post(url, data, format="json"), 403)
    assert_error(api.post(url, {**data, "value": "năm mươi"}, format="json"), 400, "value")
    assert_error(api.post(url, {**data, "version": v.version + 5}, format="json"), 409)
    r = api.post(url, data, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["values"]["c1_cases_band3_from"] == {"value": 50, "source": "4800/QĐ-BYT bản gốc", "confirmed": True}
    assert AuditEvent.objects.filter(actor=dept, target_type="levels.criteriaversion", action="update").exists()
    assert_error(api.post("/api/levels/criteria-versions/999999/threshold/", data, format="json"), 404)
    adapt = {"province": kontum.pk, "valid_from": "2022-02-01", "source_document": "1234/QĐ-UBND Kon Tum"}
    r = api.post(f"/api/levels/criteria-versions/{v.pk}/adapt/", adapt, format="json")
    assert r.status_code == 201, r.content
    assert CriteriaVersion.objects.get(pk=r.json()["id"]).based_on == v
    assert_error(api.post(f"/api/levels/criteria-versions/{v.pk}/adapt/", {**adapt, "province": 0}, format="json"), 400,
                 "province")


def test_measures_are_added_and_edited_with_their_version(personas, api_for):
    m = Measure.objects.filter(level=2, category="gatherings").first()
    api = api_for(personas["health_dept"])
    r = api.post("/api/levels/measures/", {"id": m.pk, "version": m.version, "text": "Không quá 50 người"}, format="json")
    assert r.status_code == 200 and r.json()["text"] == "Không quá 50 người"
    assert_error(api.post("/api/levels/measures/", {"id": m.pk, "version": m.version, "text": "x"}, format="json"), 409)
    r = api.post("/api/levels/measures/", {"level": 4, "category": "markets", "text": "Chợ đóng cửa sau 18 giờ"}, format="json")
    assert r.status_code == 200 and Measure.objects.filter(level=4, text="Chợ đóng cửa sau 18 giờ").exists()
    assert_error(api.post("/api/levels/measures/", {"level": 4, "text": "  "}, format="json"), 400, "text")
    assert_error(api_for(personas["commune_a"]).post("/api/levels/measures/", {"text": "x"}, format="json"), 403)
    assert AuditEvent.objects.filter(actor=personas["health_dept"], target_type="levels.measure").count() == 2


def test_figures_are_entered_for_a_unit_of_the_jurisdiction(personas, api_for, commune_a, commune_b):
    staff = personas["commune_a"]
    api = api_for(staff)
    r = api.post("/api/levels/entries/", {"unit": commune_a.pk, "week": WEEK.isoformat(), "values": {"full_pct": 81}},
                 format="json")
    assert r.status_code == 200, r.content
    assert CriteriaEntry.objects.get(unit=commune_a, week_start=WEEK).values["full_pct"] == 81
    assert AuditEvent.objects.filter(actor=staff).exists()
    assert_error(api.post("/api/levels/entries/", {"unit": commune_b.pk, "week": WEEK.isoformat(), "values": {"full_pct": 1}},
                          format="json"), 404)
    assert_error(api.post("/api/levels/entries/", {"unit": commune_a.pk, "week": WEEK.isoformat(), "values": {"full_pct": 140}},
                          format="json"), 400)
    assert_error(api_for(personas["leader"]).post("/api/levels/entries/", {}, format="json"), 403)
