"""Issue #14 §3: the reports pages' writes over the API — the daily report, outside figures, public feedback (rate-
limited like the page) and its triage (with version), Circular 54 reports — same forms, services, roles and audit."""
import pytest

from accounts.models import Agency
from audit.models import AuditEvent
from reports.models import Circular54Report, Feedback, OutsideFigures, SituationReport
from tests.core.test_write_api_admin_apps import assert_error

from .test_circular54 import MONDAY, diseases  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_outside_figures_are_entered_with_the_page_s_form(personas, api_for):
    dept = personas["health_dept"]
    r = api_for(dept).post("/api/outside-figures/", {"day": "14/02/2022", "national_cases": 2_500_000, "source": "Bộ Y tế"},
                           format="json")
    assert r.status_code == 200, r.content
    assert OutsideFigures.objects.get(day="2022-02-14").national_cases == 2_500_000
    assert AuditEvent.objects.filter(actor=dept, target_type="reports.outsidefigures").exists()
    assert_error(api_for(dept).post("/api/outside-figures/", {"day": "30/02/2022"}, format="json"), 400, "day")
    assert_error(api_for(dept).post("/api/outside-figures/", {"day": "14/02/2022", "countries": 0}, format="json"), 400,
                 "countries")
    assert_error(api_for(personas["commune_a"]).post("/api/outside-figures/", {"day": "14/02/2022"}, format="json"), 403)


def test_the_daily_report_is_generated_by_report_editors(personas, api_for, kontum):
    assert_error(api_for(personas["commune_a"]).post("/api/situation-reports/generate/", {}, format="json"), 403)
    assert_error(api_for(personas["health_dept"]).post("/api/situation-reports/generate/", {"day": "hôm nay"}, format="json"),
                 400, "day")
    r = api_for(personas["health_dept"]).post("/api/situation-reports/generate/", {"day": "2022-02-14"}, format="json")
    assert r.status_code == 201, r.content
    assert SituationReport.objects.filter(pk=r.json()["id"], day="2022-02-14").exists()


def test_anyone_sends_feedback_without_signing_in_within_the_rate_limit(client, kontum, monkeypatch):
    from reports import api

    payload = {"sender_kind": "business", "topic": "business", "text": "Đề nghị hướng dẫn test nhanh", "contact": "0905123456"}
    r = client.post("/api/public/feedback/", payload, content_type="application/json")
    assert r.status_code == 201 and r.json() == {"sent": True}  # nothing personal in the answer
    assert Feedback.objects.get().contact == "0905123456"
    assert_error(client.post("/api/public/feedback/", {**payload, "topic": "?"}, content_type="application/json"), 400, "topic")
    monkeypatch.setattr(api, "PUBLIC_POSTS_PER_HOUR", 0)
    assert_error(client.post("/api/public/feedback/", payload, content_type="application/json"), 429)
    assert Feedback.objects.count() == 1


def test_feedback_is_triaged_then_answered_by_the_agency_with_its_version(personas, api_for):
    fb = Feedback.objects.create(text="Chợ đêm không đeo khẩu trang", topic="measures")
    education = personas["agency"].agency
    other = Agency.objects.create(name="Sở Công Thương (thử)", kind="department")
    officer, office = api_for(personas["agency"]), api_for(personas["health_dept"])
    assert_error(officer.post(f"/api/feedback/{fb.pk}/triage/", {"answer": "x", "version": fb.version}, format="json"), 404)
    r = office.post(f"/api/feedback/{fb.pk}/triage/", {"agency": education.pk, "version": fb.version}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    assert AuditEvent.objects.filter(actor=personas["health_dept"], target_type="reports.feedback").exists()
    fb.refresh_from_db()
    assert_error(officer.post(f"/api/feedback/{fb.pk}/triage/", {"agency": other.pk, "answer": "x", "version": fb.version},
                              format="json"), 403)  # an agency does not reassign (the page ignores it)
    assert_error(officer.post(f"/api/feedback/{fb.pk}/triage/", {"answer": "x", "version": fb.version - 1}, format="json"), 409)
    r = officer.post(f"/api/feedback/{fb.pk}/triage/", {"answer": "Đã nhắc nhở ban quản lý chợ", "version": fb.version},
                     format="json")
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert_error(api_for(personas["commune_a"]).post(f"/api/feedback/{fb.pk}/triage/", {"version": 1}, format="json"), 403)


def test_circular54_reports_are_built_for_a_unit_of_the_jurisdiction(personas, api_for, diseases, commune_a, commune_b):  # noqa: F811
    staff = personas["commune_a"]
    payload = {"kind": "weekly", "anchor": MONDAY.isoformat(), "unit": commune_a.pk}
    r = api_for(staff).post("/api/circular54-reports/generate/", {**payload, "submit": True}, format="json")
    assert r.status_code == 201, r.content
    assert Circular54Report.objects.get(pk=r.json()["id"]).submitted
    assert_error(api_for(staff).post("/api/circular54-reports/generate/", {**payload, "unit": commune_b.pk}, format="json"), 404)
    assert_error(api_for(staff).post("/api/circular54-reports/generate/", {**payload, "kind": "daily"}, format="json"), 400, "kind")
    # Sending is the commune staff's (case registrars), as on the page.
    assert_error(api_for(personas["leader"]).post("/api/circular54-reports/generate/", {**payload, "submit": True},
                                                  format="json"), 403)


def test_a_circular54_report_built_through_the_api_on_either_structure(personas, api_for, diseases, kontum):  # noqa: F811
    api = api_for(personas["health_dept"])
    payload = {"kind": "weekly", "anchor": MONDAY.isoformat(), "unit": kontum.pk}
    own = api.post("/api/circular54-reports/generate/", payload, format="json")
    assert own.status_code == 201, own.content
    assert own.json()["structure"] == "pre2025"  # default: the unit's own structure, as the page's form
    today = api.post("/api/circular54-reports/generate/", {**payload, "structure": "2025"}, format="json")
    assert today.status_code == 201 and today.json()["structure"] == "2025"
    assert Circular54Report.objects.get(pk=today.json()["id"]).data["structure"] == "2025"
    assert_error(api.post("/api/circular54-reports/generate/", {**payload, "structure": "1990"}, format="json"), 400, "structure")
