"""At phone size, without an account: a person arriving from an outbreak area declares himself."""
import pytest

from contacts.models import Arrival


@pytest.mark.browser
def test_it_takes_a_health_declaration_from_a_phone_without_login(kontum, commune_a, live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/contacts/cong-khai/khai-bao-y-te/")
    assert page.viewport_size["width"] == 390
    page.fill("#id_full_name", "Đinh Văn Về")
    page.fill("#id_birth_year", "1995")
    page.select_option("#id_sex", "M")
    page.fill("#id_phone", "0912345678")
    page.select_option("#id_commune", str(commune_a.pk))
    page.fill("#id_origin", "TP Hồ Chí Minh")
    page.fill("#id_arrived_on", "12/02/2022")
    page.select_option("#id_means", "bus")
    page.check("#id_consent")
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.click("button[type=submit]")
    page.wait_for_selector("#thanks")
    assert "Đinh Văn Về" not in page.content()
    arrival = Arrival.objects.get()
    assert arrival.person.full_name == "Đinh Văn Về" and arrival.via == "public_form" and arrival.person.phone == "0912345678"
