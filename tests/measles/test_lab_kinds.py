"""Lab tests of other diseases (IgM, NS1) in the testing app: offered and accepted only where the disease's case
definition names them (form, API, import), and a positive measles IgM confirms the suspected case."""
import datetime as dt

import pytest

from core.errors import Invalid
from testing import services
from testing.models import Result, Test, TestKind

D = dt.date(2025, 3, 3)
RASH = ["fever", "maculopapular_rash", "cough"]


@pytest.fixture(autouse=True)
def dengue(measles):
    from diseases.packs import load, shipped_pack

    load(shipped_pack("dengue"), "dengue.yaml")


def test_the_api_takes_igm_for_measles_and_refuses_it_for_covid19(api_for, personas, commune_a, person_factory):
    lab = api_for(personas["lab"])
    p = person_factory(commune_a)
    r = lab.post("/api/tests/", {"person": p.pk, "disease": "measles", "kind": "igm", "sample_code": "IGM-1",
                                 "taken_on": D.isoformat()}, format="json")
    assert r.status_code == 201 and Test.objects.get(sample_code="IGM-1").kind == "igm"
    r = lab.post("/api/tests/", {"person": p.pk, "disease": "covid19", "kind": "igm", "sample_code": "IGM-2",
                                 "taken_on": D.isoformat()}, format="json")
    body = str(r.json())
    assert r.status_code == 400 and "không dùng cho bệnh" in body and "IgM antibody test" in body
    r = lab.post("/api/tests/", {"person": p.pk, "disease": "measles", "kind": "ns1", "sample_code": "NS1-1",
                                 "taken_on": D.isoformat()}, format="json")
    assert r.status_code == 400 and "NS1 antigen test" in str(r.json())
    r = lab.post("/api/tests/", {"person": p.pk, "disease": "dengue", "kind": "ns1", "sample_code": "NS1-2",
                                 "taken_on": D.isoformat()}, format="json")
    assert r.status_code == 201
    assert not Test.objects.filter(sample_code__in=["IGM-2", "NS1-1"]).exists()


def test_covid19_keeps_its_kinds(personas, commune_a, person_factory):
    p = person_factory(commune_a)
    for i, kind in enumerate([TestKind.RT_PCR, TestKind.RAPID_ANTIGEN, TestKind.SELF_TEST]):
        services.record_test(by=personas["lab"], person=p, kind=kind, sample_code=f"C-{i}", taken_on=dt.date(2022, 2, 10))
    with pytest.raises(Invalid) as refused:
        services.record_test(by=personas["lab"], person=p, kind=TestKind.NS1, sample_code="C-9", taken_on=dt.date(2022, 2, 10))
    assert "COVID" in refused.value.en and refused.value.field == "kind"


def test_the_form_offers_the_lab_kinds_and_refuses_one_that_does_not_fit(client_for, personas, commune_a, person_factory):
    p = person_factory(commune_a)
    c = client_for(personas["lab"])
    page = c.get(f"/testing/them/?person={p.pk}").content.decode()
    assert 'value="igm"' in page and 'value="ns1"' in page and 'value="rt_pcr"' in page
    r = c.post(f"/testing/them/?person={p.pk}", {"person": p.pk, "disease": "measles", "kind": "ns1", "sample_code": "F-1",
                                                 "taken_on": "03/03/2025", "result": "pending"})
    assert r.status_code == 200 and "không dùng cho bệnh Sởi" in r.content.decode()
    assert not Test.objects.filter(sample_code="F-1").exists()
    r = c.post(f"/testing/them/?person={p.pk}", {"person": p.pk, "disease": "measles", "kind": "igm", "sample_code": "F-2",
                                                 "taken_on": "03/03/2025", "result": "pending"})
    assert r.status_code == 302 and Test.objects.get(sample_code="F-2").kind == "igm"


def test_an_import_row_naming_a_kind_the_disease_does_not_take_is_refused(personas, commune_a, person_factory):
    from testing.imports import LabResultImporter

    covid = services.record_test(by=personas["lab"], person=person_factory(commune_a), kind=TestKind.RT_PCR, sample_code="K-1",
                                 taken_on=D, disease="covid19")
    igm = services.record_test(by=personas["lab"], person=person_factory(commune_a), kind=TestKind.IGM, sample_code="K-2",
                               taken_on=D, disease="measles")
    text = "Mã mẫu,Ngày trả kết quả,Kết quả,Loại xét nghiệm\nK-1,05/03/2025,Dương tính,IgM\nK-2,05/03/2025,Dương tính,Xét nghiệm kháng thể IgM\n"
    result = LabResultImporter(by=personas["lab"], mode="all").run(text.encode(), "kq.csv")
    errors = {e.line: (e.column, e.message_en) for e in result.errors}
    assert errors[2][0] == "Loại xét nghiệm" and "does not apply to COVID-19" in errors[2][1]
    assert 3 not in errors and not result.saved
    text_other = "Mã mẫu,Ngày trả kết quả,Kết quả,Loại xét nghiệm\nK-1,05/03/2025,Dương tính,Test nhanh\n"
    result = LabResultImporter(by=personas["lab"], mode="all").run(text_other.encode(), "kq.csv")
    assert [e.message_en for e in result.errors] == ["Sample K-1 was recorded as another kind (RT-PCR)."]
    covid.refresh_from_db(), igm.refresh_from_db()
    assert covid.result == igm.result == Result.PENDING  # nothing half-imported
    result = LabResultImporter(by=personas["lab"], mode="all").run(text.split("K-1")[0].encode() + b"K-2,05/03/2025,+,igm\n", "kq.csv")
    igm.refresh_from_db()
    assert not result.errors and igm.result == Result.POSITIVE


def test_a_lab_igm_record_confirms_the_suspected_measles_case(client_for, personas, commune_a, person_factory):
    from cases import services as cases
    from cases.models import Case

    child = person_factory(commune_a, full_name="Lê Minh Khang", birth_year=2019)
    case = cases.open_case(by=personas["commune_a"], person=child, disease="measles", confirmed_on=D, test_kind="",
                           classification="suspected", clinical_signs=RASH)
    igm = services.record_test(by=personas["lab"], person=child, kind=TestKind.IGM, sample_code="S-1", taken_on=D,
                               disease="measles", result=Result.POSITIVE, reported_on=dt.date(2025, 3, 5))
    c = client_for(personas["commune_a"])
    page = c.get(f"/cases/{case.pk}/dieu-tra/").content.decode()
    assert "S-1" in page and '<option value="igm" selected>' in page  # offered as the confirming test
    r = c.post(f"/cases/{case.pk}/dieu-tra/", {"action": "classify", "version": case.version, "classification": "confirmed",
                                               "test_kind": "igm", "clinical_signs": RASH})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.classification, case.test_kind) == ("confirmed", "igm")
    # A positive IgM of someone without a case opens a confirmed measles case from the lab record.
    other = person_factory(commune_a, full_name="Lê Thị Hoa", birth_year=2018)
    t = services.record_test(by=personas["lab"], person=other, kind=TestKind.IGM, sample_code="S-2", taken_on=D,
                             disease="measles", result=Result.POSITIVE, reported_on=dt.date(2025, 3, 5))
    from contacts.services import open_case_from_test

    opened = open_case_from_test(by=personas["commune_a"], test=t)
    assert (opened.disease.code, opened.classification, opened.test_kind) == ("measles", "confirmed", "igm")
    assert Case.objects.filter(person=child).count() == 1 and igm.kind == "igm"
