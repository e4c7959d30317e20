"""Testing API: create, refuse a result before its sample (400), stale version (409), roles and scope."""
import datetime as dt

from testing import services
from testing.models import Result

D = dt.date(2022, 2, 10)


def test_it_records_tests_and_results_through_the_api(api_for, personas, commune_a, person_factory):
    p = person_factory(commune_a)
    lab = api_for(personas["lab"])
    r = lab.post("/api/tests/", {"person": p.pk, "kind": "rt_pcr", "sample_code": "API-1", "taken_on": "2022-02-10"}, format="json")
    assert r.status_code == 201, r.content
    tid, version = r.json()["id"], r.json()["version"]
    bad = lab.post(f"/api/tests/{tid}/result/", {"result": "positive", "reported_on": "2022-02-09", "version": version}, format="json")
    assert bad.status_code == 400 and "before the sample" in bad.json()["message_en"]
    ok = lab.post(f"/api/tests/{tid}/result/", {"result": "positive", "reported_on": "2022-02-11", "ct_value": "19.5", "version": version},
                  format="json")
    assert ok.status_code == 200 and ok.json()["result"] == "positive" and ok.json()["ct_value"] == "19.5"
    stale = lab.post(f"/api/tests/{tid}/result/", {"result": "negative", "reported_on": "2022-02-11", "version": version}, format="json")
    assert stale.status_code == 409
    assert api_for(personas["leader"]).post("/api/tests/", {"person": p.pk, "kind": "rt_pcr", "sample_code": "API-2",
                                                            "taken_on": "2022-02-10"}, format="json").status_code == 403
    assert api_for(personas["commune_b"]).get("/api/tests/").json()["count"] == 0


def test_it_shows_pools_with_their_members_follow_up(api_for, personas, commune_a, person_factory):
    pool = services.create_pool(by=personas["lab"], code="G-API", size=5, commune=commune_a, taken_on=D)
    services.add_member(by=personas["lab"], pool=pool, person=person_factory(commune_a))
    services.send_pool(by=personas["lab"], pool=pool)
    services.report_pool_result(by=personas["lab"], pool=pool, result=Result.POSITIVE, reported_on=D)
    data = api_for(personas["commune_a"]).get(f"/api/pools/{pool.pk}/").json()
    assert data["status"] == "follow_up" and [m["follow_up"] for m in data["members"]] == ["awaiting"]
    assert api_for(personas["commune_b"]).get(f"/api/pools/{pool.pk}/").status_code == 404
