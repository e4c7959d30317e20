"""POST /api/levels/assess: the calculator over the API; read-only assessments and decisions, scoped."""
import datetime as dt

from levels import services

from .conftest import GOOD, WEEK, enter, set_population


def test_it_answers_level_version_and_explanation(personas, api_for):
    r = api_for(personas["commune_a"]).post("/api/levels/assess", {
        "date": "2021-11-05", "new_cases_per_100k_week": 1, "adult_1dose_pct": 98, "age50_full_pct": 48,
        "mobile_stations_ready": True, "home_care_ready": True}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["level"] == 2 and body["version"]["code"] == "4800-qd-byt"
    assert body["transmission_band"] == 1 and body["coverage_met"] is False
    assert any("nhóm 1" in s["vi"] for s in body["steps"]) and all(s["source"] is not None for s in body["steps"])
    assert body["missing"] == []


def test_it_lists_what_is_missing_and_refuses_bad_input(personas, api_for):
    api = api_for(personas["health_dept"])
    r = api.post("/api/levels/assess", {"date": "2022-02-10"}, format="json")
    assert r.status_code == 200 and r.json()["level"] is None
    assert {m["key"] for m in r.json()["missing"]} >= {"new_cases_per_100k_week", "full_pct"}
    assert api.post("/api/levels/assess", {"date": "2022-02-10", "full_pct": 120}, format="json").status_code == 400
    assert api.post("/api/levels/assess", {"new_cases_per_100k_week": 3}, format="json").status_code == 400
    before = api.post("/api/levels/assess", {"date": "2021-01-01", "new_cases_per_100k_week": 3}, format="json")
    assert before.status_code == 400 and "Không có bộ tiêu chí" in before.json()["message_vi"]


def test_it_refuses_anonymous_and_agency_callers(personas, api_for, client):
    assert client.post("/api/levels/assess", {"date": "2022-02-10"}).status_code in (401, 403)
    assert api_for(personas["agency"]).post("/api/levels/assess", {"date": "2022-02-10"}, format="json").status_code == 403


def test_it_scopes_assessments_to_the_jurisdiction(personas, api_for, kontum, commune_a, commune_b, after_cut):
    for c in (commune_a, commune_b):
        set_population(c, 10_000)
        enter(c, **GOOD)
    services.assess_units([commune_a, commune_b], WEEK, now=after_cut)
    mine = api_for(personas["commune_a"]).get("/api/levels/assessments/", {"week_start": WEEK.isoformat()}).json()["results"]
    assert [a["unit"] for a in mine] == [commune_a.id]
    everyone = api_for(personas["health_dept"]).get("/api/levels/assessments/").json()["results"]
    assert {a["unit"] for a in everyone} == {commune_a.id, commune_b.id}
    assert dt.date.fromisoformat(everyone[0]["week_start"]) == WEEK
