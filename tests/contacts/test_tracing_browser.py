"""In the browser: trace two contacts from a case, record a positive test for one, convert it, see the graph grow."""
import datetime as dt

import pytest

from contacts.models import Contact
from tests.conftest import browser_login, make_person


def chain_size(page):
    page.wait_for_selector("#graph[data-ready='1']")
    return page.evaluate("window.phongdichChain.nodes('[kind = \"case\"]').length"), page.evaluate("window.phongdichChain.nodes().length")


@pytest.mark.browser
def test_it_traces_tests_converts_and_grows_the_chain(personas, commune_a, open_case, live_server, page):
    f0 = open_case(make_person(commune_a, full_name="Trần Văn Nguồn", phone="0905111222"), dt.date(2022, 2, 10))
    browser_login(page, live_server, "tram_a")
    page.goto(f"{live_server.url}/contacts/ca/{f0.pk}/")
    for name, year in (("Lê Thị Hoa", "1990"), ("Lê Văn Nam", "2012")):
        page.fill("#contact-form #id_full_name", name)
        page.fill("#contact-form #id_birth_year", year)
        page.fill("#contact-form #id_last_exposure_on", "09/02/2022")
        page.click("#contact-form button[type=submit]")
        page.wait_for_selector(f"#contacts >> text={name}")
    assert "14 ngày" in page.inner_text("#contacts")  # 10696/BYT-MT, vaccination unknown: the strict reading

    page.goto(f"{live_server.url}/contacts/ca/{f0.pk}/chuoi-lay/")
    assert chain_size(page) == (1, 3)

    hoa = Contact.objects.get(person__full_name="Lê Thị Hoa")
    page.goto(f"{live_server.url}/contacts/{hoa.pk}/")
    assert "10696/BYT-MT" in page.inner_text("#rule")
    page.click("text=Ghi xét nghiệm")
    page.select_option("#id_kind", "rapid_antigen")
    page.fill("#id_sample_code", "TN-0001")
    page.fill("#id_taken_on", "12/02/2022")
    page.select_option("#id_result", "positive")
    page.click("#test-form button[type=submit]")
    page.click("#open-case")
    page.click("text=Mở ca bệnh (F0)")
    page.wait_for_selector("text=Đã mở ca bệnh F0")
    hoa.refresh_from_db()
    assert hoa.converted_case is not None and hoa.converted_case.detected_in == "quarantine"

    page.goto(f"{live_server.url}/contacts/ca/{f0.pk}/chuoi-lay/")
    assert chain_size(page) == (2, 3)  # Hoa is now a case (generation 1); Nam still a contact
    assert f"F0 #{hoa.converted_case_id} Lê Thị Hoa" in page.evaluate("window.phongdichChain.nodes().map(n => n.data('label')).join('|')")
