"""API: parse a text, search directives, list an agency's tasks, report progress (409 on a stale version)."""
import datetime as dt

from directives import services
from directives.models import Assignment

from .conftest import seed_text


def test_it_parses_a_text_through_the_api_without_saving(personas, api_for, kontum):
    r = api_for(personas["health_dept"]).post("/api/directives/parse/", {"text": seed_text("004")}, format="json")
    assert r.status_code == 200
    assert {t["ref"]: t["deadline"] for t in r.json()["tasks"]}["3.5"] == "2022-01-08"
    assert api_for(personas["leader"]).post("/api/directives/parse/", {"text": "x"}, format="json").status_code == 403


def test_officers_list_only_their_tasks_and_report_progress(personas, api_for, kontum):
    d = services.register_directive(by=personas["health_dept"], text=seed_text("002"))
    services.confirm_directive(d, by=personas["health_dept"], tasks=[
        {**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None} for t in d.parsed["tasks"]])
    officer = personas["agency"]
    api = api_for(officer)
    rows = api.get("/api/directive-tasks/").json()
    rows = rows.get("results", rows)
    assert rows and {r["agency"] for r in rows} == {"Sở Giáo dục và Đào tạo"}
    assert api.get("/api/directives/", {"q": "so tay huong dan"}).status_code == 200
    a = Assignment.objects.get(pk=rows[0]["id"])
    r = api.post(f"/api/directive-tasks/{a.pk}/progress/", {"text": "Đã triển khai", "progress": 50, "expected_version": a.version}, format="json")
    assert r.status_code == 201
    stale = api.post(f"/api/directive-tasks/{a.pk}/progress/", {"text": "Lần 2", "expected_version": a.version}, format="json")
    assert stale.status_code == 409
    other = Assignment.objects.filter(agency__name="Sở Y tế").first()
    assert api.get(f"/api/directive-tasks/{other.pk}/").status_code == 404
