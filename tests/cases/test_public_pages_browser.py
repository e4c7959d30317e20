"""Every public page works in Chromium at phone size under the Content-Security-Policy: the feedback form is
submitted as Chromium submits it, the level page, the health declaration and both certificate checks load, and the
browser reports no blocked script (no CSP violation) on any of them."""
import datetime as dt

import pytest

from reports.models import Feedback

PHONE_UA = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Mobile Safari/537.36")


@pytest.fixture
def mobile_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=PHONE_UA, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    page.on("pageerror", lambda e: page.csp_errors.append(str(e)))
    yield page
    context.close()


@pytest.mark.browser
def test_public_pages_work_on_a_phone_under_the_policy(kontum, personas, open_case, live_server, mobile_page):
    from cases import services
    from vaccination import services as vaccination

    page = mobile_page
    page.goto(f"{live_server.url}/reports/cong-khai/phan-anh/")
    page.select_option("#id_sender_kind", index=1)
    page.select_option("#id_topic", index=1)
    page.fill("#id_text", "Đề nghị bố trí thêm điểm xét nghiệm ở phường Quang Trung.")
    page.click("button[type=submit]")
    page.wait_for_selector("#feedback-sent")
    assert Feedback.objects.filter(text__startswith="Đề nghị bố trí").exists()

    page.goto(f"{live_server.url}/levels/cong-khai/")
    assert page.inner_text("h1") == "Cấp độ dịch COVID-19 đang áp dụng"
    page.goto(f"{live_server.url}/contacts/cong-khai/khai-bao-y-te/")
    assert page.locator("#id_full_name").count() == 1

    case = open_case(full_name="Phan Văn Khỏi", confirmed_on=dt.date(2022, 2, 1))
    services.record_release(by=personas["care_a"], case=case, expected_version=case.version, on=dt.date(2022, 2, 8),
                            test_result="negative")
    cert = services.issue_certificate(by=personas["care_a"], case=case)
    person = case.person
    page.goto(f"{live_server.url}/cases/cong-khai/xac-minh/{cert.verify_token}/")
    page.wait_for_selector("text=Giấy xác nhận hợp lệ")
    vcert = vaccination.issue_certificate(by=personas["vaccinator_a"], person=person)
    page.goto(f"{live_server.url}/vaccination/cong-khai/xac-minh/{vcert.token}/")
    page.wait_for_selector("text=Giấy chứng nhận hợp lệ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert page.csp_errors == []
