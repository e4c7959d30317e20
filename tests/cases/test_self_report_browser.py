"""On a phone, without an account: the patient opens his self-report link, sends a check and asks for help.

Chromium submits the form as a phone would (its own Origin and Referer headers): the page's referrer policy must let
the browser send a real Origin (a `no-referrer` policy makes it send `Origin: null`, which Django's CSRF check
refuses), while the secret token in the address still never leaves in a Referer to another site.
"""
import pytest

from cases import services
from cases.models import Alert, Check

PHONE_UA = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Mobile Safari/537.36")


@pytest.fixture
def mobile_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=PHONE_UA, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    yield page
    context.close()


@pytest.mark.browser
def test_it_takes_the_patients_check_and_help_request_from_a_phone(open_case, personas, live_server, mobile_page):
    case = open_case()
    token = services.self_report_token(by=personas["care_a"], case=case)
    page = mobile_page
    requests = []
    page.on("request", lambda r: r.method == "POST" and requests.append(r.all_headers()))
    page.goto(f"{live_server.url}/cases/cong-khai/theo-doi/{token}/")
    assert page.viewport_size["width"] == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.fill("#id_spo2", "98")
    page.click("text=Gửi phiếu")
    page.wait_for_selector("text=Đã nhận phiếu. Không có dấu hiệu cảnh báo.")
    assert Check.objects.filter(case=case, by_patient=True).count() == 1
    page.fill("input[name=message]", "Khó thở về đêm")
    page.click("text=Tôi cần hỗ trợ")
    page.wait_for_selector("text=Đã gửi yêu cầu hỗ trợ")
    assert Alert.objects.filter(case=case, source="help").exists()
    # The browser sent its real origin, as Chromium does on a same-origin POST.
    assert requests and all(h.get("origin") == live_server.url for h in requests)
    # The secret address still never leaves in a Referer to another site: same-origin only.
    assert page.evaluate("document.querySelector('meta[name=referrer]').content") == "same-origin"
    assert page.csp_errors == []
