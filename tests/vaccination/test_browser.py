"""In a real browser at phone size: a vaccinator records a dose that is too early, sees the refusal, records a valid
one and prints the certificate."""
import datetime as dt

import pytest

from tests.conftest import browser_login, make_person


@pytest.mark.browser
def test_it_lets_a_vaccinator_see_a_refusal_record_a_valid_dose_and_print_the_certificate(
        personas, commune_a, live_server, phone_page):
    from vaccination import services
    from vaccination.models import Injection, Product

    pfizer = Product.objects.get(code="comirnaty")
    person = make_person(commune_a, full_name="Y Blông", date_of_birth=dt.date(1985, 4, 2), sex="F")
    first = dt.date.today() - dt.timedelta(days=30)
    services.record_injection(by=personas["vaccinator_a"], person=person, product=pfizer, dose_kind="primary",
                              dose_number=1, given_on=first)
    page = phone_page
    browser_login(page, live_server, "tiem_a")
    page.goto(f"{live_server.url}/vaccination/nguoi/{person.pk}/")
    page.select_option("#id_product", str(pfizer.pk))
    page.fill("#id_dose_number", "2")
    too_early = first + dt.timedelta(days=10)
    page.fill("#id_given_on", too_early.strftime("%d/%m/%Y"))
    page.click("#record button[type=submit]")
    page.wait_for_selector("#findings")
    text = page.inner_text("#findings")
    assert "Quá sớm" in text and (first + dt.timedelta(days=21)).strftime("%d/%m/%Y") in text
    assert Injection.objects.filter(person=person).count() == 1
    valid = first + dt.timedelta(days=21)
    page.fill("#id_given_on", valid.strftime("%d/%m/%Y"))
    page.click("#record button[type=submit]")
    page.wait_for_selector("text=Đã ghi nhận mũi tiêm")
    assert valid.strftime("%d/%m/%Y") in page.inner_text("#doses")
    with page.expect_response(lambda r: "giay-chung-nhan" in r.url) as response:
        page.click("#certificate")
    assert response.value.status == 200 and response.value.headers["content-type"] == "application/pdf"
    # Chromium hands the PDF to its viewer; fetch the same URL with the page's session to check the file itself.
    assert page.context.request.get(response.value.url).body()[:4] == b"%PDF"
    assert page.viewport_size["width"] == 390
    assert Injection.objects.filter(person=person).count() == 2
