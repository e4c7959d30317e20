"""At phone size: a care-team member records SpO2 95 %, sees the alert, acknowledges it and transfers the patient."""
import pytest

from facilities.models import Facility
from tests.conftest import browser_login


@pytest.mark.browser
def test_it_lets_a_care_team_member_handle_an_alert_and_transfer_from_the_phone(personas, open_case, kontum, live_server, phone_page):
    hospital = Facility.objects.create(name="Bệnh viện Đa khoa tỉnh Kon Tum", kind="provincial_hospital", unit=kontum)
    case = open_case()
    page = phone_page
    browser_login(page, live_server, "to_cham_soc_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.fill("#id_spo2", "95")
    page.click("#check button")
    page.wait_for_selector("#alerts")
    assert "SpO2 95% ≤ 96%" in page.inner_text("#alerts")
    page.click("#alerts button")
    page.wait_for_selector("text=Đã tiếp nhận cảnh báo")
    assert page.locator("#alerts").count() == 0
    page.select_option("#transfer select[name=destination]", str(hospital.pk))
    page.fill("#transfer input[name=reason]", "SpO2 95%")
    page.click("#transfer button")
    page.wait_for_selector("text=Đã chuyển viện")
    assert page.inner_text("#case-status") == "Đã chuyển viện"
    assert page.viewport_size["width"] == 390
    case.refresh_from_db()
    assert (case.status, case.facility_id) == ("transferred", hospital.pk)
