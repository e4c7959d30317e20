"""The register of data-subject requests: deadlines from the rule in force, decisions with their legal basis,
the public-health exemption from erasure, and an access request's export scoped and audited."""
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from dataprotection import services
from dataprotection.models import DeadlineRule, SubjectRequest

from .conftest import make_case

pytestmark = pytest.mark.django_db


def _register(client, person, kind="access", received="05/01/2026"):
    return client.post(reverse("dataprotection:request_new"), {
        "kind": kind, "person": person.pk, "requester": "Trần Thị Bình", "received_on": received,
        "detail": "Xin bản sao dữ liệu"})


def test_it_registers_a_request_with_the_deadline_and_source_in_force(client_for, personas, resident_a):
    response = _register(client_for(personas["health_dept"]), resident_a)
    req = SubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dataprotection:request", args=[req.pk])
    assert (req.received_on, req.due_on) == (dt.date(2026, 1, 5), dt.date(2026, 1, 8))  # 72 hours
    assert "13/2023" in req.deadline_source and req.handler == personas["health_dept"]
    assert AuditEvent.objects.filter(action="create", target_type="dataprotection.subjectrequest",
                                     person_id=resident_a.pk).exists()
    page = client_for(personas["health_dept"]).get(reverse("dataprotection:index")).content.decode()
    assert "08/01/2026" in page and "Quá hạn" in page  # the deadline passed long ago in real time


def test_a_newer_deadline_rule_applies_from_its_date(personas, resident_a):
    DeadlineRule.objects.create(kind="correction", days=10, effective_from=dt.date(2026, 3, 1), source="Văn bản mới")
    before = services.receive_request(by=personas["health_dept"], person=resident_a, kind="correction",
                                      requester="x", received_on=dt.date(2026, 2, 28))
    after = services.receive_request(by=personas["health_dept"], person=resident_a, kind="correction",
                                     requester="x", received_on=dt.date(2026, 3, 1))
    assert (before.due_on, after.due_on) == (dt.date(2026, 3, 3), dt.date(2026, 3, 11))
    assert after.deadline_source == "Văn bản mới"


def test_a_person_outside_the_officers_area_is_not_found_and_not_named(client_for, district_officer, resident_b):
    response = _register(client_for(district_officer), resident_b)
    text = response.content.decode()
    assert response.status_code == 200 and "Không có hồ sơ này trong địa bàn của bạn" in text
    assert "Y Hờ Nin" not in text and not SubjectRequest.objects.exists()


def test_other_roles_cannot_open_the_registers(client_for, personas):
    for who in ("commune_a", "care_a", "leader", "agency"):
        assert client_for(personas[who]).get(reverse("dataprotection:index")).status_code == 403


def test_access_request_exports_the_persons_data_scoped_and_audited(client_for, personas, district_officer,
                                                                    resident_a, resident_b):
    make_case(resident_a)
    req = services.receive_request(by=personas["health_dept"], person=resident_a, kind="access",
                                   requester="Trần Thị Bình", received_on=dt.date(2026, 1, 5))
    response = client_for(personas["health_dept"]).get(reverse("dataprotection:request_export", args=[req.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    people, cases = wb.worksheets[0], wb.worksheets[1]
    values = [c.value for row in people.iter_rows() for c in row]
    assert "Trần Thị Bình" in values and "062190000123" in values and "Y Hờ Nin" not in values
    assert cases.max_row == 2  # header + the one case
    assert AuditEvent.objects.filter(action="export", person_id=resident_a.pk).exists()
    req.refresh_from_db()
    assert req.status == "in_progress"

    other = services.receive_request(by=personas["health_dept"], person=resident_b, kind="access",
                                     requester="Y Hờ Nin", received_on=dt.date(2026, 1, 5))
    assert client_for(district_officer).get(reverse("dataprotection:request_export", args=[other.pk])).status_code == 404


def test_erasure_of_epidemic_records_is_refused_and_the_refusal_recorded(client_for, personas, resident_a):
    make_case(resident_a)
    req = services.receive_request(by=personas["health_dept"], person=resident_a, kind="deletion",
                                   requester="Trần Thị Bình", received_on=dt.date(2026, 1, 5))
    url = reverse("dataprotection:request", args=[req.pk])
    c = client_for(personas["health_dept"])
    response = c.post(url, {"decision": "granted", "legal_basis": "Đồng ý", "answered_on": "06/01/2026"})
    assert "không xoá được" in response.content.decode()
    response = c.post(url, {"decision": "granted", "legal_basis": "", "answered_on": "06/01/2026"})
    assert response.status_code == 200
    response = c.post(url, {"decision": "refused_public_health", "answered_on": "06/01/2026",
                            "legal_basis": "Luật Phòng, chống bệnh truyền nhiễm 2007; lưu đến hết thời hạn"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.decision, req.answered_on, req.overdue) == ("done", "refused_public_health",
                                                                        dt.date(2026, 1, 6), False)
    with pytest.raises(ValidationError, match="đã được xử lý"):  # a second decision never overwrites the first
        services.decide(by=personas["admin"], req=req, decision="granted", legal_basis="x",
                        answered_on=dt.date(2026, 1, 7))


def test_erasure_of_a_person_without_health_records_can_be_granted(personas, resident_a):
    req = services.receive_request(by=personas["health_dept"], person=resident_a, kind="deletion",
                                   requester="Trần Thị Bình", received_on=dt.date(2026, 1, 5))
    req = services.decide(by=personas["health_dept"], req=req, decision="granted", legal_basis="Luật 91/2025/QH15",
                          answered_on=dt.date(2026, 1, 12))
    assert req.decision == "granted" and req.overdue  # answered after the 3-day deadline: flagged


def test_the_registers_page_costs_the_same_queries_for_many_rows(client_for, personas, commune_a,
                                                                 django_assert_max_num_queries):
    from django.utils import timezone

    from dataprotection.models import Breach
    from tests.conftest import make_person

    c = client_for(personas["health_dept"])

    def add(n):
        for i in range(n):
            person = make_person(commune_a, full_name=f"Người {i}")
            services.receive_request(by=personas["health_dept"], person=person, kind="access", requester="x",
                                     received_on=dt.date(2026, 1, 5))
            Breach.objects.create(title=f"Sự cố {i}", detected_at=timezone.now(), categories="x",
                                  reported_by=personas["admin"])

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert c.get(reverse("dataprotection:index")).status_code == 200
    add(10)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert c.get(reverse("dataprotection:index")).status_code == 200
