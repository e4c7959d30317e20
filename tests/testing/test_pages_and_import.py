"""Testing pages: results, the positive-test offer to open a case, lab import all-or-nothing, jurisdiction."""
import datetime as dt

from audit.models import AuditEvent
from testing import services
from testing.models import Result, Test, TestKind

D = dt.date(2022, 2, 10)


def pending(personas, person, code):
    return services.record_test(by=personas["lab"], person=person, kind=TestKind.RT_PCR, sample_code=code, taken_on=D)


def test_it_refuses_a_result_before_the_sample_on_the_page(client_for, personas, commune_a, person_factory):
    t = pending(personas, person_factory(commune_a), "M-1")
    c = client_for(personas["lab"])
    r = c.post(f"/testing/{t.pk}/", {"version": t.version, "result": "positive", "reported_on": "09/02/2022", "ct_value": "20"})
    assert r.status_code == 200 and "trước ngày lấy mẫu" in r.content.decode()
    t.refresh_from_db()
    assert t.result == Result.PENDING
    r = c.post(f"/testing/{t.pk}/", {"version": t.version, "result": "positive", "reported_on": "11/02/2022", "ct_value": "20"})
    assert r.status_code == 302
    page = c.get(f"/testing/{t.pk}/").content.decode()
    assert "Mở ca bệnh (F0)" in page


def test_it_opens_a_case_from_a_positive_test(client_for, personas, commune_a, person_factory):
    t = services.record_test(by=personas["lab"], person=person_factory(commune_a), kind=TestKind.RAPID_ANTIGEN, sample_code="R-1",
                             taken_on=D, result=Result.POSITIVE)
    c = client_for(personas["commune_a"])
    negative = services.record_test(by=personas["lab"], person=t.person, kind=TestKind.RAPID_ANTIGEN, sample_code="R-0",
                                    taken_on=D, result=Result.NEGATIVE)
    assert c.post(f"/contacts/xet-nghiem/{negative.pk}/mo-ca/").url == f"/testing/{negative.pk}/"
    assert c.get(f"/contacts/xet-nghiem/{t.pk}/mo-ca/").status_code == 200
    r = c.post(f"/contacts/xet-nghiem/{t.pk}/mo-ca/")
    assert r.status_code == 302
    from cases.models import Case

    case = Case.objects.get(person=t.person)
    assert case.test_kind == "rapid_antigen" and case.source_ref == f"testing.test:{t.pk}"


def test_it_hides_tests_outside_the_jurisdiction(client_for, api_for, personas, commune_a, person_factory):
    t = pending(personas, person_factory(commune_a), "M-2")
    assert client_for(personas["commune_b"]).get(f"/testing/{t.pk}/").status_code == 404
    assert api_for(personas["commune_b"]).get(f"/api/tests/{t.pk}/").status_code == 404
    assert api_for(personas["commune_a"]).get(f"/api/tests/{t.pk}/").status_code == 200
    assert client_for(personas["leader"]).post(f"/testing/{t.pk}/", {}).status_code == 403


def csv(rows):
    return ("Mã mẫu,Ngày lấy mẫu,Ngày trả kết quả,Kết quả,CT\n" + "\n".join(rows) + "\n").encode()


def test_it_imports_lab_results_all_or_nothing_with_row_errors(client_for, personas, commune_a, person_factory):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = pending(personas, person_factory(commune_a, full_name="A"), "L-1")
    b = pending(personas, person_factory(commune_a, full_name="B"), "L-2")
    rapid = services.record_test(by=personas["lab"], person=person_factory(commune_a, full_name="C"), kind=TestKind.RAPID_ANTIGEN,
                                 sample_code="L-3", taken_on=D)
    bad = csv(["L-1,10/02/2022,11/02/2022,Dương tính,21.5", "X-9,10/02/2022,11/02/2022,Âm tính,",
               "L-2,10/02/2022,09/02/2022,Âm tính,", "L-3,,31/02/2022,Âm tính,", "L-3,,11/02/2022,âm tính,30"])
    c = client_for(personas["lab"])
    r = c.post("/testing/nhap-ket-qua/", {"file": SimpleUploadedFile("kq.csv", bad)})
    page = r.content.decode()
    assert "Không có mẫu mã X-9" in page and "trước ngày lấy mẫu" in page and "Ngày không tồn tại" in page
    assert "Chỉ xét nghiệm RT-PCR có giá trị CT" in page
    assert not Test.objects.exclude(result=Result.PENDING).exists()  # nothing half-imported
    good = csv(["L-1,10/02/2022,11/02/2022,Dương tính,\"21,5\"", "L-2,,11/02/2022,Âm tính,", "L-3,,10/02/2022,am tinh,"])
    r = c.post("/testing/nhap-ket-qua/", {"file": SimpleUploadedFile("kq.csv", good)})
    assert r.status_code == 200
    assert f"/contacts/xet-nghiem/{a.pk}/mo-ca/" in r.content.decode()  # the positive offers to open the case
    a.refresh_from_db(), b.refresh_from_db(), rapid.refresh_from_db()
    assert (a.result, str(a.ct_value), a.reported_on) == ("positive", "21.5", dt.date(2022, 2, 11))
    assert b.result == "negative" and rapid.result == "negative" and a.version == 2
    event = AuditEvent.objects.get(action="import")
    assert sorted(event.records["tests"]) == sorted([a.pk, b.pk, rapid.pk])
