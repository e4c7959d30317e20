"""The testing pages' writes over the API (issue #14 §3): pools (open, add, send, result, a member's re-test),
sequencing and lineage, lineage-alert acknowledgement, the lab results import and screening campaigns with their
target import. Audited, scoped (404), role-checked (403), bilingual 400."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from core.models import ImportBatch
from testing import services
from testing.models import Campaign, CampaignTarget, LineageAlert, Pool, Result, Test, TestKind

D = dt.date(2022, 2, 10)


def _since():
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def _audited(model, action, since):
    return AuditEvent.objects.filter(target_type=model._meta.label_lower, action=action, id__gt=since).exists()


def test_a_pool_through_its_whole_life(api_for, personas, commune_a, commune_b, person_factory):
    lab = api_for(personas["lab"])
    since = _since()
    r = lab.post("/api/pools/", {"code": "G-1", "size": 5, "commune": commune_a.pk, "taken_on": "2022-02-10"}, format="json")
    assert r.status_code == 201, r.content
    pool = Pool.objects.get(pk=r.json()["id"])
    assert _audited(Pool, "create", since)
    dup = lab.post("/api/pools/", {"code": "G-1", "size": 5, "commune": commune_a.pk, "taken_on": "2022-02-10"}, format="json")
    assert dup.status_code == 400 and dup.json()["errors"][0]["field"] == "code" and "already" in dup.json()["message_en"]
    assert lab.post("/api/pools/", {"code": "G-2", "size": 7, "commune": commune_a.pk, "taken_on": "2022-02-10"},
                    format="json").status_code == 400
    outside = api_for(personas["commune_a"]).post("/api/pools/", {"code": "G-3", "size": 5, "commune": commune_b.pk,
                                                                  "taken_on": "2022-02-10"}, format="json")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "commune"

    person = person_factory(commune_a)
    r = lab.post(f"/api/pools/{pool.pk}/members/", {"person": person.pk}, format="json")
    assert r.status_code == 201 and [m["person"] for m in r.json()["members"]] == [person.pk]
    again = lab.post(f"/api/pools/{pool.pk}/members/", {"person": person.pk}, format="json")
    assert again.status_code == 400 and again.json()["message_vi"] and again.json()["message_en"]
    assert api_for(personas["commune_b"]).post(f"/api/pools/{pool.pk}/send/", {}, format="json").status_code == 404
    assert api_for(personas["leader"]).post(f"/api/pools/{pool.pk}/send/", {}, format="json").status_code == 403
    assert lab.post(f"/api/pools/{pool.pk}/send/", {}, format="json").json()["status"] == "sent"
    bad = lab.post(f"/api/pools/{pool.pk}/result/", {"result": "positive", "reported_on": "2022-02-09"}, format="json")
    assert bad.status_code == 400 and bad.json()["message_en"]
    r = lab.post(f"/api/pools/{pool.pk}/result/", {"result": "positive", "reported_on": "2022-02-11", "ct_value": "25.0"},
                 format="json")
    assert r.status_code == 200 and r.json()["status"] == "follow_up"
    member = pool.members.get()
    r = lab.post(f"/api/pools/{pool.pk}/member-test/", {"member": member.pk, "sample_code": "D-1", "taken_on": "2022-02-12"},
                 format="json")
    assert r.status_code == 201 and Test.objects.get(pk=r.json()["id"]).pool_member_id == member.pk
    wrong = lab.post(f"/api/pools/{pool.pk}/member-test/", {"member": 999999, "sample_code": "D-2", "taken_on": "2022-02-12"},
                     format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "member"


def test_sequencing_lineage_and_its_alert(api_for, personas, commune_a, person_factory):
    lab = api_for(personas["lab"])
    test = services.record_test(by=personas["lab"], person=person_factory(commune_a), kind=TestKind.RT_PCR, sample_code="S-1",
                                taken_on=D, result=Result.POSITIVE, reported_on=D)
    negative = services.record_test(by=personas["lab"], person=person_factory(commune_a, full_name="B"), kind=TestKind.RT_PCR,
                                    sample_code="S-2", taken_on=D, result=Result.NEGATIVE, reported_on=D)
    refused = lab.post(f"/api/tests/{negative.pk}/sequencing/", {"requested_on": "2022-02-11"}, format="json")
    assert refused.status_code == 400 and "positive" in refused.json()["message_en"]
    assert api_for(personas["commune_b"]).post(f"/api/tests/{test.pk}/sequencing/", {}, format="json").status_code == 404
    assert api_for(personas["leader"]).post(f"/api/tests/{test.pk}/sequencing/", {}, format="json").status_code == 403
    r = lab.post(f"/api/tests/{test.pk}/sequencing/", {"requested_on": "2022-02-11", "lab_name": "Viện Pasteur"}, format="json")
    assert r.status_code == 201, r.content
    seq = r.json()["id"]
    early = lab.post(f"/api/tests/{test.pk}/lineage/", {"sequencing": seq, "lineage": "BA.2", "reported_on": "2022-02-01"},
                     format="json")
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "reported_on"
    since = _since()
    r = lab.post(f"/api/tests/{test.pk}/lineage/", {"sequencing": seq, "lineage": "ba.2", "reported_on": "2022-02-20"}, format="json")
    assert r.status_code == 200 and r.json()["sequencing"]["lineage"] == "BA.2" and r.json()["alert"]["lineage"] == "BA.2"
    assert _audited(LineageAlert, "create", since)
    alert = r.json()["alert"]["id"]
    assert api_for(personas["leader"]).post(f"/api/lineage-alerts/{alert}/acknowledge/", {}, format="json").status_code == 403
    r = lab.post(f"/api/lineage-alerts/{alert}/acknowledge/", {}, format="json")
    assert r.status_code == 200 and r.json()["acknowledged_by"] == personas["lab"].pk


def test_the_lab_results_import_is_all_or_nothing(api_for, personas, commune_a, person_factory):
    lab = api_for(personas["lab"])
    a = services.record_test(by=personas["lab"], person=person_factory(commune_a), kind=TestKind.RT_PCR, sample_code="L-1", taken_on=D)
    head = "Mã mẫu,Ngày lấy mẫu,Ngày trả kết quả,Kết quả,CT\n"
    bad = (head + "L-1,10/02/2022,11/02/2022,Dương tính,21.5\nX-9,10/02/2022,11/02/2022,Âm tính,\n").encode()
    r = lab.post("/api/tests/import/", {"file": SimpleUploadedFile("kq.csv", bad)}, format="multipart")
    assert r.status_code == 400, r.content
    assert r.json()["errors"][0]["line"] == 3 and "X-9" in r.json()["errors"][0]["message_vi"]
    a.refresh_from_db()
    assert a.result == Result.PENDING
    r = lab.post("/api/tests/import/", {"file": SimpleUploadedFile("kq.csv", bad), "valid_only": True}, format="multipart")
    assert r.status_code == 201 and r.json()["imported"] == 1 and r.json()["error_count"] == 1
    a.refresh_from_db()
    assert a.result == Result.POSITIVE
    assert lab.get(f"/api/tests/import/{r.json()['id']}/").json()["report"]["extra"]["positive_ids"] == [a.pk]
    assert api_for(personas["leader"]).post("/api/tests/import/", {}, format="multipart").status_code == 403


def test_a_screening_campaign_and_its_targets(api_for, personas, commune_a, kontum):
    dept = api_for(personas["health_dept"])
    body = {"name": "Giáo viên sau Tết", "unit": kontum.pk, "deadline": "2022-02-14", "within_days": 3,
            "accepted_kinds": ["rapid_antigen", "rt_pcr"]}
    assert dept.post("/api/screening-campaigns/", {**body, "accepted_kinds": []}, format="json").status_code == 400
    assert api_for(personas["commune_a"]).post("/api/screening-campaigns/", body, format="json").status_code == 400  # the province
    assert api_for(personas["leader"]).post("/api/screening-campaigns/", body, format="json").status_code == 403
    since = _since()
    r = dept.post("/api/screening-campaigns/", body, format="json")
    assert r.status_code == 201, r.content
    assert _audited(Campaign, "create", since)
    campaign = r.json()["id"]
    sheet = ("Họ và tên,Năm sinh,Giới tính,CCCD,Điện thoại,Trường/đơn vị,Mã xã\n"
             f"Cô Giáo Lan,1985,Nữ,,,THPT Kon Tum,{commune_a.code}\n"
             f"Thầy Hùng,1979,Nam,,,THPT Kon Tum,{commune_a.code}\n").encode()
    r = dept.post(f"/api/screening-campaigns/{campaign}/targets/", {"file": SimpleUploadedFile("ds.csv", sheet)}, format="multipart")
    assert r.status_code == 201, r.content
    assert CampaignTarget.objects.filter(campaign_id=campaign).count() == 2
    assert ImportBatch.objects.get().options == {"campaign": campaign}
    assert dept.get(f"/api/screening-campaigns/targets/{r.json()['id']}/").json()["imported"] == 2
    # A campaign of commune A is not commune B's: 404, the same as an absent one.
    local = Campaign.objects.create(name="Chợ Quang Trung", unit=commune_a, deadline=D, within_days=3, accepted_kinds=["rt_pcr"])
    outside = api_for(personas["commune_b"]).post(f"/api/screening-campaigns/{local.pk}/targets/",
                                                  {"file": SimpleUploadedFile("ds.csv", sheet)}, format="multipart")
    assert outside.status_code == 404 and CampaignTarget.objects.filter(campaign=local).count() == 0
