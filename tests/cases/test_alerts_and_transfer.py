import datetime as dt
import re

import pytest

from cases import services
from cases.models import Alert, CaseEvent, Transfer
from core.concurrency import EditConflict
from facilities.models import Facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital(kontum):
    return Facility.objects.create(name="Bệnh viện Đa khoa tỉnh Kon Tum", kind="provincial_hospital", unit=kontum)


def test_it_raises_an_alert_for_spo2_95_that_someone_must_acknowledge(open_case, personas, client_for):
    case = open_case()
    c = client_for(personas["care_a"])
    c.post(f"/cases/{case.pk}/phieu-theo-doi/", {"spo2": "95", "idempotency_key": "k1"})
    alert = Alert.objects.get(case=case)
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "Cảnh báo chưa tiếp nhận" in page and "SpO2 95% ≤ 96%" in page
    assert "SpO2 95%" in c.get("/cases/canh-bao/").content.decode()
    c.post(f"/cases/canh-bao/{alert.pk}/tiep-nhan/", {"note": "Đã gọi"})
    alert.refresh_from_db()
    assert alert.acknowledged_by == personas["care_a"] and alert.note == "Đã gọi"
    assert "Cảnh báo chưa tiếp nhận" not in c.get(f"/cases/{case.pk}/").content.decode()


def test_it_transfers_in_one_action_and_hands_the_case_over(open_case, personas, hospital):
    case = open_case()
    services.record_check(by=personas["care_a"], case=case, data={"spo2": 93})
    services.self_report_token(by=personas["care_a"], case=case)
    services.transfer_to_hospital(by=personas["care_a"], case=case, expected_version=case.version, destination=hospital, reason="SpO2 93%")
    case.refresh_from_db()
    assert (case.status, case.care_setting, case.facility) == ("transferred", "hospital", hospital)
    assert case.self_report_token is None
    t = Transfer.objects.get(case=case)
    assert t.destination == hospital and t.from_setting == "home" and t.at
    assert not Alert.objects.filter(case=case, acknowledged_at__isnull=True).exists()
    assert CaseEvent.objects.filter(case=case, kind="transfer").exists()


def test_it_never_loses_an_update_when_two_workers_edit_at_once(open_case, personas):
    case = open_case()
    v = case.version
    services.update_case(by=personas["care_a"], case=case, expected_version=v, changes={"severity": "moderate"})
    stale = type(case).objects.get(pk=case.pk)
    with pytest.raises(EditConflict) as exc:
        services.update_case(by=personas["commune_a"], case=stale, expected_version=v, changes={"on_oxygen": True, "severity": "mild"})
    assert "severity" in [c.field for c in exc.value.changes]
    case.refresh_from_db()
    assert case.severity == "moderate" and case.on_oxygen is False


def test_it_refuses_a_transfer_without_destination(open_case, personas):
    from core.errors import Invalid

    case = open_case()
    with pytest.raises(Invalid):
        services.transfer_to_hospital(by=personas["care_a"], case=case, expected_version=case.version)


def test_it_shows_home_care_eligibility_with_reasons_and_the_rule(open_case, personas, client_for):
    case = open_case(confirmed_on=dt.date(2022, 2, 5), has_comorbidity=True, can_self_care=False)
    page = client_for(personas["care_a"]).get(f"/cases/{case.pk}/").content.decode()
    assert "Không đủ điều kiện điều trị tại nhà" in page
    assert "Có bệnh nền chưa được điều trị ổn định" in page and "Không tự chăm sóc được" in page
    assert "261/QĐ-BYT" in page and "05/02/2022" in page


def test_it_lets_the_hospital_release_a_transferred_case(open_case, personas, hospital):
    case = open_case(confirmed_on=dt.date(2022, 2, 1))
    services.transfer_to_hospital(by=personas["care_a"], case=case, expected_version=case.version, destination=hospital)
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 9), test_result="negative")
    assert case.status == "recovered" and case.released_on == dt.date(2022, 2, 9)


def test_it_lists_my_teams_home_patients_longest_without_a_check_first(open_case, personas, client_for, commune_a):
    from facilities.models import Team

    team = Team.objects.create(name="Tổ chăm sóc F0 số 1", kind="care_team", commune=commune_a)
    team.members.add(personas["care_a"])
    checked = open_case(full_name="Trần Thị Bình", team=team)
    never = open_case(full_name="Lê Văn Cường", team=team)
    open_case(full_name="Phạm Văn Dũng")  # no team
    services.record_check(by=personas["care_a"], case=checked, data={"spo2": 98})
    page = client_for(personas["care_a"]).get("/cases/?mine=1").content.decode()
    assert "Phạm Văn Dũng" not in page
    assert page.index("Lê Văn Cường") < page.index("Trần Thị Bình")
    assert never.pk


def test_a_transfer_admits_the_patient_and_moves_the_bed_occupancy(open_case, personas, hospital, client_for, kontum):
    """From a centralised facility's bed to a hospital's oxygen bed, through the case page's form."""
    from cases.models import Admission
    from facilities.models import BedCapacity

    centre = Facility.objects.create(name="Khu cách ly tập trung KTX", kind="centralised_facility", unit=kontum)
    BedCapacity.objects.create(facility=centre, bed_type="ordinary", total=10)
    BedCapacity.objects.create(facility=hospital, bed_type="oxygen", total=4)
    case = open_case()
    services.admit(by=personas["health_dept"], case=case, facility=centre, bed_type="ordinary")
    case.refresh_from_db()
    client = client_for(personas["health_dept"])
    response = client.post(f"/cases/{case.pk}/chuyen-vien/", {"version": case.version, "destination": hospital.pk,
                                                              "bed_type": "oxygen", "reason": "SpO2 93%"})
    assert response.status_code == 302
    open_admissions = list(Admission.objects.filter(case=case, discharged_at__isnull=True))
    assert [(a.facility, a.bed_type) for a in open_admissions] == [(hospital, "oxygen")]
    board = client.get("/cases/giuong-benh/").content.decode()
    # The centre's bed is free again (10 of 10), the hospital has one oxygen bed in use (3 of 4 free).
    assert re.search(r"Khu cách ly tập trung KTX</td><td>Giường thường</td><td>10</td><td>0</td><td>10</td>", board)
    assert re.search(r"Bệnh viện Đa khoa tỉnh Kon Tum</td><td>Giường có oxy</td><td>4</td><td>1</td><td>3</td>", board)
    assert CaseEvent.objects.filter(case=case, kind="admission", text__contains="Bệnh viện Đa khoa").exists()
