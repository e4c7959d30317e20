"""Screening campaigns: target list import, compliance per school, who is missing, audited XLSX export."""
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from testing import services
from testing.campaigns import compliance_by_group, create_campaign
from testing.models import Campaign, CampaignTarget, Result, TestKind


def test_it_imports_targets_and_computes_compliance_per_school(client_for, personas, commune_a, person_factory, kontum):
    c = client_for(personas["health_dept"])
    r = c.post("/testing/sang-loc/", {"name": "Giáo viên sau Tết", "unit": kontum.pk, "deadline": "14/02/2022", "within_days": 3,
                                      "accepted_kinds": ["rapid_antigen", "rt_pcr"]})
    campaign = Campaign.objects.get()
    assert r.status_code == 302
    teacher = person_factory(commune_a, full_name="Cô Giáo Lan", birth_year=1985, sex="F")
    sheet = ("Họ và tên,Năm sinh,Giới tính,CCCD,Điện thoại,Trường/đơn vị,Mã xã\n"
             f"Cô Giáo Lan,1985,Nữ,,,THPT Kon Tum,{commune_a.code}\n"
             f"Thầy Hùng,1979,Nam,,,THPT Kon Tum,{commune_a.code}\n"
             f"Bảo Vệ Minh,1970,Nam,,,TH Quang Trung,{commune_a.code}\n").encode()
    r = c.post(f"/testing/sang-loc/{campaign.pk}/", {"file": SimpleUploadedFile("ds.csv", sheet)})
    assert r.status_code == 200 and CampaignTarget.objects.count() == 3
    # A background batch (core.batches) with its report on the page.
    from core.models import ImportBatch

    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.imported, batch.options) == ("campaign_targets", "done", 3, {"campaign": campaign.pk})
    assert 'id="import-result"' in r.content.decode()
    assert CampaignTarget.objects.filter(person=teacher).exists()  # matched, not duplicated
    services.record_test(by=personas["lab"], person=teacher, kind=TestKind.RAPID_ANTIGEN, sample_code="GV-1",
                         taken_on=dt.date(2022, 2, 11), result=Result.NEGATIVE)
    hung = CampaignTarget.objects.get(person__full_name="Thầy Hùng").person
    # Too early: outside the 3 days before 14/02/2022.
    services.record_test(by=personas["lab"], person=hung, kind=TestKind.RAPID_ANTIGEN, sample_code="GV-2",
                         taken_on=dt.date(2022, 2, 10), result=Result.NEGATIVE)
    groups = compliance_by_group(campaign, CampaignTarget.objects.filter(campaign=campaign))
    assert groups == [
        {"group": "TH Quang Trung", "total": 1, "done": 0, "missing": 1, "rate": 0.0},
        {"group": "THPT Kon Tum", "total": 2, "done": 1, "missing": 1, "rate": 50.0},
    ]
    page = c.get(f"/testing/sang-loc/{campaign.pk}/").content.decode()
    assert "Thầy Hùng" in page and "Bảo Vệ Minh" in page
    r = c.get(f"/testing/sang-loc/{campaign.pk}/xuat.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[1] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert sorted(names) == ["Bảo Vệ Minh", "Thầy Hùng"]
    export = AuditEvent.objects.get(action="export")
    assert sorted(export.records) == sorted([hung.pk, CampaignTarget.objects.get(person__full_name="Bảo Vệ Minh").person_id])


def test_it_shows_a_commune_only_its_own_targets(client_for, personas, commune_a, commune_b, person_factory, kontum):
    campaign = create_campaign(by=personas["health_dept"], name="KCN", unit=kontum, deadline=dt.date(2022, 2, 14), within_days=2,
                               accepted_kinds=["rt_pcr"])
    CampaignTarget.objects.create(campaign=campaign, person=person_factory(commune_a, full_name="Công Nhân A"), group="KCN Hòa Bình")
    CampaignTarget.objects.create(campaign=campaign, person=person_factory(commune_b, full_name="Công Nhân B"), group="KCN Hòa Bình")
    page = client_for(personas["commune_a"]).get(f"/testing/sang-loc/{campaign.pk}/").content.decode()
    assert "Công Nhân A" in page and "Công Nhân B" not in page
